"""A pending transfer whose rectification case runs out: the case ends as
``transfer_cancelled``, the transfer application itself ends, the customer is told,
and the gate's decision survives the reconcile exactly as the escalation wrote it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, Website
from icpportal.models import AuditEvent
from inspections.enforcement.escalation import escalate_due_cases
from inspections.gate import reasons
from inspections.gate.reconcile import reconcile
from inspections.models import AccessDecision, CaseState, RectificationCase
from notifications.models import Notification
from tests import factories
from tests.inspections import gate_fixtures
from tests.inspections.cases_helpers import website_of
from tests.inspections.gate_fixtures import decision_in_redis

gate_redis = gate_fixtures.gate_redis
pytestmark = pytest.mark.django_db
S = CaseState


def pending_transfer_case(tenant, owner, host: str, status: str) -> RectificationCase:
    """A website reachable here for a transfer the bureau is reviewing (``status``),
    whose case was blocked 30 days ago: the grace period is over."""
    website = website_of(tenant, domain=host, access_state="transfer_pending")
    application = factories.ApplicationFactory(
        tenant=tenant,
        kind=ApplicationKind.TRANSFER,
        website=website,
        entity=website.entity,
        created_by=owner,
    )
    # The status is protected: the provider and MIIT steps before it are not the subject.
    Application.objects.filter(pk=application.pk).update(status=status)
    now = timezone.now()
    return factories.RectificationCaseFactory(
        website=website,
        state=S.ACCESS_BLOCKED,
        opened_at=now - timedelta(days=40),
        deadline=now - timedelta(days=30),
        blocked_at=now - timedelta(days=30),
        next_step_at=now - timedelta(days=20),
    )


@pytest.mark.parametrize(
    "status", [ApplicationStatus.SMS_VERIFICATION, ApplicationStatus.BUREAU_REVIEW]
)
def test_the_pending_transfer_application_ends_with_its_case(
    alice, alice_tenant, settings, status, django_capture_on_commit_callbacks
):
    # GIVEN a transfer pending with the bureau whose case ran out (no four-eyes)
    settings.ENFORCEMENT_FOUR_EYES = False
    case = pending_transfer_case(alice_tenant, alice, "moving.example.com", status)
    application = Application.objects.get(website=case.website)

    # WHEN the minute scan runs, twice
    with django_capture_on_commit_callbacks(execute=True):
        escalate_due_cases(time_budget=30)
        escalate_due_cases(time_budget=30)

    # THEN the case is transfer_cancelled and the application withdrawn by the provider
    case.refresh_from_db()
    application.refresh_from_db()
    assert case.state == S.TRANSFER_CANCELLED
    assert application.status == ApplicationStatus.WITHDRAWN
    # AND the transfer's access ended, with one audit row each, written by the system
    assert Website.objects.get(pk=case.website_id).access_state == "not_accessed"
    trail = AuditEvent.objects.filter(
        object_id=str(application.pk), object_type="filings.application"
    )
    withdrawal = trail.get(action="application.withdraw_for_overdue_case")
    assert withdrawal.actor_id is None
    assert withdrawal.before == {"status": status}
    assert f"#{case.pk}" in withdrawal.reason
    assert AuditEvent.objects.filter(action="website.transfer_ended").count() == 1
    # AND the customer was told once, in-app and by e-mail, naming the case
    notices = Notification.objects.filter(template_key="application_transfer_cancelled")
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "in_app"]
    assert all(n.recipient_user_id == alice.pk for n in notices)
    assert f"#{case.pk}" in notices.get(channel="in_app").body


def test_a_transfer_already_decided_is_left_alone(alice, alice_tenant, settings):
    # GIVEN the transfer application was rejected meanwhile (its access still pending)
    settings.ENFORCEMENT_FOUR_EYES = False
    case = pending_transfer_case(
        alice_tenant, alice, "late.example.com", ApplicationStatus.REJECTED
    )

    # WHEN the case runs out
    escalate_due_cases(time_budget=30)

    # THEN the case ends as transfer_cancelled and the rejected application is untouched
    case.refresh_from_db()
    assert case.state == S.TRANSFER_CANCELLED
    assert Application.objects.get(website=case.website).status == ApplicationStatus.REJECTED
    assert not AuditEvent.objects.filter(action="application.withdraw_for_overdue_case").exists()


def test_reconcile_after_a_transfer_cancellation_leaves_the_same_decision(
    alice, alice_tenant, settings, gate_redis, time_machine, django_capture_on_commit_callbacks
):
    # GIVEN a pending transfer cancelled by the escalation, its decision published
    settings.ENFORCEMENT_FOUR_EYES = False
    case = pending_transfer_case(
        alice_tenant, alice, "moving.example.com", ApplicationStatus.BUREAU_REVIEW
    )
    with django_capture_on_commit_callbacks(execute=True):
        escalate_due_cases(time_budget=30)
    published = decision_in_redis(gate_redis, "moving.example.com")
    assert published == {"s": "cancelled", "r": reasons.TRANSFER_CANCELLED, "c": case.pk}
    row = AccessDecision.objects.get(host="moving.example.com")

    # WHEN the periodic reconcile runs once the decision has settled
    time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
    reconcile()

    # THEN the database and Redis hold the same decision as before
    after = AccessDecision.objects.get(host="moving.example.com")
    assert (after.state, after.reason, after.case_id, after.updated_at) == (
        "cancelled",
        reasons.TRANSFER_CANCELLED,
        case.pk,
        row.updated_at,
    )
    assert decision_in_redis(gate_redis, "moving.example.com") == published


def test_reconcile_after_a_block_and_a_cancel_leaves_what_the_escalation_published(
    alice_tenant, settings, gate_redis, time_machine, django_capture_on_commit_callbacks
):
    # GIVEN one overdue case and one whose grace period is over, escalated and published
    settings.ENFORCEMENT_FOUR_EYES = False
    now = timezone.now()
    overdue = factories.RectificationCaseFactory(
        website=website_of(alice_tenant, domain="late.example.com"),
        state=S.OVERDUE,
        opened_at=now - timedelta(days=15),
        deadline=now - timedelta(hours=1),
        next_step_at=now - timedelta(hours=1),
    )
    blocked = factories.RectificationCaseFactory(
        website=website_of(alice_tenant, domain="gone.example.com"),
        state=S.ACCESS_BLOCKED,
        opened_at=now - timedelta(days=40),
        deadline=now - timedelta(days=30),
        blocked_at=now - timedelta(days=30),
        next_step_at=now - timedelta(days=20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        escalate_due_cases(time_budget=30)
    published = {
        host: decision_in_redis(gate_redis, host)
        for host in ("late.example.com", "gone.example.com")
    }
    assert published == {
        "late.example.com": {"s": "blocked", "r": reasons.BLOCKED, "c": overdue.pk},
        "gone.example.com": {"s": "cancelled", "r": reasons.CANCELLED, "c": blocked.pk},
    }

    # WHEN the reconcile runs later
    time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
    result = reconcile()

    # THEN it changed nothing
    assert result.changed == 0 and result.unfiled == 0
    assert {h: decision_in_redis(gate_redis, h) for h in published} == published
