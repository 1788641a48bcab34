"""Reading what an application proposes into model values, and back.

The payload holds text as the customer typed it (see ``filings.payloads``); these
readers turn a section into the values the live rows store (trimmed, upper-case ID
numbers, E.164 phones, IDNA domains, dates). An empty value never erases a field a
row cannot do without, so a partial change section keeps the rest as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError

from filings.choices import ApplicationKind, ServiceType
from filings.models import Application, Domain, Entity, Person, RegistryRecord, Website
from filings.payloads import (
    PERSON_REFERENCE,
    empty_payload,
    payload_sections,
    read_date,
    read_domain_name,
    read_id_number,
    read_int,
    read_pre_approvals,
    read_section,
    read_text,
    section_fields,
)
from filings.validators import normalize_phone, to_idna
from icpportal.crypto import keyed_hash

# Fields a row must keep: an empty proposed value leaves the live one alone.
REQUIRED = {
    "entity": ("entity_type", "name", "id_type", "id_number", "province", "address"),
    "person": ("name", "id_type", "id_number", "mobile"),
    "website": ("name", "homepage_url", "content_category"),
    "domains": ("name",),
    "transfer": ("filing_number",),
    "reason": ("text",),
}
_PHONE_FIELDS = frozenset({"mobile", "landline", "office_phone", "emergency_phone"})
# Payload field -> model field, where the names differ.
_MODEL_FIELD = {"province": "province_id"}


def _phone(value: Any) -> str:
    text = read_text(value).strip()
    try:
        return normalize_phone(text) if text else ""
    except ValidationError:
        return text  # kept as typed, so the model's validator names the problem


def _domain_name(value: Any) -> str:
    name = read_domain_name(value)
    try:
        return to_idna(name) if name else ""
    except ValidationError:
        return name


def read_value(name: str, value: Any) -> Any:
    """One payload value the way the live rows store it."""
    if name in ("id_number", "registrant_id_number"):
        return read_id_number(value)
    if name in _PHONE_FIELDS:
        return _phone(value)
    if name == "pre_approvals":
        return read_pre_approvals(value)
    if name == "expires_on":
        return read_date(value)
    return read_text(value).strip()


def section_values(section: str, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The model values a payload section sets (only the fields it holds)."""
    if not values:
        return {}
    kind = "person" if section in ("entity_head", "website_head") else section
    required = REQUIRED.get(kind, ())
    result = {}
    for name in section_fields(section):
        if name not in values:
            continue
        value = read_value(name, values[name])
        if name in required and value in ("", None):
            continue
        result[_MODEL_FIELD.get(name, name)] = value
    if section == "domains" and "name" in result:
        result["name"] = _domain_name(values.get("name"))
    if section == "website" and "service_type" in result and not result["service_type"]:
        result["service_type"] = ServiceType.WEBSITE
    return result


def assign(obj: Any, values: Mapping[str, Any]) -> list[str]:
    """Set ``values`` on ``obj``; returns the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        try:
            current = getattr(obj, name)
        except ObjectDoesNotExist:  # a relation not set yet on a new row
            current = None
        if current != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def section(application: Application, name: str) -> Any:
    """A payload section of the application, or None when the payload has none."""
    return read_section(application.payload, name)


def is_blank(values: Any) -> bool:
    """Whether a section (or entry) holds nothing at all: every value empty."""
    if not values:
        return True
    if isinstance(values, Mapping):
        return all(
            is_blank(v) if isinstance(v, list | dict) else read_text(v).strip() == ""
            for v in values.values()
        )
    if isinstance(values, list):
        return all(is_blank(v) for v in values)
    return read_text(values).strip() == ""


def person_for(tenant_id: int, values: Mapping[str, Any] | None, fallback: Person | None):
    """The person a head section names, with the proposed changes set (not saved).

    ``{"person_id": n}`` reuses one of the tenant's persons (None when the tenant
    has no such person); a typed-in person is the tenant's person with the same ID
    document when there is one (one row per person and account), else a new row.
    No section: ``fallback``.
    """
    if is_blank(values):
        return fallback
    fields = section_values("entity_head", values)
    if PERSON_REFERENCE in values:
        # Only the application's own tenant's persons can be named.
        person = Person.objects.filter(
            tenant_id=tenant_id, pk=read_int(values[PERSON_REFERENCE])
        ).first()
        if person is None:
            return None
    elif fields.get("id_number"):
        person = Person.objects.filter(
            tenant_id=tenant_id,
            id_type=fields.get("id_type", ""),
            id_number_hash=keyed_hash(fields["id_number"]),
        ).first()
    else:
        person = None
    person = person or Person(tenant_id=tenant_id)
    old_mobile = person.mobile
    assign(person, fields)
    if person.pk and person.mobile != old_mobile:
        # A new number has not been proven reachable yet.
        person.mobile_verified_at = None
    return person


def entity_id_hash(application: Application) -> str:
    """The keyed hash of the entity's ID number as the application states it."""
    values = section(application, "entity") or {}
    number = read_id_number(values.get("id_number")) if isinstance(values, dict) else ""
    if number:
        return keyed_hash(number)
    if application.entity_id:
        return application.entity.id_number_hash
    record = transfer_record(application.payload)
    return record.entity_id_hash if record else ""


