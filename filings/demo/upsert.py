"""Rows and files written only when they are missing or differ from what is wanted.

The demo builder finds each row by its natural key and saves it through the model
(so personal data is encrypted and hashed) only when a value changed; a material's
file is written to storage only when its content changed or the stored file is gone.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

from filings.demo.materials import PlannedMaterial
from filings.models import Material


@dataclass
class SeedResult:
    """What one run did, counted per model."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    # Per staff login: its authenticator secret (base32) and the recovery codes issued
    # by this run (none when they were issued before).
    second_factors: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


class Upserter:
    """Creates or updates rows and material files, counting what it did."""

    def __init__(self) -> None:
        self.result = SeedResult()
        # Files written to storage by this run, deleted again if the transaction fails.
        self.new_files: list[str] = []

    def sync(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """The row matching ``lookup``, created or updated to carry ``values``."""
        obj = model.objects.filter(**lookup).first()
        label = model.__name__
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            self.result.created[label] += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            self.result.updated[label] += 1
        else:
            self.result.unchanged[label] += 1
        return obj

    def keep_material(
        self, tenant_id: int, owner: dict[str, int], material: PlannedMaterial, uploaded_by=None
    ) -> None:
        """Have ``material`` on file for ``owner`` (``{"website_id": …}`` or the like)."""
        digest = hashlib.sha256(material.content).hexdigest()
        lookup = {
            "tenant_id": tenant_id,
            "kind": material.kind,
            "original_name": material.original_name,
            "entity_id": owner.get("entity_id"),
            "person_id": owner.get("person_id"),
            "website_id": owner.get("website_id"),
            "application_id": None,
        }
        values = {
            "sha256": digest,
            "size": len(material.content),
            "content_type": material.content_type,
            "holder_name": material.holder_name,
            "document_number": material.document_number,
            "valid_until": material.valid_until,
            "signed_on": material.signed_on,
        }
        existing = Material.objects.filter(**lookup).first()
        if (
            existing is not None
            and existing.sha256 == digest
            and existing.file
            and default_storage.exists(existing.file.name)
        ):
            self.sync(Material, {"pk": existing.pk}, values)
            return
        row = existing or Material(**lookup, uploaded_by=uploaded_by)
        old_name = existing.file.name if existing is not None and existing.file else ""
        for name, value in values.items():
            setattr(row, name, value)
        # The storage picks a fresh random name (see private_material_path).
        row.file.save(material.original_name, ContentFile(material.content), save=False)
        self.new_files.append(row.file.name)
        row.save()
        (self.result.updated if existing else self.result.created)["Material"] += 1
        if old_name and old_name != row.file.name:
            # The old file goes only once the new row is committed.
            transaction.on_commit(partial(default_storage.delete, old_name))

    def discard_new_files(self) -> None:
        """Delete the files this run wrote (its transaction was rolled back)."""
        for name in self.new_files:
            default_storage.delete(name)
