"""The outbox: notifications commit with their event, are sent once, retried, given up."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications import delivery
from notifications.models import Notification
from notifications.outbox import notify
from notifications.sms import SmsPermanentError, SmsTransientError, locmem
from tests.factories import TenantFactory


@pytest.fixture(autouse=True)
def _locmem_channels(settings):
    settings.SMS_BACKEND = "locmem"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    locmem.outbox.clear()
    from notifications.sms import get_sms_backend

    if hasattr(get_sms_backend, "cache_clear"):
        get_sms_backend.cache_clear()
    yield
    locmem.outbox.clear()


@pytest.fixture
def no_kick(monkeypatch):
    """Keep the on-commit kick from reaching a broker: tests drive delivery themselves."""
    kicks = []
    monkeypatch.setattr("notifications.outbox._kick_sender", lambda: kicks.append(1))
    return kicks


def _sms(text="Hello", dedup=None, **kwargs):
    return notify(
        "sms",
        "generic",
        address="+8613812345678",
        context={"subject": "s", "text": text},
        dedup_key=dedup,
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_rolled_back_event_leaves_no_notification(no_kick):
    # GIVEN an event whose transaction fails after queueing a notification
    with pytest.raises(RuntimeError), transaction.atomic():
        _sms()
        raise RuntimeError("the event failed")
    # THEN nothing was queued and no delivery was started
    assert Notification.objects.count() == 0
    assert no_kick == []


@pytest.mark.django_db(transaction=True)
def test_committed_event_queues_and_kicks_delivery(no_kick):
    with transaction.atomic():
        _sms()
    assert Notification.objects.get().status == "queued"
    assert no_kick == [1]


@pytest.mark.django_db
def test_dedup_key_notifies_once(no_kick):
    assert _sms(dedup="case:1:half") is not None
    assert _sms(dedup="case:1:half") is None
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_delivery_sends_sms_and_email_once(no_kick):
    _sms("Hello there")
    notify(
        "email",
        "generic",
        address="ops@example.com",
        context={"subject": "Subject line", "text": "Body text"},
        language="en",
    )
    assert delivery.deliver_due() == 2
    assert [m.to for m in locmem.outbox] == ["+8613812345678"]
    assert locmem.outbox[0].text.endswith("Hello there")
    assert mail.outbox[0].subject == "Subject line" and mail.outbox[0].to == ["ops@example.com"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    # A second run finds nothing to send.
    assert delivery.deliver_due() == 0
    assert len(locmem.outbox) == 1


@pytest.mark.django_db
def test_transient_errors_retry_with_backoff_then_give_up(no_kick, monkeypatch):
    calls = []

    def flaky(self, to, text, *, template_key, params):
        calls.append(to)
        raise SmsTransientError("gateway timeout")

    monkeypatch.setattr(locmem.LocmemSmsBackend, "send", flaky)
    row = _sms()
    start = timezone.now()
    delays = []
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        with time_machine.travel(start + datetime.timedelta(hours=attempt * 2), tick=False):
            assert delivery.deliver_due() == 1
            row.refresh_from_db()
            if row.status == "queued":
                delays.append((row.next_attempt_at - timezone.now()).total_seconds())
    # THEN the delays doubled, capped, and the row failed with the reason
    assert delays == [30, 60, 120, 240, 480]
    assert row.status == "failed" and row.attempts == delivery.MAX_ATTEMPTS
    assert "gateway timeout" in row.last_error
    assert len(calls) == delivery.MAX_ATTEMPTS


@pytest.mark.django_db
def test_permanent_error_fails_at_once(no_kick, monkeypatch):
    def refuse(self, to, text, *, template_key, params):
        raise SmsPermanentError("invalid number")

    monkeypatch.setattr(locmem.LocmemSmsBackend, "send", refuse)
    row = _sms()
    delivery.deliver_due()
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 1 and "invalid number" in row.last_error


@pytest.mark.django_db
def test_a_row_not_yet_due_is_not_sent(no_kick):
    row = _sms()
    Notification.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert delivery.deliver_due() == 0


@pytest.mark.django_db
def test_stale_sending_rows_are_released(no_kick):
    row = _sms()
    assert delivery.claim_due() != []
    later = timezone.now() + delivery.SENDING_LEASE + datetime.timedelta(seconds=1)
    assert delivery.release_stale(now=later) == 1
    row.refresh_from_db()
    assert row.status == "queued"


@pytest.mark.django_db
def test_in_app_notifications_are_delivered_on_write(alice, no_kick):
    row = notify(
        "in_app",
        "generic",
        recipient_user=alice,
        context={"subject": "Case opened", "text": "Fix it"},
    )
    assert row.status == "sent" and row.body == "Fix it"
    assert no_kick == []


@pytest.mark.django_db
def test_secret_context_is_encrypted_and_wiped_after_sending(no_kick):
    row = notify(
        "sms",
        "phone_verification_code",
        address="+8613812345678",
        context={"minutes": 10},
        secret_context={"code": "493817"},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_context, context::text, body FROM "
            "notifications_notification WHERE id = %s",
            [row.pk],
        )
        raw = " ".join(cursor.fetchone())
    assert "493817" not in raw
    delivery.deliver_due()
    assert "493817" in locmem.outbox[0].text
    row.refresh_from_db()
    assert row.secret_context == "" and "493817" not in row.body and row.status == "sent"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_never_send_a_row_twice(no_kick, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")  # the suite runs on PostgreSQL in CI
    # GIVEN 60 queued messages
    tenant = TenantFactory()
    for n in range(60):
        _sms(f"m{n}", tenant=tenant)
    sent: list[str] = []
    lock = threading.Lock()

    def slow_send(self, to, text, *, template_key, params):
        with lock:
            sent.append(text)
        return "id"

    monkeypatch.setattr(locmem.LocmemSmsBackend, "send", slow_send)
    barrier = threading.Barrier(2)

    def sender():
        barrier.wait()
        try:
            while delivery.deliver_due(limit=5):
                pass
        finally:
            connection.close()

    # WHEN two senders run at the same time
    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # THEN every message was sent exactly once
    assert len(sent) == 60 and len(set(sent)) == 60
    assert Notification.objects.filter(status="sent").count() == 60