def transfer_number(payload: Any) -> str:
    values = read_section(payload, "transfer") or {}
    return read_text(values.get("filing_number")).strip()


def transfer_record(payload: Any) -> RegistryRecord | None:
    """The bureau's record of the website filing a transfer moves here."""
    number = transfer_number(payload)
    if not number:
        return None
    return (
        RegistryRecord.objects.filter(website_filing_number=number)
        .prefetch_related("domains")
        .first()
    )


def prefill_transfer(payload: dict[str, Any], record: RegistryRecord) -> dict[str, Any]:
    """The transfer payload with the website's name and domains taken from the bureau's
    record where the customer has not entered them yet."""
    website = dict(read_section(payload, "website") or {})
    if not read_text(website.get("name")).strip():
        website["name"] = record.website_name
    payload["website"] = website
    if not read_section(payload, "domains"):
        payload["domains"] = [{"name": d.name} for d in record.domains.all()]
    return payload


def _entity_section(entity: Entity) -> dict[str, Any]:
    return {
        "entity_type": entity.entity_type,
        "name": entity.name,
        "id_type": entity.id_type,
        "id_number": entity.id_number,
        "province": entity.province_id,
        "address": entity.address,
        "legal_representative": entity.legal_representative,
        "office_phone": entity.office_phone,
        "emergency_phone": entity.emergency_phone,
        "email": entity.email,
    }


def _website_section(website: Website) -> dict[str, Any]:
    return {
        "name": website.name,
        "homepage_url": website.homepage_url,
        "content_category": website.content_category,
        "pre_approvals": list(website.pre_approvals or []),
        "service_type": website.service_type,
    }


def _domain_entry(domain: Domain) -> dict[str, Any]:
    return {
        "name": domain.name,
        "registrar": domain.registrar,
        "registrant_name": domain.registrant_name,
        "registrant_id_type": domain.registrant_id_type,
        "registrant_id_number": domain.registrant_id_number,
        "expires_on": domain.expires_on.isoformat() if domain.expires_on else "",
    }


def initial_payload(
    kind: str, *, entity: Entity | None = None, website: Website | None = None
) -> dict[str, Any]:
    """A new application's payload: the live data where the kind changes live rows,
    empty sections otherwise (heads by reference to the person on file)."""
    payload = empty_payload(kind)
    if kind not in (
        ApplicationKind.CHANGE_ENTITY,
        ApplicationKind.CHANGE_WEBSITE,
        ApplicationKind.CHANGE_ACCESS,
    ):
        return payload
    sections = payload_sections(kind)
    if entity is not None and "entity" in sections:
        payload["entity"] = _entity_section(entity)
        payload["entity_head"] = {PERSON_REFERENCE: entity.head_id}
    if website is not None:
        if "website" in sections:
            payload["website"] = _website_section(website)
            payload["website_head"] = {PERSON_REFERENCE: website.head_id}
        payload["domains"] = [_domain_entry(d) for d in website.domains.filter(is_active=True)]
    return payload
