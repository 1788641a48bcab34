"""Setting up and checking the second factor of a staff login.

Each action runs in one transaction and writes an audit row: setting up the
authenticator app, issuing new recovery codes, using a recovery code, entering a
wrong code. A mistake the user can make comes back as a :class:`SecondFactorResult`
with a message in their language. django-otp's throttling applies to every check:
after each wrong code the next one is refused for twice as long as the last.

Recovery codes are stored as keyed hashes (in django-otp's ``StaticToken``), so a
copy of the table reveals none of them; a code is deleted when it is used.
"""

from __future__ import annotations

import math
import re
import secrets
from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from icpportal import audit
from icpportal.crypto import keyed_hash

AUTHENTICATOR_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10
# No 0/o and 1/i/l: a code read back from paper is typed without doubt.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
TOTP_CODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class SecondFactorResult:
    """How a second-factor action ended. ``recovery_codes`` are present once: in the
    answer to the action that issued them."""

    ok: bool
    code: str
    message: str = ""
    device: Device | None = None
    recovery_codes: tuple[str, ...] = ()
    retry_after: int = 0

    def __bool__(self) -> bool:
        return self.ok


def normalise_code(raw: str) -> str:
    """A code as typed, without spaces and hyphens, in lower case."""
    return re.sub(r"[\s-]", "", raw or "").lower()


def new_recovery_code() -> str:
    chars = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{chars[:5]}-{chars[5:]}"


def recovery_code_hash(code: str) -> str:
    """What is stored for a recovery code: its keyed hash, cut to the 16 characters
    (64 bits) a ``StaticToken`` holds."""
    return keyed_hash(normalise_code(code), purpose="recovery-code")[:16]


def authenticator_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in (base32)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def authenticator_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: a new secret, unconfirmed until a code from the
    app matches it. The same one is shown again until then."""
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("id").first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__name=RECOVERY_DEVICE_NAME, device__confirmed=True
    ).count()


def _refused(code: str, message: str, device: Device | None = None) -> SecondFactorResult:
    return SecondFactorResult(False, code, str(message), device)


def _throttled(device: Device) -> SecondFactorResult | None:
    """The refusal while django-otp's throttling holds ``device`` back, else None."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until") or timezone.now()
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    message = ngettext(
        "Too many wrong codes. Wait %(n)d second, then try again.",
        "Too many wrong codes. Wait %(n)d seconds, then try again.",
        seconds,
    ) % {"n": seconds}
    return SecondFactorResult(False, "throttled", message, device, retry_after=seconds)


def _wrong_code(user, device: Device, kind: str) -> SecondFactorResult:
    audit.record(
        "two_factor.verify_failed",
        device,
        actor=user,
        after={"kind": kind, "failures": getattr(device, "throttling_failure_count", 0)},
    )
    return _refused("wrong_code", _("The code is wrong, has expired or was already used."), device)


def _issue_recovery_codes(user) -> tuple[StaticDevice, tuple[str, ...]]:
    """New recovery codes for ``user``; the old ones stop working."""
    device, _created = StaticDevice.objects.select_for_update().get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    codes = tuple(new_recovery_code() for _ in range(RECOVERY_CODE_COUNT))
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_hash(code)) for code in codes
    )
    return device, codes


def do_confirm_authenticator(user, device_id: int, code: str) -> SecondFactorResult:
    """Confirm the authenticator being set up with a code the app shows; ten recovery
    codes come with it."""
    with transaction.atomic():
        if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            return _refused("already_set_up", _("Your authenticator app is already set up."))
        device = (
            TOTPDevice.objects.devices_for_user(user, confirmed=False)
            .select_for_update()
            .filter(pk=device_id)
            .first()
        )
        if device is None:
            return _refused(
                "no_pending", _("This set-up has ended. Scan the new QR code and try again.")
            )
        refusal = _throttled(device)
        if refusal is not None:
            return refusal
        if not device.verify_token(normalise_code(code)):
            return _wrong_code(user, device, "authenticator")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _recovery, codes = _issue_recovery_codes(user)
        audit.record(
            "two_factor.setup",
            device,
            actor=user,
            after={"device": device.name, "recovery_codes": len(codes)},
        )
    return SecondFactorResult(True, "set_up", _("Your authenticator app is set up."), device, codes)


def do_regenerate_recovery_codes(user, *, actor=None) -> SecondFactorResult:
    """Ten new recovery codes for ``user``; the old ones stop working at once."""
    with transaction.atomic():
        if authenticator_of(user) is None:
            return _refused("no_device", _("Set up your authenticator app first."))
        device, codes = _issue_recovery_codes(user)
        audit.record(
            "two_factor.recovery_codes",
            device,
            actor=actor or user,
            after={"recovery_codes": len(codes)},
        )
    return SecondFactorResult(
        True,
        "regenerated",
        _("New recovery codes were made. The old ones no longer work."),
        device,
        codes,
    )


def do_verify_second_factor(user, code: str) -> SecondFactorResult:
    """Check a code from the authenticator app (six digits) or a recovery code; the
    answer names the device that accepted it."""
    token = normalise_code(code)
    kind = "authenticator" if TOTP_CODE.fullmatch(token) else "recovery_code"
    with transaction.atomic():
        authenticator = (
            TOTPDevice.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .order_by("id")
            .first()
        )
        if authenticator is None:
            return _refused("no_device", _("Set up your authenticator app first."))
        device: Device | None = authenticator
        if kind == "recovery_code":
            device = (
                StaticDevice.objects.devices_for_user(user, confirmed=True)
                .select_for_update()
                .filter(name=RECOVERY_DEVICE_NAME)
                .first()
            )
            if device is None:
                return _wrong_code(user, authenticator, kind)
            token = recovery_code_hash(token)
        refusal = _throttled(device)
        if refusal is not None:
            return refusal
        if not device.verify_token(token):
            return _wrong_code(user, device, kind)
        if kind == "authenticator":
            return SecondFactorResult(True, "verified", "", device)
        left = device.token_set.count()
        audit.record(
            "two_factor.recovery_code_used",
            device,
            actor=user,
            after={"recovery_codes_left": left},
        )
    message = ngettext(
        "You logged in with a recovery code; %(n)d is left. Make new ones when few remain.",
        "You logged in with a recovery code; %(n)d are left. Make new ones when few remain.",
        left,
    ) % {"n": left}
    return SecondFactorResult(True, "recovery_code_used", message, device)


def do_provision_second_factor(user) -> SecondFactorResult:
    """A confirmed authenticator with a new secret and ten recovery codes, set up on the
    user's behalf (the demo logins); an existing authenticator is kept."""
    with transaction.atomic():
        device = authenticator_of(user)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
        _recovery, codes = _issue_recovery_codes(user)
        audit.record(
            "two_factor.setup",
            device,
            actor=None,
            after={"device": device.name, "recovery_codes": len(codes)},
        )
    return SecondFactorResult(True, "set_up", _("The authenticator is set up."), device, codes)
