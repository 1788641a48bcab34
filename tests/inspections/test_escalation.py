"""The escalation scan: warnings once each, the deadline, the block, the cancel; the
working calendar with Golden Week and its make-up day; the clock pause; safeguards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from filings.models import Website
from icpportal.models import AuditEvent
from inspections.enforcement import actions, periods
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.cases import open_cases_for_campaign
from inspections.enforcement.escalation import escalate_due_cases, sync_clock_pauses
from inspections.models import (
    AccessDecision,
    AccessState,
    CaseState,
    EnforcementControl,
    HoldReason,
    RectificationCase,
)
from notifications.models import Notification
from tests import factories
from tests.inspections.cases_helpers import finished_campaign, inspected, local, website_of

pytestmark = pytest.mark.django_db
S = CaseState


def open_case(tenant, when: str, **website_kwargs) -> RectificationCase:
    """A case opened at ``when`` by a campaign that found one blocking failure."""
    website = website_of(tenant, **website_kwargs)
    campaign = finished_campaign()
    inspected(campaign, website, ("domain_expiry", "fail", "blocking"))
    open_cases_for_campaign(campaign.pk)
    return RectificationCase.objects.get(website=website)


def sent(event: str) -> int:
    return Notification.objects.filter(template_key=event).count()


def actions_of(case) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_id=str(case.pk), object_type="inspections.rectificationcase"
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def escalate():
    return escalate_due_cases(time_budget=30)


def test_deadline_skips_golden_week_and_counts_the_make_up_saturday(alice_tenant, time_machine):
    # GIVEN a case opened the day before National Day, with 3 working days
    time_machine.move_to(local("2026-09-30 10:00"), tick=False)
    start = timezone.now()

    # THEN Oct 1-7 are holidays, Thu 8 and Fri 9 count, and Sat 10 is a make-up working day
    assert periods.deadline_for(start, "working", 3) == local("2026-10-10 23:59:59.999999")
    # AND calendar days count straight through
    assert periods.deadline_for(start, "calendar", 3) == local("2026-10-03 23:59:59.999999")


def test_warnings_go_out_once_each_then_the_deadline_blocks_access(
    alice, alice_tenant, time_machine, django_capture_on_commit_callbacks
):
    # GIVEN a case opened Monday 2 March 2026 with 10 working days (deadline 16 March)
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    case = open_case(alice_tenant, "2026-03-02 10:00", domain="expired-shop.example.com")
    assert case.deadline == local("2026-03-16 23:59:59.999999")

    # WHEN the scan runs before half the period: nothing is due
    time_machine.move_to(local("2026-03-05 10:00"), tick=False)
    assert escalate().total == 0

    # WHEN it runs after half the period, twice
    time_machine.move_to(local("2026-03-09 18:00"), tick=False)
    escalate()
    escalate()
    # THEN the half-period warning went out once: in-app and e-mail to the owner,
    # SMS and e-mail to the person in charge
    assert sent("case_half_period") == 4

    # WHEN it runs on the last working day before the deadline (Friday 13 March, 09:00)
    time_machine.move_to(local("2026-03-13 09:30"), tick=False)
    escalate()
    escalate()
    assert sent("case_last_day") == 4
    case.refresh_from_db()
    assert case.state == S.NOTIFIED and case.next_step_at == case.deadline

    # WHEN the deadline has passed
    time_machine.move_to(local("2026-03-17 00:05"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        report = escalate()

    # THEN the case went overdue and was blocked in the same run, each once
    case.refresh_from_db()
    assert case.state == S.ACCESS_BLOCKED
    assert report.steps["overdue"] == 1 and report.steps["access_blocked"] == 1
    assert actions_of(case) == [
        "case.open",
        "case.notify",
        "case.warning",
        "case.warning",
        "case.overdue",
        "case.block",
    ]
    decision = AccessDecision.objects.get(host="expired-shop.example.com")
    assert (decision.state, decision.case_id) == (AccessState.BLOCKED, case.pk)
    assert sent("case_blocked") == 4
    # AND the next step is the cancel, at deadline + grace
    assert case.next_step_at == periods.cancel_at(case)

    # WHEN the scan runs again, nothing happens twice
    assert escalate().total == 0
    assert sent("case_blocked") == 4


def test_the_clock_pauses_while_a_change_application_is_under_review(alice_tenant, time_machine):
    # GIVEN a notified case and a change application of its website under provider review
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    case = open_case(alice_tenant, "2026-03-02 10:00")
    deadline = case.deadline
    application = factories.ApplicationFactory(
        tenant=alice_tenant, kind="change_website", website=case.website
    )
    type(application).objects.filter(pk=application.pk).update(status="provider_review")

    # WHEN the scan runs
    sync_clock_pauses(timezone.now())

    # THEN the clock is paused and nothing is scheduled
    case.refresh_from_db()
    assert case.clock_paused_at is not None and case.next_step_at is None
    assert case.hold_reason == HoldReason.CLOCK_PAUSED

    # WHEN the deadline would have passed, the case is not overdue
    time_machine.move_to(local("2026-03-20 10:00"), tick=False)
    escalate()
    case.refresh_from_db()
    assert case.state == S.NOTIFIED

    # WHEN the application is decided 18 days after it paused the clock
    type(application).objects.filter(pk=application.pk).update(status="approved")
    sync_clock_pauses(timezone.now())

    # THEN the deadline moved on by the paused time
    case.refresh_from_db()
    assert case.clock_paused_at is None
    assert case.deadline == deadline + timedelta(days=18)
    assert case.paused_seconds == 18 * 86400
    assert case.next_step_at is not None


def overdue_case(tenant, campaign=None, **kwargs) -> RectificationCase:
    website = website_of(tenant)
    now = timezone.now()
    return factories.RectificationCaseFactory(
        website=website,
        campaign=campaign,
        state=S.OVERDUE,
        opened_at=now - timedelta(days=15),
        deadline=now - timedelta(hours=1),
        next_step_at=now - timedelta(hours=1),
        **kwargs,
    )


def test_a_paused_enforcement_blocks_nothing(alice_tenant, leo):
    # GIVEN an overdue case and a lead who paused enforcement
    case = overdue_case(alice_tenant)
    actions.do_set_enforcement_pause(actor=leo, paused=True, reason="Wrong provider range")

    # WHEN the scan runs
    escalate()

    # THEN the case stays overdue; after resuming, it is blocked
    case.refresh_from_db()
    assert case.state == S.OVERDUE
    actions.do_set_enforcement_pause(actor=leo, paused=False, reason="Range fixed")
    escalate()
    case.refresh_from_db()
    assert case.state == S.ACCESS_BLOCKED
    assert EnforcementControl.current().changed_by == leo


def test_the_hourly_cap_holds_the_rest_for_the_next_hour(alice_tenant, settings, time_machine):
    time_machine.move_to(local("2026-03-17 10:00"), tick=False)
    settings.ENFORCEMENT_BLOCKS_PER_HOUR = 2
    cases = [overdue_case(alice_tenant) for _ in range(3)]

    escalate()
    assert RectificationCase.objects.filter(state=S.ACCESS_BLOCKED).count() == 2

    # WHEN the same hour runs again, nothing more; the next hour takes the last one
    escalate()
    assert RectificationCase.objects.filter(state=S.ACCESS_BLOCKED).count() == 2
    time_machine.move_to(local("2026-03-17 11:01"), tick=False)
    escalate()
    assert all(
        c.state == S.ACCESS_BLOCKED
        for c in RectificationCase.objects.filter(pk__in=[c.pk for c in cases])
    )


def test_a_campaign_above_the_threshold_waits_for_a_leads_approval(
    alice_tenant, leo, rachel, settings
):
    # GIVEN a campaign whose three overdue cases exceed the threshold of two
    settings.ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD = 2
    campaign = finished_campaign()
    cases = [overdue_case(alice_tenant, campaign=campaign) for _ in range(3)]

    # WHEN the scan runs
    escalate()

    # THEN none is blocked: each waits for approval
    assert {c.hold_reason for c in RectificationCase.objects.all()} == {
        HoldReason.CAMPAIGN_APPROVAL
    }
    assert not RectificationCase.objects.filter(state=S.ACCESS_BLOCKED).exists()

    # AND a reviewer may not approve
    with pytest.raises(CaseActionError):
        actions.do_approve_campaign_blocks(campaign, actor=rachel, reason="go")

    # WHEN a lead approves, the next scan blocks them all
    actions.do_approve_campaign_blocks(campaign, actor=leo, reason="Checked the findings")
    escalate()
    assert RectificationCase.objects.filter(state=S.ACCESS_BLOCKED).count() == len(cases)


def blocked_case(tenant, **kwargs) -> RectificationCase:
    """A case blocked 30 days ago: the grace period (10 days) is over."""
    now = timezone.now()
    return factories.RectificationCaseFactory(
        website=website_of(tenant),
        state=S.ACCESS_BLOCKED,
        opened_at=now - timedelta(days=40),
        deadline=now - timedelta(days=30),
        blocked_at=now - timedelta(days=30),
        next_step_at=now - timedelta(days=20),
        **kwargs,
    )


def test_four_eyes_cancel_needs_two_different_leads(alice_tenant, leo, settings):
    settings.ENFORCEMENT_FOUR_EYES = True
    case = blocked_case(alice_tenant)
    other_lead = factories.StaffProfileFactory(
        user=factories.UserFactory(username="lena"), role="lead"
    ).user

    # WHEN the grace period is over: the cancel waits for approval
    escalate()
    case.refresh_from_db()
    assert (case.state, case.hold_reason) == (S.ACCESS_BLOCKED, HoldReason.CANCEL_APPROVAL)

    # WHEN leo proposes and approves himself, the second step is refused
    actions.do_approve_cancel(case, actor=leo, reason="Unreachable for a month")
    with pytest.raises(CaseActionError):
        actions.do_approve_cancel(case, actor=leo, reason="Again")
    escalate()
    case.refresh_from_db()
    assert case.state == S.ACCESS_BLOCKED

    # WHEN a second lead approves, the next scan cancels access
    actions.do_approve_cancel(case, actor=other_lead, reason="Agreed")
    escalate()
    case.refresh_from_db()
    assert case.state == S.ACCESS_CANCELLED
    assert Website.objects.get(pk=case.website_id).access_state == "access_cancelled"
    assert AccessDecision.objects.get(website=case.website).state == AccessState.CANCELLED


def test_without_four_eyes_a_pending_transfer_is_cancelled_at_deadline_plus_grace(
    alice_tenant, settings
):
    settings.ENFORCEMENT_FOUR_EYES = False
    case = blocked_case(alice_tenant)
    Website.objects.filter(pk=case.website_id).update(access_state="transfer_pending")

    escalate()

    case.refresh_from_db()
    assert case.state == S.TRANSFER_CANCELLED
    assert Website.objects.get(pk=case.website_id).access_state == "not_accessed"
    assert actions_of(case)[-1] == "case.transfer_cancelled"


def test_a_deregistered_website_closes_its_case(alice_tenant):
    # GIVEN an overdue case whose website the bureau has since deregistered
    case = overdue_case(alice_tenant)
    Website.objects.filter(pk=case.website_id).update(filing_state="deregistered")

    # WHEN the scan runs
    report = escalate()

    # THEN the case is closed, not blocked
    case.refresh_from_db()
    assert case.state == S.CLOSED_DEREGISTERED
    assert report.steps == {"closed_deregistered": 1}
    assert actions_of(case) == ["case.close_deregistered"]


def test_a_campaign_that_cannot_reach_the_threshold_is_counted_once_per_run(alice_tenant, settings):
    # GIVEN a campaign of three overdue cases, under a threshold of five
    settings.ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD = 5
    campaign = finished_campaign()
    for _ in range(3):
        overdue_case(alice_tenant, campaign=campaign)

    # WHEN one run blocks them one batch at a time
    with CaptureQueriesContext(connection) as queries:
        escalate_due_cases(batch_size=1, time_budget=30)

    # THEN all are blocked, and the campaign's cases were counted for the first batch only
    assert RectificationCase.objects.filter(state=S.ACCESS_BLOCKED).count() == 3
    counts = [q for q in queries if "COUNT(*)" in q["sql"] and '"campaign_id" =' in q["sql"]]
    assert len(counts) == 1
