"""The contact self-inspection: a code by SMS proves a person's mobile is reachable."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from icpportal.models import AuditEvent
from notifications import delivery
from notifications.actions import (
    VerificationError,
    do_cancel_verification,
    do_check_verification,
    do_start_verification,
)
from notifications.models import Notification, PhoneVerification
from notifications.sms import locmem
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_sms(settings, monkeypatch):
    settings.SMS_BACKEND = "locmem"
    monkeypatch.setattr("notifications.outbox._kick_sender", lambda: None)
    from notifications.sms import get_sms_backend

    if hasattr(get_sms_backend, "cache_clear"):
        get_sms_backend.cache_clear()
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture
def person(alice_tenant):
    return PersonFactory(tenant=alice_tenant, mobile="+8613912345678")


def _sent_code() -> str:
    delivery.deliver_due()
    return re.search(r"\d{6}", locmem.outbox[-1].text).group(0)


def test_happy_path_stamps_the_person(alice, person):
    # GIVEN a code sent to the person's mobile
    verification = do_start_verification(person, actor=alice, client_ip="127.0.0.1")
    code = _sent_code()
    assert locmem.outbox[-1].to == "+8613912345678"
    # WHEN the right code is entered
    result = do_check_verification(verification.pk, code, actor=alice)
    # THEN it is approved and the person's mobile is stamped as verified
    assert result.ok and result.code == "approved"
    person.refresh_from_db()
    assert person.mobile_verified_at is not None
    assert PhoneVerification.objects.get().status == "approved"
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["phone_verification.start", "phone_verification.approve"]


def test_wrong_code_counts_down_and_locks_after_five(alice, person):
    verification = do_start_verification(person, actor=alice)
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    results = [do_check_verification(verification.pk, wrong, actor=alice) for _ in range(5)]
    assert [r.attempts_left for r in results[:4]] == [4, 3, 2, 1]
    assert results[4].code == "max_attempts"
    # Even the right code no longer works.
    assert do_check_verification(verification.pk, code, actor=alice).code == "not_pending"
    person.refresh_from_db()
    assert person.mobile_verified_at is None


def test_code_expires_after_ten_minutes(alice, person):
    verification = do_start_verification(person, actor=alice)
    code = _sent_code()
    with time_machine.travel(
        timezone.now() + datetime.timedelta(minutes=10, seconds=1), tick=False
    ):
        result = do_check_verification(verification.pk, code, actor=alice)
    assert result.code == "expired"
    assert PhoneVerification.objects.get().status == "expired"


def test_code_is_single_use(alice, person):
    verification = do_start_verification(person, actor=alice)
    code = _sent_code()
    assert do_check_verification(verification.pk, code, actor=alice).ok
    assert do_check_verification(verification.pk, code, actor=alice).code == "not_pending"


def test_resend_cancels_the_old_code(alice, person):
    first = do_start_verification(person, actor=alice)
    old_code = _sent_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        second = do_start_verification(person, actor=alice)
        new_code = _sent_code()
        first.refresh_from_db()
        assert first.status == "cancelled"
        assert do_check_verification(first.pk, old_code, actor=alice).code == "not_pending"
        assert do_check_verification(second.pk, new_code, actor=alice).ok


def test_send_limits_per_number(alice, person):
    start = timezone.now()
    do_start_verification(person, actor=alice)
    # A second code within the minute is refused with the time to wait.
    with pytest.raises(VerificationError) as refused:
        do_start_verification(person, actor=alice)
    assert refused.value.code == "throttled" and 1 <= refused.value.retry_after <= 61
    # Five per hour.
    for minute in range(1, 5):
        with time_machine.travel(start + datetime.timedelta(minutes=minute, seconds=5), tick=False):
            do_start_verification(person, actor=alice)
    with (
        time_machine.travel(start + datetime.timedelta(minutes=6)),
        pytest.raises(VerificationError) as hourly,
    ):
        do_start_verification(person, actor=alice)
    assert hourly.value.retry_after > 60 * 50
    # Ten per day.
    for hour in range(1, 2):
        for minute in range(5):
            when = start + datetime.timedelta(hours=hour, minutes=minute * 2, seconds=10)
            with time_machine.travel(when, tick=False):
                do_start_verification(person, actor=alice)
    with (
        time_machine.travel(start + datetime.timedelta(hours=3)),
        pytest.raises(VerificationError) as daily,
    ):
        do_start_verification(person, actor=alice)
    assert daily.value.retry_after > 3600 * 20


def test_per_ip_limit(alice, alice_tenant):
    start = timezone.now()
    for n in range(30):
        with time_machine.travel(start + datetime.timedelta(seconds=n), tick=False):
            do_start_verification(
                PersonFactory(tenant=alice_tenant), actor=None, client_ip="198.51.100.9"
            )
    with pytest.raises(VerificationError) as refused:
        do_start_verification(
            PersonFactory(tenant=alice_tenant), actor=None, client_ip="198.51.100.9"
        )
    assert refused.value.code == "throttled"


def test_landline_is_rejected_with_a_clear_error(alice, alice_tenant):
    person = PersonFactory(tenant=alice_tenant, mobile="+861062345678")
    with pytest.raises(VerificationError) as refused:
        do_start_verification(person, actor=alice)
    assert refused.value.code == "landline"
    assert PhoneVerification.objects.count() == 0 and Notification.objects.count() == 0


def test_no_code_in_clear_anywhere_in_the_database(alice, person):
    verification = do_start_verification(person, actor=alice)
    code = _sent_code()
    do_check_verification(verification.pk, "999999" if code != "999999" else "000000", actor=alice)
    with connection.cursor() as cursor:
        for table in (
            "notifications_phoneverification",
            "notifications_notification",
            "icpportal_auditevent",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            for row in cursor.fetchall():
                assert code not in " ".join(str(value) for value in row), table


def test_cancel(alice, person):
    verification = do_start_verification(person, actor=alice)
    do_cancel_verification(verification.pk, actor=alice)
    verification.refresh_from_db()
    assert verification.status == "cancelled"


def test_status_cannot_be_set_directly(alice, person):
    verification = do_start_verification(person, actor=alice)
    with pytest.raises(AttributeError):
        verification.status = "approved"
