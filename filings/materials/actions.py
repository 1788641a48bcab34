"""Upload, replace and delete materials: the only ways a material changes.

Each action checks the file and its details first, then runs in one transaction that
writes the row and an audit row; files that go out of use are deleted after the
commit. A mistake the customer can fix comes back as a :class:`MaterialResult` with a
message per field, and nothing is saved (no row, no stored file).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import MaterialKind
from filings.materials.streams import delete_stored
from filings.materials.uploads import UploadRefused, clean_file_name, clean_metadata, inspect_upload
from filings.models import Application, Entity, Material, Person, Website
from icpportal import audit
from notifications.events import Event, register

K = MaterialKind
OWNER_FIELDS = ("application", "entity", "person", "website")
_OWNER_MODELS: dict[type[models.Model], str] = {
    Application: "application",
    Entity: "entity",
    Person: "person",
    Website: "website",
}
# What a live entity, person or website can hold: where the required-materials rule
# looks for each kind. A draft application holds any kind until it is approved.
OWNER_KINDS: dict[str, tuple[str, ...]] = {
    "application": tuple(K.values),
    "entity": (K.ENTITY_CERTIFICATE, K.RESIDENCE_PERMIT, K.POWER_OF_ATTORNEY, K.CONSTRUCTION_PLAN),
    "person": (K.HEAD_ID_FRONT, K.HEAD_ID_BACK, K.RESIDENCE_PERMIT),
    "website": (
        K.VERIFICATION_FORM,
        K.VERIFICATION_PHOTO,
        K.DOMAIN_CERTIFICATE,
        K.POWER_OF_ATTORNEY,
        K.COMMITMENT_LETTER,
        K.PRE_APPROVAL,
        K.CONSTRUCTION_PLAN,
    ),
}


# Sent by the integrity job (filings.materials.upkeep); registered here so that every
# process that can deliver it (web and worker) knows it.
register(
    Event(
        key="material_integrity_failed",
        subject=gettext_lazy("A stored document has changed"),
        body=gettext_lazy(
            "The stored file “{name}” no longer matches the file uploaded on {uploaded}. "
            "Upload the document again so that your filing stays complete."
        ),
    )
)


@dataclass(frozen=True)
class MaterialResult:
    """How a material action ended: ``ok``, a machine ``code`` and a message.

    ``field_errors`` maps form fields (``file``, ``kind``, ``valid_until``…) to
    messages the page shows next to them.
    """

    ok: bool
    code: str
    message: str = ""
    material: Material | None = None
    field_errors: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


class _Refused(Exception):
    def __init__(self, result: MaterialResult):
        super().__init__(result.message)
        self.result = result


def _refused(code: str, message: str, **kwargs: Any) -> MaterialResult:
    return MaterialResult(False, code, str(message), **kwargs)


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def owner_field_of(owner: models.Model) -> str:
    """Which column of Material points at ``owner`` ("application", "entity"…)."""
    try:
        return _OWNER_MODELS[type(owner)]
    except KeyError:
        raise TypeError(f"A material cannot belong to a {type(owner).__name__}.") from None


def owner_of(material: Material) -> tuple[str, models.Model]:
    """The field name and the object ``material`` belongs to."""
    for name in OWNER_FIELDS:
        if getattr(material, f"{name}_id"):
            return name, getattr(material, name)
    raise ValueError(f"Material {material.pk} belongs to nothing.")


def owner_problem(owner_field: str, owner: models.Model) -> MaterialResult | None:
    """Why materials of ``owner`` cannot change now, or None."""
    if owner_field == "application" and not owner.is_editable:
        return _refused(
            "not_editable",
            _("Application #%(number)s is “%(status)s”: its materials cannot change now.")
            % {"number": owner.pk, "status": owner.get_status_display()},
        )
    if owner_field == "website" and owner.filing_state == Website.FilingState.DEREGISTERED:
        return _refused("deregistered", _("This website is deregistered."))
    if owner_field == "entity" and owner.state == Entity.State.DEREGISTERED:
        return _refused("deregistered", _("This entity is deregistered."))
    return None


def _lock_owner(owner_field: str, owner: models.Model) -> models.Model:
    # The application is locked so a submit cannot slip in between check and write.
    return type(owner).objects.select_for_update().get(pk=owner.pk)


def _touch(owner_field: str, owner: models.Model) -> None:
    # Work on the materials is work on the draft: it does not sit idle towards expiry.
    if owner_field == "application":
        Application.objects.filter(pk=owner.pk).update(last_activity_at=timezone.now())


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def audit_view(material: Material) -> dict[str, Any]:
    """What an audit row keeps of a material: no clear document number."""
    owner_field = next((n for n in OWNER_FIELDS if getattr(material, f"{n}_id")), "")
    return {
        "kind": material.kind,
        "owner": owner_field,
        "owner_id": getattr(material, f"{owner_field}_id", None) if owner_field else None,
        "original_name": material.original_name,
        "content_type": material.content_type,
        "size": material.size,
        "sha256": material.sha256,
        "document_number": material.masked_document_number,
        "holder_name": material.holder_name,
        "valid_until": _iso(material.valid_until),
        "signed_on": _iso(material.signed_on),
    }


def _checked(kind: str, upload: File | None, metadata: Mapping[str, Any] | None):
    """The inspected file and cleaned details, or a refusal listing every problem."""
    cleaned, errors = clean_metadata(metadata) if metadata is not None else ({}, {})
    inspected, code = None, "invalid"
    if upload is not None:
        try:
            inspected = inspect_upload(upload, kind=kind)
        except UploadRefused as refusal:
            errors = {"file": [refusal.message], **errors}
            code = refusal.code
    if errors:
        message = errors["file"][0] if "file" in errors else _("Correct the marked details.")
        raise _Refused(_refused(code, message, field_errors=errors))
    return inspected, cleaned


def _store_new_file(material: Material, upload: File, inspected) -> None:
    upload.seek(0)
    # A plain File: the content type the browser claimed must not reach the storage
    # (S3 would keep it as the object's Content-Type).
    material.file = File(upload, name=upload.name)
    material.original_name = clean_file_name(upload.name)
    material.sha256, material.size = inspected.sha256, inspected.size
    material.content_type = inspected.content_type
    material.integrity_checked_at, material.integrity_ok = None, None


def _saved_with_file(material: Material, write) -> None:
    """Run ``write`` (which saves ``material`` and its file) atomically; a failure
    removes the file it already stored."""
    before = material.file.name if material.file else ""
    try:
        with transaction.atomic():
            write()
    except BaseException:
        # Only a file this call wrote (committed to storage, under a new name) goes.
        stored = material.file
        if stored and stored._committed and stored.name != before:
            delete_stored(stored.name)
        raise


def do_upload_material(
    owner: models.Model,
    kind: str,
    upload: File,
    *,
    actor,
    metadata: Mapping[str, Any] | None = None,
) -> MaterialResult:
    """Store a new file of ``kind`` for an application, entity, person or website.

    The caller found ``owner`` through the customer's own (tenant-scoped) queryset.
    """
    owner_field = owner_field_of(owner)
    if kind not in OWNER_KINDS[owner_field]:
        message = (
            _("Choose which document this is.")
            if kind not in K.values
            else _("%(material)s cannot be kept here.") % {"material": K(kind).label}
        )
        return _refused("kind_not_allowed", message, field_errors={"kind": [message]})
    if (problem := owner_problem(owner_field, owner)) is not None:
        return problem
    try:
        inspected, cleaned = _checked(kind, upload, metadata or {})
    except _Refused as refusal:
        return refusal.result
    material = Material(
        tenant_id=owner.tenant_id,
        kind=kind,
        uploaded_by=_actor(actor),
        **{owner_field: owner},
        **cleaned,
    )
    _store_new_file(material, upload, inspected)

    def write() -> None:
        locked = _lock_owner(owner_field, owner)
        if (problem := owner_problem(owner_field, locked)) is not None:
            raise _Refused(problem)
        material.save()
        _touch(owner_field, locked)
        audit.record("material.upload", material, actor=_actor(actor), after=audit_view(material))

    try:
        _saved_with_file(material, write)
    except _Refused as refusal:
        return refusal.result
    return MaterialResult(True, "uploaded", _("The document was uploaded."), material)


def do_replace_material(
    material: Material,
    *,
    actor,
    upload: File | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> MaterialResult:
    """Put a new file (and/or new details) in place of a material's current ones.

    The old file is out of use at once and deleted after the commit. Without
    ``upload`` only the details change; without ``metadata`` they stay as they were.
    """
    if upload is None and metadata is None:
        return _refused("nothing_to_change", _("Choose a new file or change the details."))
    owner_field, owner = owner_of(material)
    if (problem := owner_problem(owner_field, owner)) is not None:
        return problem
    try:
        inspected, cleaned = _checked(material.kind, upload, metadata)
    except _Refused as refusal:
        return refusal.result
    before = audit_view(material)
    old_name = material.file.name

    def write() -> None:
        locked = _lock_owner(owner_field, owner)
        if (problem := owner_problem(owner_field, locked)) is not None:
            raise _Refused(problem)
        current = Material.objects.select_for_update().filter(pk=material.pk).first()
        if current is None or current.file.name != old_name:
            raise _Refused(
                _refused("changed", _("Someone else changed this document meanwhile; try again."))
            )
        for name, value in cleaned.items():
            setattr(material, name, value)
        if upload is not None:
            _store_new_file(material, upload, inspected)
            material.uploaded_at = timezone.now()
            material.uploaded_by = _actor(actor)
        material.save()
        _touch(owner_field, locked)
        action = "material.replace" if upload is not None else "material.update"
        audit.record(
            action, material, actor=_actor(actor), before=before, after=audit_view(material)
        )
        if upload is not None:
            transaction.on_commit(partial(delete_stored, old_name))

    try:
        _saved_with_file(material, write)
    except _Refused as refusal:
        material.refresh_from_db()
        return refusal.result
    if upload is None:
        return MaterialResult(True, "updated", _("The details were saved."), material)
    return MaterialResult(True, "replaced", _("The document was replaced."), material)


def do_delete_material(material: Material, *, actor, reason: str = "") -> MaterialResult:
    """Remove a material: its row now, its stored file after the commit."""
    owner_field, owner = owner_of(material)
    if (problem := owner_problem(owner_field, owner)) is not None:
        return problem
    with transaction.atomic():
        _lock_owner(owner_field, owner)
        current = Material.objects.select_for_update().filter(pk=material.pk).first()
        if current is None:
            return _refused("gone", _("This document was already deleted."))
        audit.record(
            "material.delete",
            current,
            actor=_actor(actor),
            before=audit_view(current),
            reason=reason,
        )
        name = current.file.name
        current.delete()
        _touch(owner_field, owner)
        transaction.on_commit(partial(delete_stored, name))
    return MaterialResult(True, "deleted", _("The document was deleted."))
