"""Snapshots of live websites, loaded in bulk in a constant number of queries."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import (
    Domain,
    Entity,
    Material,
    MaterialRequirement,
    ProvinceRule,
    RegistryRecord,
    Website,
)
from inspections.snapshot.parts import (
    LIVE,
    DomainSnapshot,
    EntitySnapshot,
    MaterialRequirementSnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    ProvinceSnapshot,
    RegistrySnapshot,
    Snapshot,
    WebsiteSnapshot,
    _keyed,
    _pre_approvals,
)

# ---- from live rows ----------------------------------------------------------------

# Materials of an application count as live only once the application is approved.
_LIVE_MATERIAL = Q(application__isnull=True) | Q(application__status=ApplicationStatus.APPROVED)
_MATERIAL_COLUMNS = (
    "id", "kind", "application_id", "entity_id", "person_id", "website_id", "content_type",
    "document_number", "holder_name", "valid_until", "signed_on", "uploaded_at",
    "integrity_ok", "size", "sha256",
)  # fmt: skip
_OWNERS = ("person", "website", "entity")
_WEBSITE_RELATED = ("entity", "head", "entity__head", "entity__province")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _part(cls: type, source: Any, **overrides: Any) -> Any:
    """``cls`` filled from the same-named attributes (or keys) of a row."""
    read = source.__getitem__ if isinstance(source, dict) else source.__getattribute__
    values = {name: read(name) for name in _field_names(cls) if name not in overrides}
    return cls(**values, **overrides)


def _filed_website_count(entity_ref: str) -> Coalesce:
    filed = (
        Website.objects.filter(entity_id=OuterRef(entity_ref), filing_state="filed")
        .order_by()
        .values("entity_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(filed), Value(0))


def _website_part(row: Website) -> WebsiteSnapshot:
    return _part(WebsiteSnapshot, row, pre_approvals=_pre_approvals(row.pre_approvals))


def _entity_part(row: Entity, website_count: int) -> EntitySnapshot:
    return _part(EntitySnapshot, row, province_code=row.province_id, website_count=website_count)


def _province_part(row: ProvinceRule | None) -> ProvinceSnapshot | None:
    return None if row is None else _part(ProvinceSnapshot, row)


def _domain_rows(condition: Q) -> list[tuple[int, DomainSnapshot]]:
    rows = Domain.objects.filter(condition, is_active=True).order_by("name")
    columns = [f.name for f in fields(DomainSnapshot)]
    return [
        (row["website_id"], _part(DomainSnapshot, row))
        for row in rows.values(*columns, "website_id")
    ]


def _material_rows(condition: Q) -> list[tuple[dict[str, Any], MaterialSnapshot]]:
    rows = Material.objects.filter(condition).order_by("kind", "uploaded_at", "id")
    return [
        (
            row,
            _part(
                MaterialSnapshot,
                row,
                owner=next((o for o in _OWNERS if row[f"{o}_id"]), "application"),
                document_number_hash=_keyed(row["document_number"]),
            ),
        )
        for row in rows.values(*_MATERIAL_COLUMNS)
    ]


def _registry_by_number(numbers: Iterable[str]) -> dict[str, RegistrySnapshot]:
    records = RegistryRecord.objects.filter(website_filing_number__in={n for n in numbers if n})
    return {
        record.website_filing_number: _part(
            RegistrySnapshot,
            record,
            province_code=record.province_id,
            access_providers=tuple(record.access_providers or ()),
            domains=tuple(sorted(d.name for d in record.domains.all())),
        )
        for record in records.prefetch_related("domains")
    }


def _requirements(application_kind: str) -> list[MaterialRequirementSnapshot]:
    rows = MaterialRequirement.objects.filter(application_kind=application_kind).order_by(
        "material_kind", "province_id", "condition", "entity_type"
    )
    return [
        _part(MaterialRequirementSnapshot, row, province_code=row["province_id"] or "")
        for row in rows.values(
            "material_kind", "entity_type", "province_id", "condition", "max_age_days"
        )
    ]


def _applicable(
    requirements: Iterable[MaterialRequirementSnapshot], entity: EntitySnapshot
) -> tuple[MaterialRequirementSnapshot, ...]:
    return tuple(
        r
        for r in requirements
        if r.entity_type in ("", entity.entity_type)
        and r.province_code in ("", entity.province_code)
    )


def _sorted_materials(parts: Iterable[MaterialSnapshot]) -> tuple[MaterialSnapshot, ...]:
    # One file may be reached twice (e.g. through both heads); list it once.
    unique = {part.id: part for part in parts}.values()
    return tuple(sorted(unique, key=lambda m: (m.kind, m.uploaded_at or _EPOCH, m.id or 0)))


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def load_snapshots(
    website_ids: Sequence[int],
    *,
    as_of: datetime.date | None = None,
    application_kind: str = ApplicationKind.FIRST_FILING,
) -> list[Snapshot]:
    """Snapshots of these websites, in the order given (unknown ids are left out).

    Takes at most six queries, for one website or two thousand. ``application_kind``
    chooses the material requirements that apply: a live website must still hold what
    a first filing needs.
    """
    as_of = as_of or timezone.localdate()
    ids = list(dict.fromkeys(website_ids))
    if not ids:
        return []
    websites = {
        w.pk: w
        for w in Website.objects.filter(pk__in=ids)
        .select_related(*_WEBSITE_RELATED)
        .annotate(entity_website_count=_filed_website_count("entity_id"))
    }
    domains: dict[int, list[DomainSnapshot]] = {}
    for website_id, part in _domain_rows(Q(website_id__in=ids)):
        domains.setdefault(website_id, []).append(part)

    entity_ids = {w.entity_id for w in websites.values()}
    person_ids = {w.head_id for w in websites.values()} | {
        w.entity.head_id for w in websites.values()
    }
    owned = Q(website_id__in=ids) | Q(entity_id__in=entity_ids) | Q(person_id__in=person_ids)
    by_owner: dict[tuple[str, int], list[MaterialSnapshot]] = {}
    for row, part in _material_rows(_LIVE_MATERIAL & owned):
        for owner in _OWNERS:
            if row[f"{owner}_id"]:
                by_owner.setdefault((owner, row[f"{owner}_id"]), []).append(part)

    registry = _registry_by_number(w.filing_number for w in websites.values())
    requirements = _requirements(application_kind)

    # Websites of one entity share its parts (frozen data): each is built once.
    entities: dict[int, EntitySnapshot] = {}
    people: dict[int, PersonSnapshot] = {}
    provinces: dict[str, ProvinceSnapshot | None] = {}
    applicable: dict[tuple[str, str], tuple[MaterialRequirementSnapshot, ...]] = {}
    snapshots = []
    for w in (websites[i] for i in ids if i in websites):
        entity = entities.get(w.entity_id)
        if entity is None:
            entity = entities[w.entity_id] = _entity_part(w.entity, w.entity_website_count)
        for person in (w.entity.head, w.head):
            if person.pk not in people:
                people[person.pk] = _part(PersonSnapshot, person)
        if w.entity.province_id not in provinces:
            provinces[w.entity.province_id] = _province_part(w.entity.province)
        kind = (entity.entity_type, entity.province_code)
        if kind not in applicable:
            applicable[kind] = _applicable(requirements, entity)
        owners = (("website", w.pk), ("entity", w.entity_id), ("person", w.entity.head_id))
        materials = [m for key in (*owners, ("person", w.head_id)) for m in by_owner.get(key, ())]
        snapshots.append(
            Snapshot(
                as_of=as_of,
                website=_website_part(w),
                entity=entity,
                entity_head=people[w.entity.head_id],
                website_head=people[w.head_id],
                domains=tuple(domains.get(w.pk, ())),
                materials=_sorted_materials(materials),
                province=provinces[w.entity.province_id],
                material_requirements=applicable[kind],
                registry=registry.get(w.filing_number) if w.filing_number else None,
                application_kind=application_kind,
                source=LIVE,
            )
        )
    return snapshots
