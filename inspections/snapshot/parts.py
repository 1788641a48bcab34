"""Everything the inspection rules know about one website, taken at one moment.

A :class:`Snapshot` is built either from the live rows (:func:`load_snapshots`, in bulk
for the workers) or from an application's proposed data (:func:`snapshot_from_application`,
for the pre-submit self-check), so both run the same rules on the same shape. Snapshots
are plain frozen data: a rule never reaches back into the database.

Personal ID numbers are on the snapshot in clear because checksum rules need them, but
:meth:`Snapshot.input_hash` sees them only through their keyed hash, and rules must not
put them unmasked into evidence.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from django.utils import timezone

from filings.choices import ApplicationKind
from filings.payloads import read_id_number, read_pre_approvals
from icpportal.crypto import keyed_hash

# Bumped when the snapshot's shape changes, so old input hashes are not compared to new.
SNAPSHOT_VERSION = 1
LIVE = "live"
APPLICATION = "application"

# Field metadata: left out of input_hash (a clear ID number, whose keyed hash sits
# beside it, or where the snapshot came from rather than what it says).
NOT_HASHED = {"hashed": False}

_frozen = dataclass(frozen=True, slots=True, kw_only=True)


@_frozen
class PreApprovalSnapshot:
    category: str = ""
    number: str = ""
    issuer: str = ""


@_frozen
class WebsiteSnapshot:
    id: int | None = None
    tenant_id: int | None = None
    name: str = ""
    homepage_url: str = ""
    content_category: str = ""
    pre_approvals: tuple[PreApprovalSnapshot, ...] = ()
    service_type: str = ""
    filing_number: str = ""
    filing_state: str = ""
    access_state: str = ""


@_frozen
class EntitySnapshot:
    id: int | None = None
    entity_type: str = ""
    name: str = ""
    id_type: str = ""
    id_number: str = field(default="", metadata=NOT_HASHED)
    id_number_hash: str = ""
    province_code: str = ""
    address: str = ""
    legal_representative: str = ""
    office_phone: str = ""
    emergency_phone: str = ""
    email: str = ""
    filing_number: str = ""
    state: str = ""
    # Filed websites of the entity here (the "many websites" material condition).
    website_count: int = 0


@_frozen
class PersonSnapshot:
    id: int | None = None
    name: str = ""
    id_type: str = ""
    id_number: str = field(default="", metadata=NOT_HASHED)
    id_number_hash: str = ""
    mobile: str = ""
    landline: str = ""
    email: str = ""
    mobile_verified_at: datetime.datetime | None = None


@_frozen
class DomainSnapshot:
    name: str = ""
    registrar: str = ""
    registrant_name: str = ""
    registrant_id_type: str = ""
    registrant_id_hash: str = ""
    expires_on: datetime.date | None = None
    real_name_status: str = "unknown"


@_frozen
class MaterialSnapshot:
    id: int | None = None
    kind: str = ""
    # What the file belongs to: "person", "website", "entity" or "application".
    owner: str = ""
    person_id: int | None = None
    content_type: str = ""
    document_number: str = field(default="", metadata=NOT_HASHED)
    document_number_hash: str = ""
    holder_name: str = ""
    valid_until: datetime.date | None = None
    signed_on: datetime.date | None = None
    uploaded_at: datetime.datetime | None = None
    integrity_ok: bool | None = None
    size: int = 0
    sha256: str = ""


@_frozen
class ProvinceSnapshot:
    code: str = ""
    name: str = ""
    prefix: str = ""
    domain_expiry_margin_days: int = 90
    landline_required: bool = False
    office_phone_distinct_from_head_mobile: bool = False
    emergency_phone_distinct_from_heads: bool = True
    unique_across_entities: bool = False
    head_must_be_legal_representative: bool = True
    verification_form_max_age_days: int | None = None
    residence_permit_for_non_local: bool = False
    source: str = ""
    verified_on: datetime.date | None = None


@_frozen
class MaterialRequirementSnapshot:
    material_kind: str = ""
    entity_type: str = ""
    province_code: str = ""
    condition: str = ""
    max_age_days: int | None = None


@_frozen
class RegistrySnapshot:
    """The bureau's record of the website's filing."""

    entity_filing_number: str = ""
    website_filing_number: str = ""
    entity_name: str = ""
    entity_type: str = ""
    entity_id_type: str = ""
    entity_id_hash: str = ""
    province_code: str = ""
    website_name: str = ""
    access_providers: tuple[str, ...] = ()
    status: str = ""
    domains: tuple[str, ...] = ()


@_frozen
class Snapshot:
    """One website as the rules see it: its entity, heads, domains, materials and rules.

    ``lookups`` holds what the worker looked up before the rules run, by look-up name
    (``"dns"``, ``"rdap"``): JSON data in a stable order, no clear ID numbers.
    """

    as_of: datetime.date
    website: WebsiteSnapshot = field(default_factory=WebsiteSnapshot)
    entity: EntitySnapshot = field(default_factory=EntitySnapshot)
    entity_head: PersonSnapshot = field(default_factory=PersonSnapshot)
    website_head: PersonSnapshot = field(default_factory=PersonSnapshot)
    domains: tuple[DomainSnapshot, ...] = ()
    materials: tuple[MaterialSnapshot, ...] = ()
    province: ProvinceSnapshot | None = None
    material_requirements: tuple[MaterialRequirementSnapshot, ...] = ()
    registry: RegistrySnapshot | None = None
    application_kind: str = ApplicationKind.FIRST_FILING
    lookups: Mapping[str, Any] = field(default_factory=dict)
    source: str = field(default=LIVE, metadata=NOT_HASHED)
    application_id: int | None = field(default=None, metadata=NOT_HASHED)

    def with_lookups(self, lookups: Mapping[str, Any]) -> Snapshot:
        """A copy carrying these look-up answers."""
        return replace(self, lookups=dict(lookups))

    def canonical_json(self) -> str:
        """The snapshot as canonical JSON: sorted keys, ISO dates, no clear ID numbers.

        What is hashed: every field of the snapshot and of its parts except those marked
        ``NOT_HASHED`` (clear ID numbers, whose keyed hashes are there; the source), as
        objects keyed by field name; the look-ups as they are; records (domains,
        materials, requirements, pre-approvals) and sets sorted, so their order does
        not count; datetimes in UTC. ``SNAPSHOT_VERSION`` names this shape.
        """
        return _CanonicalWriter().write(self)

    def input_hash(self) -> str:
        """SHA-256 of :meth:`canonical_json`: equal data gives an equal hash, in any process."""
        return input_hashes([self])[0]


def input_hashes(snapshots: Iterable[Snapshot]) -> list[str]:
    """:meth:`Snapshot.input_hash` of each snapshot, in order; the parts they share (an
    entity's, its heads', the province's, the material requirements) are written once."""
    writer = _CanonicalWriter()
    return [hashlib.sha256(writer.write(s).encode()).hexdigest() for s in snapshots]


class _CanonicalWriter:
    """Writes snapshots as canonical JSON, each part object once while the writer lives
    (parts are frozen, so an object written once reads the same the next time)."""

    def __init__(self) -> None:
        # id(part) -> [part (kept alive, so the id stays its own), compact, spaced]
        self._parts: dict[int, list[Any]] = {}

    def write(self, snapshot: Snapshot) -> str:
        values = {"snapshot_version": _encode_compact(SNAPSHOT_VERSION)}
        for name in _hashed_fields(Snapshot):
            values[name] = self._value(getattr(snapshot, name))
        # What json.dumps(..., sort_keys=True) writes for these values, part by part.
        pairs = (f"{_encode_compact(name)}:{values[name]}" for name in sorted(values))
        return "{" + ",".join(pairs) + "}"

    def _value(self, value: Any) -> str:
        if is_dataclass(value):
            return self._written(value)[1]
        if type(value) is tuple and value and is_dataclass(value[0]):
            # Records are a set: their order must not change the hash.
            items = sorted(value, key=self._spaced) if len(value) > 1 else value
            return "[" + ",".join(self._written(item)[1] for item in items) + "]"
        return _encode_compact(value)

    def _written(self, part: Any) -> list[Any]:
        entry = self._parts.get(id(part))
        if entry is None:
            entry = self._parts[id(part)] = [part, _encode_compact(part), None]
        return entry

    def _spaced(self, part: Any) -> str:
        entry = self._written(part)
        if entry[2] is None:
            entry[2] = _encode_spaced(part)
        return entry[2]


@functools.cache
def _hashed_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.metadata.get("hashed", True))


def _record(value: Any) -> dict[str, Any]:
    """A snapshot part as a JSON object of its hashed fields, its records in order."""
    data = {}
    for name in _hashed_fields(type(value)):
        item = getattr(value, name)
        if type(item) is tuple and len(item) > 1 and is_dataclass(item[0]):
            # Records are a set: their order must not change the hash.
            item = sorted(item, key=_encode_spaced)
        data[name] = item
    return data


def _plain(value: Any) -> Any:
    """What the JSON encoder cannot write itself, as plain JSON data (its ``default``)."""
    if is_dataclass(value):
        return _record(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=_encode_spaced)
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    return str(value)


# The C encoder walks the data; only parts, dates and sets call back into Python. The
# spaced form orders records and sets, the compact form is what is hashed.
_encode_compact = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
).encode
_encode_spaced = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=_plain).encode


def _keyed(value: Any) -> str:
    value = read_id_number(value)
    return keyed_hash(value) if value else ""


def _pre_approvals(value: Any) -> tuple[PreApprovalSnapshot, ...]:
    return tuple(PreApprovalSnapshot(**entry) for entry in read_pre_approvals(value))
