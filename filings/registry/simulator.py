"""The local stand-in for the bureau: deterministic, backed by the portal's database.

Look-ups read the ``RegistryRecord`` and ``RegistryDomain`` tables (seeded by the demo
data, and written here when the simulated bureau approves). A submission is kept as
a ``BureauSubmission`` and decided by rules, never by chance, once
``REGISTRY_SIMULATOR_DELAY_SECONDS`` have passed; the periodic ``poll_bureau`` job
asks for its status. It rejects:

- a first filing of an entity that already holds an active filing through another
  provider (it should apply for a transfer instead);
- any new filing of a shell entity (it must be deregistered first);
- an entity or website name containing a word of ``REGISTRY_SIMULATOR_BLOCKED_NAMES``.

Everything else is approved, with numbers issued per province. The MIIT SMS step
sends each required head a code through the portal's SMS outbox.
"""

from __future__ import annotations

import datetime
import hmac
import re
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from filings.applications.numbers import issue_entity_number, issue_website_number
from filings.applications.proposed import entity_id_hash, section_values, transfer_number
from filings.applications.sms_step import STEP_VALIDITY
from filings.choices import ApplicationKind, HeadRole
from filings.models import (
    Application,
    BureauSubmission,
    Entity,
    MiitVerification,
    Person,
    RegistryDomain,
    RegistryRecord,
)
from filings.registry.base import (
    RegistryAdapter,
    RegistryError,
    SubmissionState,
    SubmissionStatus,
    UnknownSubmission,
    covering_names,
)
from filings.validators import normalize_phone
from icpportal.crypto import keyed_hash
from notifications.models import Notification
from notifications.outbox import notify

REFERENCE = re.compile(r"^SIM-(?P<application_id>[1-9][0-9]*)$")
_HMAC_SALT = "icpportal.filings.miit-verification"


