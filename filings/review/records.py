"""What the bureau already holds about the filing numbers and domains of an application."""

from __future__ import annotations

from dataclasses import dataclass

from filings.applications.proposed import entity_id_hash, transfer_number
from filings.models import Application, RegistryRecord
from filings.payloads import read_domain_name, read_section
from filings.registry import RegistryError, get_registry


@dataclass(frozen=True)
class RecordMatch:
    """A bureau record, what led to it, and how it compares with the application."""

    record: RegistryRecord
    found_by: list[str]
    accessed_here: bool
    # None when the application states no entity ID to compare with.
    same_entity_id: bool | None


@dataclass(frozen=True)
class RegistryLookup:
    matches: list[RecordMatch]
    asked: list[str]
    error: str = ""


def _filing_numbers(application: Application) -> list[str]:
    numbers = [transfer_number(application.payload)]
    if application.website is not None:
        numbers.append(application.website.filing_number)
    entity = application.entity or (application.website.entity if application.website else None)
    if entity is not None:
        numbers.append(entity.filing_number)
    return [n for n in dict.fromkeys(numbers) if n]


def _domains(application: Application) -> list[str]:
    names = [
        read_domain_name(d.get("name")) for d in read_section(application.payload, "domains") or []
    ]
    if application.website is not None:
        names.extend(d.name for d in application.website.domains.all())
    return [n for n in dict.fromkeys(names) if n]


def registry_lookup(application: Application) -> RegistryLookup:
    """The bureau's records for the application's filing numbers and domains."""
    registry = get_registry()
    found: dict[int, tuple[RegistryRecord, list[str]]] = {}
    asked: list[str] = []
    try:
        for number in _filing_numbers(application):
            asked.append(number)
            record = registry.lookup_filing(number)
            if record is not None:
                found.setdefault(record.pk, (record, []))[1].append(number)
        for name in _domains(application):
            asked.append(name)
            record = registry.lookup_domain(name)
            if record is not None:
                found.setdefault(record.pk, (record, []))[1].append(name)
    except RegistryError as error:
        return RegistryLookup([], asked, error=str(error))
    wanted_hash = entity_id_hash(application)
    matches = [
        RecordMatch(
            record=record,
            found_by=by,
            accessed_here=registry.is_accessed_by(record),
            same_entity_id=(record.entity_id_hash == wanted_hash) if wanted_hash else None,
        )
        for record, by in found.values()
    ]
    return RegistryLookup(matches, asked)
