"""Idle drafts: reminders after 30 and 40 days (once each), expiry after 45."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from filings.applications.actions import (
    do_create_application,
    do_expire_draft,
    do_save_draft,
    do_submit,
)
from filings.choices import ApplicationKind, ApplicationStatus
from filings.tasks.applications import remind_and_expire_drafts
from icpportal.models import AuditEvent
from inspections.rules import default_registry
from notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory, first_filing_payload, website_payload

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _no_rules(monkeypatch):
    monkeypatch.setattr(default_registry, "_rules", {})


@pytest.fixture
def carol(alice_tenant):
    """A member (not an owner) of alice's account."""
    user = UserFactory(username="carol")
    MembershipFactory(user=user, tenant=alice_tenant, role="member")
    return user


@pytest.fixture
def draft(alice, alice_tenant, carol):
    """A draft carol started on START and then left alone."""
    with time_machine.travel(START, tick=False):
        return do_create_application(
            alice_tenant, ApplicationKind.FIRST_FILING, actor=carol
        ).application


def run_on(day: int, hour: int = 0):
    with time_machine.travel(START + datetime.timedelta(days=day, hours=hour), tick=False):
        return remind_and_expire_drafts()


def reminders() -> list[tuple[str, str, str]]:
    return sorted(
        Notification.objects.filter(template_key="draft_reminder").values_list(
            "recipient_user__username", "channel", "context__days"
        )
    )


def test_nothing_happens_before_day_30(draft):
    assert run_on(29, 23) == {"expired": 0, "reminded": 0}
    assert reminders() == []


def test_reminders_on_day_30_and_40_reach_owners_and_the_author_once_each(draft, alice):
    # WHEN the job runs hourly around day 30
    run_on(30)
    run_on(30, 1)
    run_on(35)

    # THEN the owner and the member who started it got one in-app and one e-mail each
    assert reminders() == [
        ("alice", "email", "30"),
        ("alice", "in_app", "30"),
        ("carol", "email", "30"),
        ("carol", "in_app", "30"),
    ]
    notice = Notification.objects.get(
        template_key="draft_reminder", channel="in_app", recipient_user=alice
    )
    assert "2026-04-16" in notice.subject  # START + 45 days

    # WHEN it runs on day 40 and after
    run_on(40)
    run_on(41)

    # THEN the second reminder went out once
    assert [r for r in reminders() if r[2] == "40"] == [
        ("alice", "email", "40"),
        ("alice", "in_app", "40"),
        ("carol", "email", "40"),
        ("carol", "in_app", "40"),
    ]


def test_a_draft_expires_on_day_45(draft, alice):
    assert run_on(44, 23)["expired"] == 0

    assert run_on(45) == {"expired": 1, "reminded": 0}

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.EXPIRED
    event = AuditEvent.objects.get(action="application.expire")
    assert event.actor_label == "system" and event.after["status"] == "expired"
    assert Notification.objects.filter(
        template_key="draft_expired", channel="in_app", recipient_user=alice
    ).exists()
    # AND running again changes nothing
    assert run_on(46)["expired"] == 0
    assert AuditEvent.objects.filter(action="application.expire").count() == 1


def test_a_change_starts_the_count_again(draft, carol):
    # GIVEN carol edits the draft on day 35, after the first reminder
    run_on(30)
    with time_machine.travel(START + datetime.timedelta(days=35), tick=False):
        assert do_save_draft(draft, "website", website_payload(751), actor=carol).ok

    # THEN day 40 and day 45 of the old count pass quietly
    assert run_on(40) == {"expired": 0, "reminded": 0}
    assert run_on(45)["expired"] == 0

    # AND the new count reminds 30 days after the edit and expires it after 45
    assert run_on(65)["reminded"] > 0
    assert run_on(80)["expired"] == 1


def test_a_submitted_application_neither_reminds_nor_expires(alice, alice_tenant):
    with time_machine.travel(START, tick=False):
        application = do_create_application(
            alice_tenant,
            ApplicationKind.FIRST_FILING,
            actor=alice,
            payload=first_filing_payload(752),
        ).application
        assert do_submit(application, actor=alice).ok

    assert run_on(60) == {"expired": 0, "reminded": 0}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PROVIDER_REVIEW


def test_expiring_a_fresh_draft_is_refused(draft):
    with time_machine.travel(START + datetime.timedelta(days=10), tick=False):
        result = do_expire_draft(draft, now=timezone.now())
    assert not result.ok and result.code == "not_due"
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
