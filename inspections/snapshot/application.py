"""Snapshots of an application's draft: its payload laid over the live rows."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils import timezone

from filings.choices import ApplicationKind
from filings.models import (
    Application,
    Entity,
    Person,
    ProvinceRule,
    Website,
)
from filings.payloads import (
    PERSON_REFERENCE,
    editable_sections,
    read_date,
    read_domain_name,
    read_id_number,
    read_int,
    read_section,
    read_text,
    section_fields,
)
from inspections.snapshot.live import (
    _LIVE_MATERIAL,
    _WEBSITE_RELATED,
    _applicable,
    _domain_rows,
    _entity_part,
    _filed_website_count,
    _material_rows,
    _part,
    _province_part,
    _registry_by_number,
    _requirements,
    _sorted_materials,
    _website_part,
)
from inspections.snapshot.parts import (
    APPLICATION,
    DomainSnapshot,
    EntitySnapshot,
    PersonSnapshot,
    Snapshot,
    WebsiteSnapshot,
    _keyed,
    _pre_approvals,
)

# ---- from an application's payload ---------------------------------------------------

# Kinds whose approval adds a website to the entity.
_ADDS_WEBSITE = {
    ApplicationKind.FIRST_FILING,
    ApplicationKind.NEW_WEBSITE,
    ApplicationKind.TRANSFER,
}
# Payload field -> snapshot field, where the names differ.
_RENAMED = {"province": "province_code", "registrant_id_number": "registrant_id_hash"}


_READERS = {
    "id_number": read_id_number,
    "registrant_id_number": _keyed,
    "pre_approvals": _pre_approvals,
    "expires_on": read_date,
}


def _overlay(base: Any, values: Mapping[str, Any] | None, section: str) -> Any:
    """``base`` with the fields the payload section sets; other keys are ignored."""
    if not values:
        return base
    changes = {
        _RENAMED.get(key, key): _READERS.get(key, read_text)(values[key])
        for key in section_fields(section)
        if key in values
    }
    if "id_number" in changes:
        changes["id_number_hash"] = _keyed(changes["id_number"])
    return replace(base, **changes)


def _overlay_person(
    base: PersonSnapshot, values: Mapping[str, Any] | None, people: Mapping[int, PersonSnapshot]
) -> PersonSnapshot:
    if values is None:
        return base
    if PERSON_REFERENCE in values:
        base = people.get(read_int(values[PERSON_REFERENCE]), PersonSnapshot())
    person = _overlay(base, values, "entity_head")
    if person.id_number_hash != base.id_number_hash:
        # Another person: neither the row nor its SMS verification carries over.
        return replace(person, id=None, mobile_verified_at=None)
    if person.mobile != base.mobile:
        return replace(person, mobile_verified_at=None)
    return person


def _referenced_people(tenant_id: int, sections: list[Any]) -> dict[int, PersonSnapshot]:
    # Only the application's own tenant's persons can be reused.
    ids = {read_int(s.get(PERSON_REFERENCE)) for s in sections if s and PERSON_REFERENCE in s}
    ids.discard(None)
    if not ids:
        return {}
    return {
        p.pk: _part(PersonSnapshot, p)
        for p in Person.objects.filter(tenant_id=tenant_id, pk__in=ids)
    }


def _domain_entry(entry: Mapping[str, Any], live: Mapping[str, DomainSnapshot]) -> DomainSnapshot:
    name = read_domain_name(entry.get("name"))
    return replace(_overlay(live.get(name, DomainSnapshot()), entry, "domains"), name=name)


def snapshot_from_application(
    application: Application, *, as_of: datetime.date | None = None
) -> Snapshot:
    """The website as it would be if this application were approved as it stands.

    The payload is laid over the live entity and website the application is about;
    its materials join the live ones. A draft is incomplete by nature: a missing or
    malformed field becomes an empty value, never an exception.
    """
    as_of = as_of or timezone.localdate()
    kind = application.kind
    # A transfer's entity sections count once the customer filled them in.
    sections = set(editable_sections(kind))

    def section(name: str) -> Any:
        return read_section(application.payload, name) if name in sections else None

    website_row = entity_row = None
    if application.website_id:
        website_row = (
            Website.objects.select_related(*_WEBSITE_RELATED)
            .annotate(entity_website_count=_filed_website_count("entity_id"))
            .filter(pk=application.website_id)
            .first()
        )
    if website_row is not None:
        entity_row = website_row.entity
        entity_row.entity_website_count = website_row.entity_website_count
    elif application.entity_id:
        entity_row = (
            Entity.objects.select_related("head", "province")
            .annotate(entity_website_count=_filed_website_count("pk"))
            .filter(pk=application.entity_id)
            .first()
        )

    website = WebsiteSnapshot(tenant_id=application.tenant_id)
    entity, entity_head, website_head = EntitySnapshot(), PersonSnapshot(), PersonSnapshot()
    live_domains: dict[str, DomainSnapshot] = {}
    if entity_row is not None:
        added = 1 if kind in _ADDS_WEBSITE else 0
        entity = _entity_part(entity_row, entity_row.entity_website_count + added)
        entity_head = _part(PersonSnapshot, entity_row.head)
    elif kind in _ADDS_WEBSITE:
        entity = replace(entity, website_count=1)
    if website_row is not None:
        website = _website_part(website_row)
        website_head = _part(PersonSnapshot, website_row.head)
        live_domains = {d.name: d for _, d in _domain_rows(Q(website_id=website_row.pk))}

    transfer_number = read_text((section("transfer") or {}).get("filing_number")).strip()
    registry = _registry_by_number([transfer_number or website.filing_number])
    registry_record = registry.get(transfer_number or website.filing_number)
    if transfer_number and not website.filing_number:
        website = replace(website, filing_number=transfer_number)
    if entity_row is None and registry_record is not None:
        # A transfer of a filing held elsewhere: the bureau knows the entity.
        entity = replace(
            entity,
            entity_type=registry_record.entity_type,
            name=registry_record.entity_name,
            id_type=registry_record.entity_id_type,
            id_number_hash=registry_record.entity_id_hash,
            province_code=registry_record.province_code,
            filing_number=registry_record.entity_filing_number,
        )

    heads = [section("entity_head"), section("website_head")]
    people = _referenced_people(application.tenant_id, heads)
    entity = _overlay(entity, section("entity"), "entity")
    entity_head = _overlay_person(entity_head, section("entity_head"), people)
    website = _overlay(website, section("website"), "website")
    website_head = _overlay_person(website_head, section("website_head"), people)
    domains = tuple(live_domains.values())
    if (entries := section("domains")) is not None:
        domains = tuple(_domain_entry(entry, live_domains) for entry in entries)

    province = _province_part(entity_row.province) if entity_row is not None else None
    if entity.province_code and (province is None or province.code != entity.province_code):
        province = _province_part(ProvinceRule.objects.filter(code=entity.province_code).first())

    owned = Q(pk__in=[])
    for owner, pk in (("website", website.id), ("entity", entity.id)):
        if pk:
            owned |= Q(**{f"{owner}_id": pk})
    person_ids = {p.id for p in (entity_head, website_head) if p.id}
    if person_ids:
        owned |= Q(person_id__in=person_ids)
    own = Q(application_id=application.pk) if application.pk else Q(pk__in=[])
    materials = [part for _, part in _material_rows(own | (_LIVE_MATERIAL & owned))]

    return Snapshot(
        as_of=as_of,
        website=website,
        entity=entity,
        entity_head=entity_head,
        website_head=website_head,
        domains=domains,
        materials=_sorted_materials(materials),
        province=province,
        material_requirements=_applicable(_requirements(kind), entity),
        registry=registry_record,
        application_kind=kind,
        source=APPLICATION,
        application_id=application.pk,
    )
