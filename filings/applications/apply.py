"""Writing an approved application to the live entity, person, website and domain rows.

Nothing live changes before approval, with one exception providers practise: a
transfer's website is reachable here once provider review passes
(:func:`open_transfer_access`), and a rejected or abandoned transfer ends that access
(:func:`end_transfer_access`). Every row is validated before it is saved; a problem
raises :class:`ApplyError` with the payload field it is about, and the caller's
transaction leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.applications import numbers
from filings.applications.proposed import (
    assign,
    is_blank,
    person_for,
    section,
    section_values,
    transfer_number,
    transfer_record,
)
from filings.choices import ApplicationKind
from filings.models import Application, Domain, Entity, Person, Website
from filings.models.entity import IdentifiedMixin
from icpportal import audit
from icpportal.crypto import keyed_hash

Kind = ApplicationKind
# Model field -> payload field, where the names differ (for error paths).
_PAYLOAD_FIELD = {"province_id": "province"}
# Websites that count as accessed here (an entity with none left is a shell).
ACCESSED = (Website.AccessState.ACCESSED, Website.AccessState.TRANSFER_PENDING)


class ApplyError(Exception):
    """The payload cannot be written to the live rows; ``field_errors`` says where."""

    def __init__(self, field_errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors.items()))
        self.field_errors = field_errors


def _save(obj: Model, path: str, exclude: Iterable[str] = ()) -> None:
    """Validate and save one row; errors are reported under the payload ``path``."""
    if isinstance(obj, IdentifiedMixin):
        # Hashed before validation, so "this ID is already on file" is a message, not a
        # database error at save time.
        number = (obj.id_number or "").strip().upper()
        obj.id_number_hash = keyed_hash(number) if number else ""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise ApplyError(
            {
                (f"{path}.{_PAYLOAD_FIELD.get(name, name)}" if name != "__all__" else path): list(
                    messages
                )
                for name, messages in error.message_dict.items()
            }
        ) from None
    obj.save()


def _audit_row(action: str, obj: Model, actor, changed: Iterable[str] = ()) -> None:
    audit.record(action, obj, actor=actor, after={"fields": sorted(changed)})


def _head(application: Application, role: str, fallback: Person | None, actor) -> Person:
    person = person_for(application.tenant_id, section(application, role), fallback)
    if person is None:
        raise ApplyError({role: [_("This person is not on file in your account.")]})
    is_new = person.pk is None
    _save(person, role)
    if is_new:
        _audit_row("person.create", person, actor, ("name",))
    return person


def _entity(application: Application, actor, *, base: Entity | None = None) -> Entity:
    """The entity the payload describes, created or updated (with its head)."""
    values = section_values("entity", section(application, "entity"))
    entity = base
    if entity is None and values.get("id_number"):
        # A deregistered entity filing again keeps its row (one row per ID and account).
        entity = Entity.objects.filter(
            tenant_id=application.tenant_id,
            id_type=values.get("id_type", ""),
            id_number_hash=keyed_hash(values["id_number"]),
        ).first()
    entity = entity or Entity(tenant_id=application.tenant_id)
    head = _head(application, "entity_head", entity.head if entity.head_id else None, actor)
    changed = assign(entity, {**values, "head": head})
    is_new = entity.pk is None
    _save(entity, "entity")
    _audit_row("entity.create" if is_new else "entity.update", entity, actor, changed)
    return entity


def _sync_domains(application: Application, website: Website, actor) -> None:
    """Make the website's active domains the payload's list (removed ones deactivated)."""
    entries = section(application, "domains")
    if entries is None:
        return
    existing = {d.name: d for d in Domain.objects.select_for_update().filter(website=website)}
    wanted = [(i, section_values("domains", e)) for i, e in enumerate(entries) if not is_blank(e)]
    names = {values.get("name") for _, values in wanted}
    for name, domain in existing.items():
        if domain.is_active and name not in names:
            domain.is_active = False
            domain.save(update_fields=["is_active"])
    for index, values in wanted:
        domain = existing.get(values.get("name")) or Domain(
            tenant_id=website.tenant_id, website=website
        )
        assign(domain, {**values, "is_active": True})
        _save(domain, f"domains.{index}", exclude=("website",))
    audit.record("website.domains", website, actor=actor, after={"domains": sorted(names - {None})})


def _website(application: Application, entity: Entity, actor, **fixed: Any) -> Website:
    """A new website of ``entity`` from the payload, with its head and domains."""
    head = _head(application, "website_head", None, actor)
    website = Website(tenant_id=application.tenant_id, entity=entity, head=head, **fixed)
    assign(website, section_values("website", section(application, "website")))
    _save(website, "website", exclude=("entity",))
    _audit_row("website.create", website, actor, ("name", "filing_number", "access_state"))
    _sync_domains(application, website, actor)
    return website


def _update_website(application: Application, website: Website, actor, **fixed: Any) -> None:
    head = _head(application, "website_head", website.head, actor)
    values = section_values("website", section(application, "website"))
    changed = assign(website, {**values, "head": head, **fixed})
    _save(website, "website", exclude=("entity",))
    _audit_row("website.update", website, actor, changed)
    _sync_domains(application, website, actor)


def _issued(application: Application, key: str, issue: Callable[[], str]) -> str:
    """The number the bureau issued under ``key``; issued here if the adapter gave none."""
    number = (application.issued_numbers or {}).get(key) or issue()
    application.issued_numbers = {**(application.issued_numbers or {}), key: number}
    return number


def update_shell_state(entity: Entity, actor) -> None:
    """An entity with no website accessed here any more becomes a shell."""
    if entity.state != Entity.State.ACTIVE:
        return
    accessed = entity.websites.filter(
        filing_state=Website.FilingState.FILED, access_state__in=ACCESSED
    )
    if accessed.exists():
        return
    entity.state = Entity.State.SHELL
    entity.save(update_fields=["state", "updated_at"])
    audit.record("entity.shell", entity, actor=actor, after={"state": entity.state})


def _deregister_website(website: Website, actor) -> None:
    website.filing_state = Website.FilingState.DEREGISTERED
    website.access_state = Website.AccessState.NOT_ACCESSED
    website.save(update_fields=["filing_state", "access_state", "updated_at"])
    website.domains.update(is_active=False)
    audit.record("website.deregister", website, actor=actor, after={"filing_state": "deregistered"})


# ---- one writer per kind ---------------------------------------------------------------


def _first_filing(application: Application, actor) -> None:
    entity = _entity(application, actor)
    entity_number = _issued(
        application, "entity", lambda: numbers.issue_entity_number(entity.province_id)
    )
    entity.filing_number, entity.state = entity_number, Entity.State.ACTIVE
    entity.save(update_fields=["filing_number", "state", "updated_at"])
    website_number = _issued(
        application, "website", lambda: numbers.issue_website_number(entity_number)
    )
    application.entity = entity
    application.website = _website(application, entity, actor, filing_number=website_number)


def _new_website(application: Application, actor) -> None:
    entity = Entity.objects.select_for_update().get(pk=application.entity_id)
    number = _issued(
        application, "website", lambda: numbers.issue_website_number(entity.filing_number)
    )
    application.website = _website(application, entity, actor, filing_number=number)


def _transfer(application: Application, actor) -> None:
    website = application.website or open_transfer_access(application, actor)
    _update_website(application, website, actor, access_state=Website.AccessState.ACCESSED)
    entity = website.entity
    if entity.state == Entity.State.SHELL:
        # Accessed again: the shell is a live entity once more.
        entity.state = Entity.State.ACTIVE
        entity.save(update_fields=["state", "updated_at"])
        audit.record("entity.active", entity, actor=actor, after={"state": entity.state})


def _change_entity(application: Application, actor) -> None:
    _entity(
        application, actor, base=Entity.objects.select_for_update().get(pk=application.entity_id)
    )


def _change_website(application: Application, actor) -> None:
    _update_website(
        application, Website.objects.select_for_update().get(pk=application.website_id), actor
    )


def _change_access(application: Application, actor) -> None:
    _sync_domains(application, application.website, actor)


def _cancel_access(application: Application, actor) -> None:
    # The filing number stays with the bureau; only the access here ends.
    website = Website.objects.select_for_update().get(pk=application.website_id)
    website.access_state = Website.AccessState.ACCESS_CANCELLED
    website.save(update_fields=["access_state", "updated_at"])
    audit.record(
        "website.cancel_access", website, actor=actor, after={"access_state": website.access_state}
    )
    update_shell_state(website.entity, actor)


def _deregister_website_kind(application: Application, actor) -> None:
    website = Website.objects.select_for_update().get(pk=application.website_id)
    _deregister_website(website, actor)
    update_shell_state(website.entity, actor)


def _deregister_entity(application: Application, actor) -> None:
    entity = Entity.objects.select_for_update().get(pk=application.entity_id)
    for website in entity.websites.filter(filing_state=Website.FilingState.FILED):
        _deregister_website(website, actor)
    entity.state = Entity.State.DEREGISTERED
    entity.save(update_fields=["state", "updated_at"])
    audit.record("entity.deregister", entity, actor=actor, after={"state": entity.state})


WRITERS: dict[str, Callable[[Application, Any], None]] = {
    Kind.FIRST_FILING: _first_filing,
    Kind.NEW_WEBSITE: _new_website,
    Kind.TRANSFER: _transfer,
    Kind.CHANGE_ENTITY: _change_entity,
    Kind.CHANGE_WEBSITE: _change_website,
    Kind.CHANGE_ACCESS: _change_access,
    Kind.CANCEL_ACCESS: _cancel_access,
    Kind.DEREGISTER_WEBSITE: _deregister_website_kind,
    Kind.DEREGISTER_ENTITY: _deregister_entity,
}


def apply_payload(application: Application, actor=None) -> None:
    """Write the approved application (locked by the caller) to the live rows.

    Raises ``ApplyError``; the caller's transaction must roll everything back then.
    """
    WRITERS[application.kind](application, actor)
    application.applied_at = timezone.now()
    application.save()
    audit.record(
        "application.apply",
        application,
        actor=actor,
        after={
            "entity": application.entity_id,
            "website": application.website_id,
            "numbers": application.issued_numbers,
        },
    )


# ---- the transfer exception -------------------------------------------------------------


def open_transfer_access(application: Application, actor=None) -> Website:
    """Make a transfer's website reachable here while the bureau reviews it.

    The website row is created (or re-used after an earlier transfer of the same
    filing) with access state ``transfer_pending``, which the access gate allows,
    pre-filled from the bureau's record where the payload leaves a field empty.
    """
    record = transfer_record(application.payload)
    number = transfer_number(application.payload)
    if record is None:
        raise ApplyError(
            {"transfer.filing_number": [_("The bureau holds no website filing with this number.")]}
        )
    website = (
        Website.objects.select_for_update()
        .filter(tenant_id=application.tenant_id, filing_number=number)
        .first()
    )
    pending = {
        "filing_state": Website.FilingState.FILED,
        "access_state": Website.AccessState.TRANSFER_PENDING,
    }
    if website is not None:
        _update_website(application, website, actor, **pending)
    else:
        entity = (
            application.entity
            or Entity.objects.filter(
                tenant_id=application.tenant_id, id_number_hash=record.entity_id_hash
            ).first()
        )
        if entity is None:
            # The filing's entity is new to this account: the payload describes it.
            entity = _entity(application, actor)
        if not entity.filing_number:
            entity.filing_number = record.entity_filing_number
            _save(entity, "entity")
        name = {"name": record.website_name} if record.website_name else {}
        website = _website(application, entity, actor, filing_number=number, **name, **pending)
        if not website.domains.exists():
            for d in record.domains.all():
                Domain.objects.create(tenant_id=website.tenant_id, website=website, name=d.name)
    application.entity, application.website = website.entity, website
    application.save(update_fields=["entity", "website", "updated_at"])
    audit.record("website.transfer_access", website, actor=actor, after=pending)
    return website


def end_transfer_access(application: Application, actor=None) -> None:
    """A transfer that will not happen (rejected, withdrawn) ends the access it opened."""
    if application.kind != Kind.TRANSFER or application.website_id is None:
        return
    website = Website.objects.select_for_update().get(pk=application.website_id)
    if website.access_state != Website.AccessState.TRANSFER_PENDING:
        return
    website.access_state = Website.AccessState.NOT_ACCESSED
    website.save(update_fields=["access_state", "updated_at"])
    website.domains.update(is_active=False)
    audit.record(
        "website.transfer_ended", website, actor=actor, after={"access_state": website.access_state}
    )
