"""The MIIT SMS step (工信部短信核验): which heads must verify, and starting the step.

Who must verify is data per kind (``SMS_VERIFICATION_HEADS``). The codes come from
the bureau's system, so the step is started through the registry adapter, which
sends each head a code through the SMS backend. The portal keeps one
``MiitVerification`` row per head to follow the step: phone, tries, 24-hour expiry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.applications.proposed import person_for, section
from filings.choices import HeadRole
from filings.models import Application, MiitVerification, Person
from filings.registry import get_registry
from filings.validators import normalize_phone

# How long the heads have to enter their codes, and how many wrong codes one head may
# enter before the application goes back to the customer (MIIT practice).
STEP_VALIDITY = datetime.timedelta(hours=24)
MAX_WRONG_CODES = 5


class HeadMissing(Exception):
    """A head who must verify has no usable mobile number on the application."""

    def __init__(self, role: str, message: str):
        super().__init__(message)
        self.role, self.message = role, message


@dataclass(frozen=True)
class Head:
    """A head who must enter a code: the role, and the person (maybe not on file yet)."""

    role: str
    person: Person
    phone: str


def required_roles(application: Application) -> tuple[str, ...]:
    """The heads (roles) the MIIT step needs for this application, in order."""
    return application.required_heads


def _live_head(application: Application, role: str) -> Person | None:
    if role == HeadRole.ENTITY_HEAD:
        entity = application.entity or (application.website.entity if application.website else None)
        return entity.head if entity else None
    return application.website.head if application.website else None


def heads_of(application: Application) -> list[Head]:
    """Each required head with the mobile the code goes to, as the application states it.

    A head section of the payload wins; a kind without one uses the live head.
    """
    heads = []
    for role in required_roles(application):
        person = person_for(application.tenant_id, section(application, role), None)
        person = person or _live_head(application, role)
        role_label = HeadRole(role).label
        if person is None or not person.mobile:
            raise HeadMissing(role, _("The %(role)s has no mobile number.") % {"role": role_label})
        try:
            phone = normalize_phone(person.mobile)
        except ValidationError:
            raise HeadMissing(
                role,
                _("The mobile number of the %(role)s is not valid.") % {"role": role_label},
            ) from None
        heads.append(Head(role=role, person=person, phone=phone))
    return heads


def close_pending(application: Application, status: str, now: datetime.datetime) -> int:
    """End the application's pending codes (a new round, expiry, or a return)."""
    return MiitVerification.objects.filter(
        application=application, status=MiitVerification.Status.PENDING
    ).update(status=status, finished_at=now)


def start(application: Application, now: datetime.datetime | None = None) -> list[Head]:
    """Open the step: one pending row per head, then the registry sends the codes.

    Runs inside the caller's transaction; raises ``HeadMissing`` before anything is
    written when a head cannot receive a code.
    """
    now = now or timezone.now()
    heads = heads_of(application)
    close_pending(application, MiitVerification.Status.CANCELLED, now)
    for head in heads:
        MiitVerification.objects.create(
            tenant_id=application.tenant_id,
            application=application,
            role=head.role,
            person=head.person if head.person.pk else None,
            head_name=head.person.name,
            phone=head.phone,
            expires_at=now + STEP_VALIDITY,
        )
    # The adapter gets the heads in the order of required_roles(application).
    get_registry().start_sms_verification(application, [head.person for head in heads])
    return heads


def pending_verifications(application: Application):
    return MiitVerification.objects.filter(
        application=application, status=MiitVerification.Status.PENDING
    )


def all_verified(application: Application) -> bool:
    """Whether every required head has entered the right code in the latest round."""
    latest = dict(
        MiitVerification.objects.filter(application=application)
        .order_by("id")
        .values_list("role", "status")
    )
    return all(
        latest.get(role) == MiitVerification.Status.VERIFIED for role in required_roles(application)
    )