def _code_hmac(salt: str, code: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


# ---- the bureau's rules ---------------------------------------------------------------

Kind = ApplicationKind
Record = RegistryRecord.Status
# Kinds by which an entity files (again): a shell entity may not. A transfer (new
# access) is how a shell's website gets accessed again, so it stays open to shells.
FILING_KINDS = (Kind.FIRST_FILING, Kind.NEW_WEBSITE)


def _proposed(application: Application, section: str) -> dict:
    values = (application.payload or {}).get(section)
    return section_values(section, values if isinstance(values, dict) else None)


def _is_shell(application: Application, id_hash: str) -> bool:
    if application.entity_id and application.entity.state == Entity.State.SHELL:
        return True
    statuses = (
        set(RegistryRecord.objects.filter(entity_id_hash=id_hash).values_list("status", flat=True))
        if id_hash
        else set()
    )
    return Record.SHELL in statuses and Record.ACTIVE not in statuses


def rejection_reasons(application: Application) -> list[str]:
    """Why the bureau rejects the application; empty when it approves."""
    reasons = []
    id_hash = entity_id_hash(application)
    if application.kind == Kind.FIRST_FILING and id_hash:
        # Filtered here rather than with a JSON lookup, which SQLite lacks.
        elsewhere = next(
            (
                record
                for record in RegistryRecord.objects.filter(
                    entity_id_hash=id_hash, status=Record.ACTIVE
                )
                if settings.PROVIDER_CODE not in (record.access_providers or [])
            ),
            None,
        )
        if elsewhere is not None:
            reasons.append(
                _(
                    "The entity already holds filing %(number)s through another access "
                    "provider: apply for a new access (transfer) instead of a first filing."
                )
                % {"number": elsewhere.entity_filing_number}
            )
    if application.kind in FILING_KINDS and _is_shell(application, id_hash):
        reasons.append(
            _(
                "The entity is an empty shell (no website accessed): it must be deregistered "
                "before it can file again."
            )
        )
    blocked = [word for word in settings.REGISTRY_SIMULATOR_BLOCKED_NAMES if word]
    for section in ("entity", "website"):
        name = _proposed(application, section).get("name", "")
        for word in blocked:
            if word.lower() in name.lower():
                reasons.append(
                    _("The name “%(name)s” contains “%(word)s”, which may not be filed.")
                    % {"name": name, "word": word}
                )
    return reasons


# ---- the bureau's records after an approval ---------------------------------------------


def _set_domains(record: RegistryRecord, application: Application) -> None:
    entries = (application.payload or {}).get("domains")
    if not isinstance(entries, list):
        return
    names = {section_values("domains", e).get("name") for e in entries if isinstance(e, dict)}
    names.discard(None)
    names.discard("")
    record.domains.exclude(name__in=names).delete()
    for name in names:
        RegistryDomain.objects.get_or_create(record=record, name=name)


def _website_records(application: Application):
    number = application.website.filing_number if application.website_id else ""
    return RegistryRecord.objects.filter(website_filing_number=number) if number else None


def record_approval(application: Application, numbers: dict[str, str]) -> None:
    """Update the bureau's view of the filings the approved application changes."""
    kind, provider = application.kind, settings.PROVIDER_CODE
    if kind in (Kind.FIRST_FILING, Kind.NEW_WEBSITE):
        entity = _proposed(application, "entity")
        live = application.entity
        record = RegistryRecord.objects.create(
            entity_filing_number=numbers.get("entity") or live.filing_number,
            website_filing_number=numbers["website"],
            entity_name=entity.get("name") or live.name,
            entity_type=entity.get("entity_type") or live.entity_type,
            entity_id_type=entity.get("id_type") or live.id_type,
            entity_id_hash=entity_id_hash(application),
            province_id=entity.get("province_id") or live.province_id,
            website_name=_proposed(application, "website").get("name", ""),
            access_providers=[provider],
        )
        _set_domains(record, application)
        return
    if kind == Kind.TRANSFER:
        for record in RegistryRecord.objects.filter(
            website_filing_number=transfer_number(application.payload)
        ):
            if provider not in (record.access_providers or []):
                record.access_providers = [*(record.access_providers or []), provider]
            record.status = Record.ACTIVE
            record.save(update_fields=["access_providers", "status", "updated_at"])
        return
    if kind == Kind.CHANGE_ENTITY:
        entity = _proposed(application, "entity")
        changes = {
            "entity_name": entity.get("name"),
            "entity_type": entity.get("entity_type"),
            "entity_id_type": entity.get("id_type"),
            "entity_id_hash": keyed_hash(entity["id_number"]) if entity.get("id_number") else None,
        }
        RegistryRecord.objects.filter(entity_filing_number=application.entity.filing_number).update(
            **{k: v for k, v in changes.items() if v}
        )
        return
    if kind == Kind.DEREGISTER_ENTITY:
        RegistryRecord.objects.filter(entity_filing_number=application.entity.filing_number).update(
            status=Record.DEREGISTERED
        )
        return
    records = _website_records(application)
    for record in records.all() if records is not None else ():
        if kind == Kind.CHANGE_WEBSITE and (name := _proposed(application, "website").get("name")):
            record.website_name = name
        if kind in (Kind.CHANGE_WEBSITE, Kind.CHANGE_ACCESS):
            _set_domains(record, application)
        if kind == Kind.CANCEL_ACCESS:
            record.access_providers = [p for p in record.access_providers or [] if p != provider]
            if not record.access_providers:
                record.status = Record.SHELL
        if kind == Kind.DEREGISTER_WEBSITE:
            record.status = Record.DEREGISTERED
        record.save()


class SimulatorRegistry(RegistryAdapter):
    """The bureau simulated from the database; no chance involved."""

    def submit(self, application: Application) -> str:
        if application.pk is None:
            raise RegistryError(_("An application must be saved before it is submitted."))
        reference = f"SIM-{application.pk}"
        delay = datetime.timedelta(seconds=settings.REGISTRY_SIMULATOR_DELAY_SECONDS)
        # Submitting again is harmless: the bureau keeps the first submission.
        BureauSubmission.objects.get_or_create(
            application_id=application.pk,
            defaults={"reference": reference, "due_at": timezone.now() + delay},
        )
        return reference

    def status(self, reference: str) -> SubmissionStatus:
        match = REFERENCE.match(reference.strip())
        submission = (
            BureauSubmission.objects.filter(reference=reference.strip()).first() if match else None
        )
        if submission is None:
            raise UnknownSubmission(
                _("The bureau knows no submission “%(reference)s”.") % {"reference": reference}
            )
        if (
            submission.state == BureauSubmission.State.PENDING
            and submission.due_at <= timezone.now()
        ):
            submission = self.decide(submission.pk)
        return SubmissionStatus(
            state=SubmissionState(submission.state),
            reasons=tuple(submission.reasons or ()),
            issued_numbers=dict(submission.issued_numbers or {}),
            decided_at=submission.decided_at,
        )

    def decide(self, submission_id: int) -> BureauSubmission:
        """Decide a due submission by the rules (once: the row is locked and re-read)."""
        with transaction.atomic():
            submission = (
                BureauSubmission.objects.select_for_update()
                .select_related("application")
                .get(pk=submission_id)
            )
            if submission.state != BureauSubmission.State.PENDING:
                return submission
            application = submission.application
            reasons = rejection_reasons(application)
            if reasons:
                submission.state = BureauSubmission.State.REJECTED
                submission.reasons = reasons
            else:
                submission.state = BureauSubmission.State.APPROVED
                submission.issued_numbers = self._issue_numbers(application)
                record_approval(application, submission.issued_numbers)
            submission.decided_at = timezone.now()
            submission.save()
        return submission

    def _issue_numbers(self, application: Application) -> dict[str, str]:
        if application.kind == ApplicationKind.FIRST_FILING:
            province = str((application.payload.get("entity") or {}).get("province") or "")
            entity_number = issue_entity_number(province.strip())
            return {"entity": entity_number, "website": issue_website_number(entity_number)}
        if application.kind == ApplicationKind.NEW_WEBSITE:
            return {"website": issue_website_number(application.entity.filing_number)}
        return {}

    def lookup_filing(self, number: str) -> RegistryRecord | None:
        number = number.strip()
        if not number:
            return None
        records = RegistryRecord.objects.prefetch_related("domains")
        return (
            records.filter(website_filing_number=number).first()
            # An entity number: its entity-level record (no website number) first.
            or records.filter(entity_filing_number=number)
            .order_by("website_filing_number", "id")
            .first()
        )

    def lookup_domain(self, name: str) -> RegistryRecord | None:
        names = covering_names(name)
        if not names:
            return None
        matches = RegistryDomain.objects.filter(name__in=names).select_related("record")
        # An active filing first, then the most specific name, then the newest record.
        best = min(
            matches,
            key=lambda d: (
                d.record.status != RegistryRecord.Status.ACTIVE,
                -len(d.name),
                -d.record_id,
            ),
            default=None,
        )
        return best.record if best else None

    # ---- the MIIT SMS step --------------------------------------------------------------

    def start_sms_verification(self, application: Application, heads: Sequence[Person]) -> None:
        """Send each head a code; ``heads`` come in the order of the kind's required roles."""
        roles = application.required_heads
        if len(heads) != len(roles):
            raise RegistryError(
                f"Expected {len(roles)} heads ({', '.join(roles)}) for application "
                f"{application.pk}, got {len(heads)}."
            )
        now = timezone.now()
        for role, person in zip(roles, heads, strict=True):
            verification = (
                MiitVerification.objects.select_for_update()
                .filter(application=application, role=role, status=MiitVerification.Status.PENDING)
                .first()
            ) or MiitVerification.objects.create(
                tenant_id=application.tenant_id,
                application=application,
                role=role,
                person=person if person.pk else None,
                head_name=person.name,
                phone=normalize_phone(person.mobile),
                expires_at=now + STEP_VALIDITY,
            )
            code, salt = f"{secrets.randbelow(10**6):06d}", secrets.token_hex(16)
            verification.code_salt, verification.code_hmac = salt, _code_hmac(salt, code)
            verification.save(update_fields=["code_salt", "code_hmac"])
            with translation.override(settings.LANGUAGE_CODE):
                role_label = str(HeadRole(role).label).lower()
            notify(
                Notification.Channel.SMS,
                "miit_verification_code",
                address=verification.phone,
                tenant=application.tenant,
                context={"role": role_label},
                secret_context={"code": code},
                language=settings.LANGUAGE_CODE,
                dedup_key=f"miit_verification:{verification.pk}",
            )

    def check_sms_code(self, application: Application, role: str, code: str) -> bool:
        verification = MiitVerification.objects.filter(
            application=application, role=role, status=MiitVerification.Status.PENDING
        ).first()
        if verification is None or not verification.code_hmac:
            return False
        entered = _code_hmac(verification.code_salt, (code or "").strip())
        return hmac.compare_digest(entered, verification.code_hmac)
