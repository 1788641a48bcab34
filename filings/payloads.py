"""What an application proposes: the schema of ``Application.payload``, version 1.

An application carries the customer's proposed data as JSON, grouped in sections; which
sections an application has depends on its kind. Nothing live changes until the
application is approved. Materials are not part of the payload: a Material row points
to its application through its ``application`` foreign key.

A section is a flat object of the fields below, except ``domains`` (a list of domain
objects). A person section either holds the person's data or ``{"person_id": n}`` to
reuse a person already on file. Dates are ISO strings (``"2027-05-01"``). A draft may
leave any field out; readers treat a missing field as empty.

Fields are addressed by paths: ``"entity.id_number"``, ``"domains.0.expires_on"`` (see
:func:`field_path`); inspection outcomes use them to point at the field to fix.
"""

from __future__ import annotations

import datetime
from types import MappingProxyType
from typing import Any, TypedDict

from filings.choices import ApplicationKind

# Bump when a section's fields change, and teach the readers the older version.
SCHEMA_VERSION = 1

PERSON_REFERENCE = "person_id"


class EntitySection(TypedDict, total=False):
    entity_type: str
    name: str
    id_type: str
    id_number: str
    province: str  # division code of the ProvinceRule, e.g. "110000"
    address: str
    legal_representative: str
    office_phone: str
    emergency_phone: str
    email: str


class PersonSection(TypedDict, total=False):
    person_id: int  # reuse a person on file instead of the fields below
    name: str
    id_type: str
    id_number: str
    mobile: str
    landline: str
    email: str


class PreApproval(TypedDict, total=False):
    category: str
    number: str
    issuer: str


class WebsiteSection(TypedDict, total=False):
    name: str
    homepage_url: str
    content_category: str
    pre_approvals: list[PreApproval]
    service_type: str


class DomainEntry(TypedDict, total=False):
    name: str
    registrar: str
    registrant_name: str
    registrant_id_type: str
    registrant_id_number: str
    expires_on: str  # ISO date


class TransferSection(TypedDict, total=False):
    filing_number: str  # the website filing number held at another provider


class ReasonSection(TypedDict, total=False):
    text: str


class Payload(TypedDict, total=False):
    entity: EntitySection
    entity_head: PersonSection
    website: WebsiteSection
    website_head: PersonSection
    domains: list[DomainEntry]
    transfer: TransferSection
    reason: ReasonSection


# Section name -> the TypedDict of one entry.
SECTION_SCHEMAS: MappingProxyType[str, type] = MappingProxyType(
    {
        "entity": EntitySection,
        "entity_head": PersonSection,
        "website": WebsiteSection,
        "website_head": PersonSection,
        "domains": DomainEntry,
        "transfer": TransferSection,
        "reason": ReasonSection,
    }
)

# Sections that hold a list of entries rather than one object.
LIST_SECTIONS = frozenset({"domains"})
# Fields that hold a list.
LIST_FIELDS = frozenset({"pre_approvals"})

_REASON_ONLY = ("reason",)

# Which sections each kind of application proposes, in the order the wizard asks.
# new_website adds a website to the entity the application points to (its entity FK).
KIND_SECTIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        ApplicationKind.FIRST_FILING: (
            "entity",
            "entity_head",
            "website",
            "website_head",
            "domains",
        ),
        ApplicationKind.NEW_WEBSITE: ("website", "website_head", "domains"),
        ApplicationKind.TRANSFER: ("transfer", "website", "website_head", "domains"),
        ApplicationKind.CHANGE_ENTITY: ("entity", "entity_head"),
        ApplicationKind.CHANGE_WEBSITE: ("website", "website_head", "domains"),
        ApplicationKind.CHANGE_ACCESS: ("domains",),
        ApplicationKind.CANCEL_ACCESS: _REASON_ONLY,
        ApplicationKind.DEREGISTER_WEBSITE: _REASON_ONLY,
        ApplicationKind.DEREGISTER_ENTITY: _REASON_ONLY,
    }
)


# A transfer of a filing whose entity is not on file yet also describes the entity.
_EXTRA_SECTIONS = {ApplicationKind.TRANSFER: ("entity", "entity_head")}


def payload_sections(kind: str) -> tuple[str, ...]:
    """The sections an application of this kind proposes."""
    try:
        return KIND_SECTIONS[kind]
    except KeyError:
        raise KeyError(f"Unknown application kind {kind!r}.") from None


def editable_sections(kind: str) -> tuple[str, ...]:
    """The payload sections a draft of ``kind`` may hold: its own and the extra ones."""
    return payload_sections(kind) + _EXTRA_SECTIONS.get(kind, ())


def section_fields(section: str) -> tuple[str, ...]:
    """The fields of one section (of one entry, for ``domains``)."""
    fields = tuple(SECTION_SCHEMAS[section].__annotations__)
    # The empty form of a person is "a new person": the reference is the alternative.
    return tuple(name for name in fields if name != PERSON_REFERENCE)


def empty_section(section: str) -> dict[str, Any]:
    """One entry of ``section`` with every field empty."""
    return {name: [] if name in LIST_FIELDS else "" for name in section_fields(section)}


def empty_payload(kind: str) -> dict[str, Any]:
    """A new draft's payload: every section of the kind, every field empty."""
    return {
        section: [] if section in LIST_SECTIONS else empty_section(section)
        for section in payload_sections(kind)
    }


def field_path(section: str, field: str, index: int | None = None) -> str:
    """The path of a payload field: ``entity.id_number`` or ``domains.0.expires_on``."""
    if index is None:
        return f"{section}.{field}"
    return f"{section}.{index}.{field}"


def read_section(payload: Any, section: str) -> dict[str, Any] | list[dict[str, Any]] | None:
    """A section of a (possibly incomplete or malformed) payload, or None when absent.

    Readers of drafts use this rather than indexing: a draft is incomplete by nature,
    and a value of the wrong shape counts as missing rather than raising.
    """
    if not isinstance(payload, dict) or section not in payload:
        return None
    value = payload[section]
    if section in LIST_SECTIONS:
        if not isinstance(value, list):
            return []
        return [entry for entry in value if isinstance(entry, dict)]
    return value if isinstance(value, dict) else {}


# Lenient readers of draft values: a wrong type or a bad date reads as empty.


def read_text(value: Any) -> str:
    return "" if value is None else str(value)


def read_id_number(value: Any) -> str:
    """An ID document number the way the models store it: trimmed, upper case."""
    return read_text(value).strip().upper()


def read_domain_name(value: Any) -> str:
    """A domain name the way ``Domain`` stores it: trimmed, no final dot, lower case."""
    return read_text(value).strip().rstrip(".").lower()


def read_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def read_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_pre_approvals(value: Any) -> list[PreApproval]:
    """Every pre-approval with its three fields as text (a bare string is a number)."""
    entries = value if isinstance(value, list) else []
    return [
        {key: read_text(entry.get(key)) for key in ("category", "number", "issuer")}
        if isinstance(entry, dict)
        else {"category": "", "number": read_text(entry), "issuer": ""}
        for entry in entries
    ]
