"""The messages the portal sends, per event, in the recipient's language.

Each event has an e-mail subject and body, an in-app text and an SMS text. SMS texts
stay within one message (70 characters when any Chinese character is present, else
160 GSM characters), signature included; ``tests/notifications`` checks every event.
Tencent Cloud SMS needs an approved template per event: its id comes from
``ICP_SMS_TEMPLATE_IDS`` (``event=id,…``) and its parameters from ``sms_params``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GSM_CHARSET = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class Event:
    key: str
    subject: Promise | str
    body: Promise | str
    sms: Promise | str | None = None
    # Names of the context values passed, in order, as Tencent template parameters.
    sms_params: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    sms: str


EVENTS: dict[str, Event] = {}


def _event(event: Event) -> Event:
    EVENTS[event.key] = event
    return event


_event(
    Event(
        key="phone_verification_code",
        subject=_("Your verification code"),
        body=_(
            "Your verification code is {code}. It is valid for {minutes} minutes. "
            "Do not share it with anyone."
        ),
        sms=_("Verification code {code}, valid for {minutes} min."),
        sms_params=("code", "minutes"),
    )
)
_event(
    Event(
        key="phone_verified",
        subject=_("Contact number verified"),
        body=_("The mobile number {phone} of {person} was verified."),
    )
)
_event(
    Event(
        key="generic",
        # Free text written by staff: nothing to translate.
        subject="{subject}",
        body="{text}",
        sms="{text}",
        sms_params=("text",),
    )
)


def register(event: Event) -> Event:
    """Add an event (later parts of the portal add theirs at import time)."""
    if event.key in EVENTS:
        raise ValueError(f"Notification event {event.key!r} is registered twice.")
    return _event(event)


def sms_limit(text: str) -> int:
    """How many characters fit in one SMS for this text (UCS-2 or GSM 03.38)."""
    return 160 if all(char in GSM_CHARSET for char in text) else 70


def with_signature(text: str) -> str:
    return f"{settings.SMS_SIGNATURE}{text}"


def render(key: str, context: dict, language: str) -> RenderedMessage:
    """The subject, body and SMS text of ``key`` in ``language``."""
    event = EVENTS[key]
    with translation.override(language):
        subject = str(event.subject).format(**context)
        body = str(event.body).format(**context)
        sms = with_signature(str(event.sms).format(**context)) if event.sms else ""
    return RenderedMessage(subject=subject, body=body, sms=sms)


def sms_params(key: str, context: dict) -> dict[str, str]:
    """The event's template parameters, in the order its Tencent template expects."""
    return {name: str(context[name]) for name in EVENTS[key].sms_params}


# --- Customer accounts (icpportal.accounts) ---
register(
    Event(
        key="account_welcome",
        subject=_("Welcome to the {provider} ICP filing portal"),
        body=_(
            "Your customer account {tenant} is ready. Start your first ICP filing from the "
            "dashboard, and invite colleagues under Members."
        ),
    )
)
register(
    Event(
        key="account_invitation",
        subject=_("{inviter} invited you to {tenant} on the {provider} ICP filing portal"),
        body=_(
            "{inviter} invited you to join the customer account {tenant} on the {provider} "
            "ICP filing portal as {role}.\n\n"
            "Open this link to accept:\n{url}\n\n"
            "The link works once and expires on {expires}. If you did not expect this "
            "invitation, you can ignore this e-mail."
        ),
    )
)
register(
    Event(
        key="account_member_joined",
        subject=_("{user} joined {tenant}"),
        body=_("{user} accepted your invitation and can now work on the filings of {tenant}."),
    )
)
register(
    Event(
        key="account_password_changed",
        subject=_("Your password was changed"),
        body=_(
            "The password of your login {username} on the {provider} ICP filing portal was "
            "changed on {when}.\n\n"
            "If you did not do this, reset your password at once and tell us: {contact}."
        ),
    )
)


# ---- Filing applications (filings.applications) -----------------------------------------

register(
    Event(
        key="application_submitted",
        subject=_("Application #{number} submitted"),
        body=_(
            "Your application #{number} ({kind}) was submitted. The provider reviews it "
            "within about one working day."
        ),
    )
)
register(
    Event(
        key="application_returned",
        subject=_("Application #{number} needs changes"),
        body=_(
            "Your application #{number} ({kind}) was returned for changes: {reasons} "
            "Correct it and submit it again."
        ),
    )
)
register(
    Event(
        key="application_passed",
        subject=_("Application #{number} passed provider review"),
        body=_("Your application #{number} ({kind}) passed the provider's review. {next_step}"),
    )
)
register(
    Event(
        key="miit_verification_code",
        subject=_("MIIT filing verification code"),
        body=_(
            "Your MIIT filing verification code as {role} is {code}. It is valid for "
            "24 hours. Do not share it with anyone."
        ),
        sms=_("MIIT filing code {code} ({role}), valid for 24 hours."),
        sms_params=("code", "role"),
    )
)
register(
    Event(
        key="application_approved",
        subject=_("Application #{number} approved"),
        body=_("The bureau approved your application #{number} ({kind}). {numbers}"),
    )
)
register(
    Event(
        key="application_rejected",
        subject=_("Application #{number} rejected"),
        body=_("The bureau rejected your application #{number} ({kind}): {reasons}"),
    )
)
register(
    Event(
        key="application_transfer_cancelled",
        subject=_("Transfer application #{number} cancelled"),
        body=_(
            "Your transfer application #{number} was cancelled because the rectification "
            "case {case} of the website was not resolved by its deadline. The website is "
            "no longer accessed here; to transfer it again, resolve the problems and "
            "start a new application."
        ),
    )
)
register(
    Event(
        key="draft_reminder",
        subject=_("Your draft application #{number} expires on {expires_on}"),
        body=_(
            "Your draft application #{number} ({kind}) has not been changed for {days} "
            "days. Submit it before {expires_on}, or it expires."
        ),
    )
)
register(
    Event(
        key="draft_expired",
        subject=_("Draft application #{number} expired"),
        body=_(
            "Your draft application #{number} ({kind}) expired after {days} days without "
            "changes. Start a new application to file."
        ),
    )
)
