"""The clock pause across the minute scan: a change application under review stops a
case's clock, nothing moves the case while it is paused, and the end of the review
moves the deadline on by exactly the time paused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application
from inspections.enforcement import actions
from inspections.enforcement.cases import open_cases_for_campaign
from inspections.enforcement.escalation import escalate_due_cases
from inspections.models import CaseState, HoldReason, RectificationCase
from notifications.models import Notification
from tests import factories
from tests.inspections.cases_helpers import finished_campaign, inspected, local, website_of

pytestmark = pytest.mark.django_db
S = CaseState


def open_case(tenant, website=None) -> RectificationCase:
    website = website or website_of(tenant)
    campaign = finished_campaign()
    inspected(campaign, website, ("domain_expiry", "fail", "blocking"))
    open_cases_for_campaign(campaign.pk)
    return RectificationCase.objects.get(website=website)


def change_application(case, kind=ApplicationKind.CHANGE_WEBSITE, **kwargs) -> Application:
    application = factories.ApplicationFactory(
        tenant=case.tenant, kind=kind, website=case.website, entity=case.entity, **kwargs
    )
    set_status(application, ApplicationStatus.PROVIDER_REVIEW)
    return application


def set_status(application: Application, status: str) -> None:
    # The status is protected; the review steps themselves are tested with filings.
    Application.objects.filter(pk=application.pk).update(status=status)


def scan_at(time_machine, when: str):
    """One run of the minute beat's scan at local time ``when``."""
    time_machine.move_to(local(when), tick=False)
    return escalate_due_cases(time_budget=30)


def warnings() -> int:
    return Notification.objects.filter(
        template_key__in=("case_half_period", "case_last_day")
    ).count()


@pytest.mark.parametrize(
    "outcome",
    [ApplicationStatus.APPROVED, ApplicationStatus.RETURNED, ApplicationStatus.WITHDRAWN],
)
def test_a_paused_case_does_not_move_and_resumes_with_its_deadline_moved_on(
    alice_tenant, time_machine, outcome
):
    # GIVEN a case opened Monday 2 March 10:00 (10 working days: deadline 16 March)
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    case = open_case(alice_tenant)
    deadline = case.deadline
    assert deadline == local("2026-03-16 23:59:59.999999")

    # WHEN a change of its website goes under review on 4 March and the scan runs
    scan_at(time_machine, "2026-03-04 10:00")
    application = change_application(case)
    report = scan_at(time_machine, "2026-03-04 10:01")

    # THEN the clock is paused from that scan, with nothing scheduled
    case.refresh_from_db()
    assert report.steps == {"clock_paused": 1}
    assert case.clock_paused_at == local("2026-03-04 10:01")
    assert (case.hold_reason, case.next_step_at) == (HoldReason.CLOCK_PAUSED, None)

    # WHEN the scans run past the half period, the T-1 day and the deadline
    for when in ("2026-03-09 18:00", "2026-03-13 09:30", "2026-03-17 00:05", "2026-03-20 10:00"):
        assert scan_at(time_machine, when).total == 0
    # THEN the case was never moved and no warning went out
    case.refresh_from_db()
    assert case.state == S.NOTIFIED and case.deadline == deadline
    assert warnings() == 0

    # WHEN the review ends (approved, returned or withdrawn) on 23 March, 19 days later
    time_machine.move_to(local("2026-03-23 10:01"), tick=False)
    set_status(application, outcome)
    report = scan_at(time_machine, "2026-03-23 10:01")

    # THEN the deadline moved on by the paused time, and the clock runs again
    case.refresh_from_db()
    assert report.steps == {"clock_resumed": 1}
    assert case.clock_paused_at is None and case.hold_reason == ""
    assert case.deadline == deadline + timedelta(days=19)
    assert case.paused_seconds == 19 * 86400
    # AND the half period counts without the pause too: opened (shifted) 21 March
    # 10:00, deadline 4 April, so the warning falls on 28 March, not at once
    assert local("2026-03-28 16:59") < case.next_step_at <= local("2026-03-28 17:00")
    assert scan_at(time_machine, "2026-03-23 10:02").total == 0
    scan_at(time_machine, "2026-03-28 17:01")
    # (to the person in charge, by SMS and e-mail: the customer has no owner here)
    assert Notification.objects.filter(template_key="case_half_period").count() == 2

    # AND the case goes overdue only after the moved deadline
    assert scan_at(time_machine, "2026-04-04 10:00").steps.get("overdue") is None
    scan_at(time_machine, "2026-04-05 00:05")
    case.refresh_from_db()
    assert case.state == S.ACCESS_BLOCKED


def test_a_change_of_another_website_of_the_entity_does_not_pause_the_case(
    alice_tenant, time_machine
):
    # GIVEN a case, and a change application of another website of the same entity
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    case = open_case(alice_tenant)
    other = factories.WebsiteFactory(entity=case.entity, tenant=case.tenant)
    factories.DomainFactory(website=other, name="other.example.com")
    application = factories.ApplicationFactory(
        tenant=case.tenant, kind=ApplicationKind.CHANGE_WEBSITE, website=other, entity=case.entity
    )
    set_status(application, ApplicationStatus.BUREAU_REVIEW)

    # WHEN the scan runs: the case's clock keeps running
    scan_at(time_machine, "2026-03-04 10:00")
    case.refresh_from_db()
    assert case.clock_paused_at is None

    # WHEN a change of the entity itself goes under review, the clock pauses
    entity_change = factories.ApplicationFactory(
        tenant=case.tenant, kind=ApplicationKind.CHANGE_ENTITY, entity=case.entity
    )
    set_status(entity_change, ApplicationStatus.SMS_VERIFICATION)
    scan_at(time_machine, "2026-03-04 10:01")
    case.refresh_from_db()
    assert case.clock_paused_at == local("2026-03-04 10:01")


def test_an_extension_while_paused_counts_only_the_pause_after_it(alice_tenant, leo, time_machine):
    # GIVEN a case paused on 4 March by a change under review
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    case = open_case(alice_tenant)
    application = change_application(case)
    scan_at(time_machine, "2026-03-04 10:00")

    # WHEN staff extend it on 6 March by 10 calendar days (deadline 16 March)
    time_machine.move_to(local("2026-03-06 10:00"), tick=False)
    actions.do_extend_case(case, actor=leo, reason="Bureau backlog", days=10, kind="calendar")
    case.refresh_from_db()
    extended = case.deadline
    assert case.clock_paused_at == local("2026-03-06 10:00")

    # AND the review ends on 9 March
    set_status(application, ApplicationStatus.APPROVED)
    scan_at(time_machine, "2026-03-09 10:00")

    # THEN the new deadline moves on by the 3 days paused since the extension only
    case.refresh_from_db()
    assert case.deadline == extended + timedelta(days=3)
    assert case.paused_seconds == 5 * 86400
