"""Cases open from a finished campaign: one per website, later findings join it, passes
close findings, warnings and cannot_tell never open a case."""

from __future__ import annotations

import pytest

from icpportal.models import AuditEvent
from inspections.enforcement.cases import open_cases_for_campaign
from inspections.models import CaseFinding, CaseState, FindingStatus, RectificationCase
from notifications.models import Notification
from tests.inspections.cases_helpers import finished_campaign, inspected, local, website_of

pytestmark = pytest.mark.django_db


def test_a_blocking_failure_opens_one_notified_case_with_notices(alice, alice_tenant, time_machine):
    # GIVEN a campaign that found a blocking failure on alice's website
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    website = website_of(alice_tenant)
    campaign = finished_campaign()
    inspected(
        campaign,
        website,
        ("domain_expiry", "fail", "blocking"),
        ("contact_reachability", "fail", "warning"),
        ("domain_owner", "cannot_tell", ""),
    )

    # WHEN the cases of the campaign are opened
    report = open_cases_for_campaign(campaign.pk)

    # THEN one case is open and notified, with only the blocking finding
    case = RectificationCase.objects.get(website=website)
    assert report.opened == 1
    assert case.state == CaseState.NOTIFIED
    assert list(case.findings.values_list("rule_code", flat=True)) == ["domain_expiry"]
    # AND its deadline is 10 working days later, at the end of the day
    assert case.deadline == local("2026-03-16 23:59:59.999999")
    assert case.next_step_at is not None and case.next_step_at < case.deadline
    # AND the owner and the person in charge are told by e-mail, SMS and in-app
    channels = set(
        Notification.objects.filter(template_key="case_opened").values_list("channel", flat=True)
    )
    assert channels == {"email", "sms", "in_app"}
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["case.open", "case.notify"]


def test_warnings_and_cannot_tell_never_open_a_case(alice_tenant):
    website = website_of(alice_tenant)
    campaign = finished_campaign()
    inspected(
        campaign,
        website,
        ("contact_reachability", "fail", "warning"),
        ("domain_owner", "cannot_tell", ""),
    )
    open_cases_for_campaign(campaign.pk)
    assert not RectificationCase.objects.exists()


def test_a_later_campaign_joins_the_open_case_without_shortening_its_deadline(
    alice_tenant, time_machine, settings
):
    # GIVEN an open case with a 10-working-day deadline
    time_machine.move_to(local("2026-03-02 10:00"), tick=False)
    website = website_of(alice_tenant)
    first = finished_campaign()
    inspected(first, website, ("domain_expiry", "fail", "blocking"))
    open_cases_for_campaign(first.pk)
    case = RectificationCase.objects.get()
    deadline = case.deadline

    # WHEN a later campaign finds another blocking failure, whose rule has a short period
    settings.RECTIFICATION_PERIODS = {"dns_ip_ownership": ("calendar", 2)}
    time_machine.move_to(local("2026-03-05 10:00"), tick=False)
    second = finished_campaign()
    inspected(second, website, ("dns_ip_ownership", "fail", "blocking"))
    report = open_cases_for_campaign(second.pk)

    # THEN the finding joins the same case and the deadline stays
    assert report.joined == 1 and report.opened == 0
    case.refresh_from_db()
    assert case.deadline == deadline
    assert RectificationCase.objects.count() == 1
    assert set(case.findings.values_list("rule_code", flat=True)) == {
        "domain_expiry",
        "dns_ip_ownership",
    }


def test_running_the_opening_twice_changes_nothing(alice_tenant):
    website = website_of(alice_tenant)
    campaign = finished_campaign()
    inspected(campaign, website, ("domain_expiry", "fail", "blocking"))
    open_cases_for_campaign(campaign.pk)
    audit_rows = AuditEvent.objects.count()
    notices = Notification.objects.count()

    report = open_cases_for_campaign(campaign.pk)

    assert (report.opened, report.joined) == (0, 0)
    assert RectificationCase.objects.count() == 1
    assert CaseFinding.objects.count() == 1
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (audit_rows, notices)


def test_findings_that_pass_close_themselves_and_the_case_resolves(alice_tenant):
    # GIVEN a case with two failing findings
    website = website_of(alice_tenant)
    first = finished_campaign()
    inspected(
        first, website, ("domain_expiry", "fail", "blocking"), ("domain_owner", "fail", "blocking")
    )
    open_cases_for_campaign(first.pk)
    case = RectificationCase.objects.get()

    # WHEN the next campaign finds one of them passing
    second = finished_campaign()
    inspected(second, website, ("domain_expiry", "pass", ""), ("domain_owner", "fail", "blocking"))
    open_cases_for_campaign(second.pk)

    # THEN that finding is closed and the case stays open
    statuses = dict(case.findings.values_list("rule_code", "status"))
    assert statuses == {"domain_expiry": FindingStatus.PASSED, "domain_owner": FindingStatus.OPEN}
    case.refresh_from_db()
    assert case.state == CaseState.NOTIFIED

    # WHEN a third finds the other passing too
    third = finished_campaign()
    inspected(third, website, ("domain_owner", "pass", ""))
    open_cases_for_campaign(third.pk)

    # THEN the case is resolved
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED
    assert case.resolved_at is not None
