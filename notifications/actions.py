"""Phone verification (the contact self-inspection): start, check and cancel.

Pages and the API call these; each runs in one transaction and writes an audit row.
The code is made by a CSPRNG, sent by SMS through the outbox (encrypted there until
sent) and kept only as an HMAC; it never reaches logs, audit rows, pages or the API.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from filings.models import Person
from filings.validators import normalize_phone, phone_type
from icpportal import audit
from notifications.models import Notification, PhoneVerification
from notifications.outbox import notify
from notifications.throttles import check_send_limits

CODE_VALIDITY = datetime.timedelta(minutes=10)
MAX_WRONG_ENTRIES = 5
_HMAC_SALT = "icpportal.notifications.phone-verification"


class VerificationError(Exception):
    """A verification could not start; ``code`` says why, ``retry_after`` when to retry."""

    def __init__(self, message: str, code: str, retry_after: int | None = None):
        super().__init__(message)
        self.message, self.code, self.retry_after = message, code, retry_after


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    status: str
    code: str  # "approved", "wrong_code", "expired", "max_attempts", "not_pending"
    message: str
    attempts_left: int = 0


def _code_hmac(salt: str, code: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _status_change(verification: PhoneVerification, action: str, actor, before: str) -> None:
    audit.record(
        action,
        verification,
        actor=actor,
        before={"status": before},
        after={"status": verification.status, "phone": verification.phone},
    )


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "Please wait %(n)d second before requesting another code.",
            "Please wait %(n)d seconds before requesting another code.",
            seconds,
        ) % {"n": seconds}
    minutes = (seconds + 59) // 60
    return ngettext(
        "Too many codes requested. Please try again in %(n)d minute.",
        "Too many codes requested. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def do_start_verification(
    person: Person,
    *,
    actor,
    client_ip: str | None = None,
    purpose: str = PhoneVerification.Purpose.SELF_INSPECTION,
) -> PhoneVerification:
    """Send a new code to ``person``'s mobile, cancelling any code still pending."""
    if phone_type(person.mobile or "") != "mobile":
        if phone_type(person.mobile or "") is None:
            raise VerificationError(_("This is not a valid mobile number."), "invalid_phone")
        raise VerificationError(
            _("This is a landline number; only mobile numbers can be verified by SMS."),
            "landline",
        )
    phone = normalize_phone(person.mobile)
    with transaction.atomic():
        # Lock the person: concurrent sends for one person are serialised, so the
        # limits below cannot be slipped under.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        throttled = check_send_limits(phone=phone, user=actor, client_ip=client_ip)
        if throttled is not None:
            raise VerificationError(
                _wait_message(throttled.retry_after), "throttled", retry_after=throttled.retry_after
            )
        for old in PhoneVerification.objects.select_for_update().filter(
            person=person, status=PhoneVerification.Status.PENDING
        ):
            old.cancel()
            old.finished_at = timezone.now()
            old.save()
            _status_change(old, "phone_verification.cancel", actor, "pending")
        code, salt = _new_code(), secrets.token_hex(16)
        verification = PhoneVerification.objects.create(
            tenant_id=person.tenant_id,
            person=person,
            phone=phone,
            purpose=purpose,
            code_salt=salt,
            code_hmac=_code_hmac(salt, code),
            expires_at=timezone.now() + CODE_VALIDITY,
            created_by=actor if actor is not None and actor.pk else None,
            client_ip=client_ip,
        )
        minutes = int(CODE_VALIDITY.total_seconds() // 60)
        notify(
            Notification.Channel.SMS,
            "phone_verification_code",
            address=phone,
            tenant=person.tenant,
            context={"minutes": minutes},
            secret_context={"code": code},
            dedup_key=f"phone_verification:{verification.pk}",
        )
        audit.record(
            "phone_verification.start",
            verification,
            actor=actor,
            after={"status": verification.status, "phone": phone, "purpose": purpose},
        )
    return verification


def _finished_message(status: str) -> str:
    """Why a code that is no longer pending cannot be entered, by how it ended."""
    S = PhoneVerification.Status
    if status == S.APPROVED:
        return _("This code was already used. Request a new code to verify again.")
    if status == S.EXPIRED:
        return _("The code has expired. Request a new code.")
    if status == S.MAX_ATTEMPTS:
        return _("Too many wrong codes. Request a new code.")
    if status == S.CANCELLED:
        return _("A newer code was requested: enter the code from the latest SMS.")
    return _("This code is no longer valid. Request a new code.")


def do_check_verification(verification_id: int, code: str, *, actor) -> CheckResult:
    """Compare an entered code; approve, count a wrong entry, expire or lock."""
    entered = (code or "").strip()
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .select_related("person")
            .get(pk=verification_id)
        )
        if verification.status != PhoneVerification.Status.PENDING:
            return CheckResult(
                False, verification.status, "not_pending", _finished_message(verification.status)
            )
        now = timezone.now()
        if now >= verification.expires_at:
            verification.expire()
            verification.finished_at = now
            verification.save()
            _status_change(verification, "phone_verification.expire", actor, "pending")
            return CheckResult(
                False,
                verification.status,
                "expired",
                _("The code has expired. Request a new code."),
            )
        if hmac.compare_digest(_code_hmac(verification.code_salt, entered), verification.code_hmac):
            verification.approve()
            verification.finished_at = now
            verification.save()
            person = verification.person
            if normalize_phone(person.mobile) == verification.phone:
                Person.objects.filter(pk=person.pk).update(mobile_verified_at=now)
            _status_change(verification, "phone_verification.approve", actor, "pending")
            return CheckResult(
                True, verification.status, "approved", _("The mobile number is verified.")
            )
        verification.attempts += 1
        left = MAX_WRONG_ENTRIES - verification.attempts
        if left <= 0:
            verification.lock()
            verification.finished_at = now
            verification.save()
            _status_change(verification, "phone_verification.max_attempts", actor, "pending")
            return CheckResult(
                False,
                verification.status,
                "max_attempts",
                _("Too many wrong codes. Request a new code."),
            )
        verification.save(update_fields=["attempts"])
        audit.record(
            "phone_verification.wrong_code",
            verification,
            actor=actor,
            after={"attempts": verification.attempts},
        )
        return CheckResult(
            False,
            verification.status,
            "wrong_code",
            ngettext("Wrong code. %(n)d try left.", "Wrong code. %(n)d tries left.", left)
            % {"n": left},
            attempts_left=left,
        )


def do_cancel_verification(verification_id: int, *, actor) -> PhoneVerification:
    """Give up a pending code (the user closed the dialog)."""
    with transaction.atomic():
        verification = PhoneVerification.objects.select_for_update().get(pk=verification_id)
        if verification.status == PhoneVerification.Status.PENDING:
            verification.cancel()
            verification.finished_at = timezone.now()
            verification.save()
            _status_change(verification, "phone_verification.cancel", actor, "pending")
    return verification
