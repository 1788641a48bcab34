"""Periodic jobs of materials: integrity re-hashing and retention.

- ``check_material_integrity`` re-hashes a batch of stored files, least recently
  checked first (never-checked ones before all others), reading each in chunks. A
  file that no longer matches its SHA-256, or is missing, is flagged
  (``integrity_ok=False``, which the required-materials rule reads), audited, and
  the account's owners are told.
- ``purge_deregistered_materials`` deletes the files and rows of materials of
  websites and entities deregistered more than ``MATERIAL_RETENTION_DAYS`` ago
  (PIPL: personal information is not kept longer than needed), one audit row each.

Both take no objects, re-read everything, and are safe to run twice at once.
"""

from __future__ import annotations

import datetime
import logging
from functools import reduce
from operator import or_

from celery import shared_task
from django.conf import settings
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from filings.materials.streams import sha256_of_stored
from filings.materials.upkeep import do_purge_materials, do_record_integrity
from filings.models import Entity, Material, Person, Website
from icpportal.models import AuditEvent

logger = logging.getLogger(__name__)

__all__ = ["check_material_integrity", "purge_deregistered_materials"]

PURGE_BATCH = 200
# A run stops after this many batches; the next run carries on.
PURGE_MAX_BATCHES = 50


@shared_task(ignore_result=True)
def check_material_integrity(limit: int | None = None) -> dict[str, int]:
    """Re-hash up to ``limit`` stored files; returns how many passed, failed, were skipped."""
    limit = limit or int(settings.MATERIAL_INTEGRITY_BATCH)
    due = Material.objects.order_by(
        F("integrity_checked_at").asc(nulls_first=True), "pk"
    ).values_list("pk", "file", "sha256", "integrity_ok")[:limit]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    unchanged: list[tuple[int, str, str]] = []
    for pk, name, sha256, was_ok in list(due):
        try:
            found, _size = sha256_of_stored(name)
        except FileNotFoundError:
            found = None
        except Exception:
            # Storage unreachable or refusing: not the file's fault; it stays first in
            # line and is checked again on the next run.
            logger.exception("Integrity check of material %s could not read its file", pk)
            counts["skipped"] += 1
            continue
        if found == sha256 and was_ok is not False:
            unchanged.append((pk, name, sha256))
            continue
        verdict = do_record_integrity(pk, checked_name=name, checked_sha256=found)
        key = "skipped" if verdict is None else ("passed" if verdict else "failed")
        counts[key] += 1
    if unchanged:
        # Nothing to audit for a file that matches as before: one update for all. The
        # name and hash are part of the match, so a file replaced meanwhile is not
        # stamped with a check it never had.
        matches = reduce(or_, (Q(pk=pk, file=name, sha256=sha) for pk, name, sha in unchanged))
        counts["passed"] += Material.objects.filter(matches).update(
            integrity_ok=True, integrity_checked_at=timezone.now()
        )
    if counts["failed"]:
        logger.warning("Material integrity: %(failed)d file(s) flagged", counts)
    return counts


def _deregistered_at(model, action: str) -> Coalesce:
    """When a row was deregistered: its audit row, else its last change."""
    events = (
        AuditEvent.objects.filter(
            object_type=model._meta.label_lower,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            action=action,
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return Coalesce(Subquery(events), F("updated_at"))


def expired_materials(cutoff: datetime.datetime) -> QuerySet[Material]:
    """Materials of websites and entities deregistered before ``cutoff``.

    That is their own files, the files of the applications about them, and the ID
    copies of persons who head nothing but such deregistered filings.
    """
    websites = (
        Website.objects.filter(filing_state=Website.FilingState.DEREGISTERED)
        .annotate(deregistered_at=_deregistered_at(Website, "website.deregister"))
        .filter(deregistered_at__lte=cutoff)
        .values("pk")
    )
    entities = (
        Entity.objects.filter(state=Entity.State.DEREGISTERED)
        .annotate(deregistered_at=_deregistered_at(Entity, "entity.deregister"))
        .filter(deregistered_at__lte=cutoff)
        .values("pk")
    )
    persons = (
        Person.objects.filter(Q(entities_headed__in=entities) | Q(websites_headed__in=websites))
        .exclude(entities_headed__in=Entity.objects.exclude(pk__in=entities))
        .exclude(websites_headed__in=Website.objects.exclude(pk__in=websites))
        .values("pk")
    )
    return Material.objects.filter(
        Q(website__in=websites)
        | Q(entity__in=entities)
        | Q(application__website__in=websites)
        | Q(application__entity__in=entities)
        | Q(person__in=persons)
    )


@shared_task(ignore_result=True)
def purge_deregistered_materials(batch: int = PURGE_BATCH) -> int:
    """Delete materials past their retention after deregistration; returns how many."""
    days = int(settings.MATERIAL_RETENTION_DAYS)
    cutoff = timezone.now() - datetime.timedelta(days=days)
    reason = f"Retention period of {days} days after deregistration has passed."
    purged = 0
    for _ in range(PURGE_MAX_BATCHES):
        ids = list(
            expired_materials(cutoff).order_by("pk").values_list("pk", flat=True).distinct()[:batch]
        )
        if not ids:
            break
        done = do_purge_materials(ids, reason=reason)
        purged += done
        if done == 0:
            break  # every row is held by another run
    if purged:
        logger.info("Purged %d material(s) of deregistered filings", purged)
    return purged
