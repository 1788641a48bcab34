"""Every step on a case through its action, and the steps the state machine refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icpportal.models import AuditEvent
from inspections.enforcement import actions
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.cases import open_cases_for_campaign
from inspections.models import AccessDecision, AccessState, CaseState, FindingStatus
from notifications.models import Notification
from tests import factories
from tests.inspections.cases_helpers import finished_campaign, inspected, website_of

pytestmark = pytest.mark.django_db
S = CaseState


def case_in(tenant, state: str, **kwargs):
    now = timezone.now()
    website = website_of(tenant, domain=f"{state.replace('_', '-')}.example.com")
    case = factories.RectificationCaseFactory(
        website=website,
        state=state,
        deadline=now + timedelta(days=5)
        if state in (S.OPEN, S.NOTIFIED)
        else now - timedelta(hours=1),
        **kwargs,
    )
    factories.CaseFindingFactory(case=case, rule_code="domain_expiry")
    if state == S.ACCESS_BLOCKED:
        AccessDecision.objects.create(
            host=website.domains.get().name,
            state=AccessState.BLOCKED,
            case=case,
            website=website,
            tenant=tenant,
        )
    return case


def last_action(case) -> str:
    return (
        AuditEvent.objects.filter(
            object_id=str(case.pk), object_type="inspections.rectificationcase"
        )
        .order_by("-id")
        .values_list("action", flat=True)
        .first()
    )


def test_extending_a_running_case_keeps_its_state(alice_tenant, rachel):
    case = case_in(alice_tenant, S.NOTIFIED)
    deadline = case.deadline
    case = actions.do_extend_case(case, actor=rachel, days=3, reason="Registrar outage")
    assert case.state == S.NOTIFIED and case.deadline > deadline
    assert last_action(case) == "case.extend"


@pytest.mark.parametrize("state", [S.OVERDUE, S.ACCESS_BLOCKED])
def test_extending_after_the_deadline_returns_to_notified_and_unblocks(alice_tenant, rachel, state):
    case = case_in(alice_tenant, state)
    case = actions.do_extend_case(case, actor=rachel, days=3, reason="New evidence expected")
    assert case.state == S.NOTIFIED
    assert case.deadline > timezone.now()
    decisions = set(
        AccessDecision.objects.filter(website=case.website).values_list("state", flat=True)
    )
    assert decisions <= {AccessState.ALLOWED}


def test_a_lead_lifts_a_block_and_access_is_allowed_at_once(alice_tenant, leo, rachel):
    case = case_in(alice_tenant, S.ACCESS_BLOCKED)
    with pytest.raises(CaseActionError):
        actions.do_lift_block(case, actor=rachel, reason="x", days=3)
    case = actions.do_lift_block(case, actor=leo, reason="Customer fixed DNS", days=3)
    assert case.state == S.NOTIFIED
    assert AccessDecision.objects.get(website=case.website).state == AccessState.ALLOWED


def test_closing_as_deregistered(alice_tenant, rachel):
    case = case_in(alice_tenant, S.OVERDUE)
    case = actions.do_close_deregistered(case, actor=rachel, reason="Bureau deregistered it")
    assert case.state == S.CLOSED_DEREGISTERED and case.next_step_at is None


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (S.RESOLVED, "extend"),
        (S.CLOSED_DEREGISTERED, "extend"),
        (S.NOTIFIED, "lift"),
        (S.NOTIFIED, "approve_cancel"),
        (S.RESOLVED, "reinspect"),
        (S.ACCESS_CANCELLED, "close"),
        (S.RE_INSPECTING, "reinspect"),
    ],
)
def test_illegal_steps_are_refused_and_change_nothing(alice_tenant, alice, leo, state, step):
    case = case_in(alice_tenant, state)
    before = AuditEvent.objects.count()
    run = {
        "extend": lambda: actions.do_extend_case(case, actor=leo, days=3, reason="r"),
        "lift": lambda: actions.do_lift_block(case, actor=leo, reason="r", days=3),
        "approve_cancel": lambda: actions.do_approve_cancel(case, actor=leo, reason="r"),
        "reinspect": lambda: actions.do_request_reinspection(case, actor=alice),
        "close": lambda: actions.do_close_deregistered(case, actor=leo, reason="r"),
    }[step]
    with pytest.raises(CaseActionError):
        run()
    case.refresh_from_db()
    assert case.state == state
    assert AuditEvent.objects.count() == before


def test_the_state_cannot_be_set_by_hand(alice_tenant):
    case = case_in(alice_tenant, S.NOTIFIED)
    with pytest.raises(AttributeError):
        case.state = S.RESOLVED


def test_an_extension_needs_a_reason(alice_tenant, rachel):
    case = case_in(alice_tenant, S.NOTIFIED)
    with pytest.raises(CaseActionError):
        actions.do_extend_case(case, actor=rachel, days=3, reason=" ")


def reinspected(case, *results):
    """The case's re-inspection campaign finished with ``results``."""
    campaign = finished_campaign(scope="websites", scope_website_ids=[case.website_id])
    type(case).objects.filter(pk=case.pk).update(last_reinspection=campaign)
    inspected(campaign, case.website, *results)
    open_cases_for_campaign(campaign.pk)
    case.refresh_from_db()
    return case


def test_a_clean_reinspection_resolves_and_unblocks(alice_tenant):
    case = case_in(alice_tenant, S.ACCESS_BLOCKED)
    case = reinspected(case, ("domain_expiry", "pass", ""))
    assert case.state == S.RESOLVED
    assert case.findings.get().status == FindingStatus.PASSED
    assert AccessDecision.objects.get(website=case.website).state == AccessState.ALLOWED
    assert last_action(case) == "case.resolve"


def test_a_failing_reinspection_goes_back_to_notified_with_new_evidence(alice_tenant):
    case = case_in(alice_tenant, S.RE_INSPECTING)
    case = reinspected(case, ("domain_expiry", "fail", "blocking"))
    assert case.state == S.NOTIFIED
    assert case.findings.get().message == "domain_expiry is fail"
    assert last_action(case) == "case.still_failing"
    assert case.next_step_at is not None


def test_a_failing_reinspection_is_told_by_sms_too_once_per_reinspection(alice, alice_tenant):
    # GIVEN a case being re-inspected, of a website whose person in charge has a mobile
    case = case_in(alice_tenant, S.RE_INSPECTING)
    head = case.website.head
    assert head.mobile

    # WHEN the re-inspection still fails, and its results are taken in twice
    case = reinspected(case, ("domain_expiry", "fail", "blocking"))
    open_cases_for_campaign(case.last_reinspection_id)

    # THEN the customer is told once on every channel: in-app and e-mail to the owner,
    # SMS and e-mail to the person in charge
    notices = Notification.objects.filter(template_key="case_still_failing")
    assert sorted(notices.values_list("channel", "recipient_address")) == sorted(
        [("in_app", ""), ("email", alice.email), ("email", head.email), ("sms", head.mobile)]
    )
    sms = notices.get(channel="sms")
    assert sms.status == Notification.Status.QUEUED
    assert sms.context["site"] == case.website.name

    # WHEN a second re-inspection fails as well, a second SMS goes out
    type(case).objects.filter(pk=case.pk).update(state=S.RE_INSPECTING)
    reinspected(case, ("domain_expiry", "fail", "blocking"))
    assert notices.filter(channel="sms").count() == 2
