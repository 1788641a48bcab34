"""Drafts: the shape of what a wizard step may save, and how long a draft lives.

A step saves one payload section at a time. The values are kept as typed (the
self-check judges them at submission); here only the shape is checked, so a wrong
key or a person of another account never reaches the payload.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from filings.applications.proposed import prefill_transfer, transfer_number, transfer_record
from filings.models import Person
from filings.payloads import (
    LIST_FIELDS,
    LIST_SECTIONS,
    PERSON_REFERENCE,
    editable_sections,
    read_int,
    section_fields,
)
from filings.validators import validate_website_filing_number

# An untouched draft expires after 45 days, with reminders after 30 and 40 (DOMAIN.md).
DRAFT_LIFETIME = datetime.timedelta(days=45)
REMINDER_DAYS = (30, 40)

_HEAD_SECTIONS = frozenset({"entity_head", "website_head"})


def is_payload_path(kind: str, path: str) -> bool:
    """Whether ``path`` names a section or field of a ``kind`` application
    (``website``, ``entity.id_number``, ``domains.0``, ``domains.0.expires_on``)."""
    parts = path.split(".")
    section = parts[0]
    if section not in editable_sections(kind):
        return False
    fields = set(section_fields(section))
    if section in _HEAD_SECTIONS:
        fields.add(PERSON_REFERENCE)
    if len(parts) == 1:
        return True
    if section in LIST_SECTIONS:
        if not parts[1].isdigit():
            return False
        return len(parts) == 2 or (len(parts) == 3 and parts[2] in fields)
    return len(parts) == 2 and parts[1] in fields


def _text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value)


def _clean_entry(
    tenant_id: int, section: str, data: Any, path: str, errors: dict[str, list[str]]
) -> dict[str, Any]:
    if not isinstance(data, dict):
        errors[path] = [_("This part of the application has the wrong shape.")]
        return {}
    allowed = set(section_fields(section))
    if section in _HEAD_SECTIONS:
        allowed.add(PERSON_REFERENCE)
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}.{key}"
        if key not in allowed:
            errors[where] = [_("This application has no such field.")]
        elif key == PERSON_REFERENCE:
            person_id = read_int(value)
            if not Person.objects.filter(tenant_id=tenant_id, pk=person_id).exists():
                errors[where] = [_("This person is not on file in your account.")]
            else:
                cleaned[key] = person_id
        elif key in LIST_FIELDS:
            entries = value if isinstance(value, list) else None
            if entries is None or not all(isinstance(e, dict | str) for e in entries):
                errors[where] = [_("Enter a list.")]
            else:
                cleaned[key] = entries
        elif (text := _text(value)) is None:
            errors[where] = [_("Enter text.")]
        else:
            cleaned[key] = text
    return cleaned


def clean_section(
    tenant_id: int, kind: str, section: str, data: Any, errors: dict[str, list[str]]
) -> Any:
    """The section as the payload will hold it; problems are added to ``errors``."""
    if section not in editable_sections(kind):
        errors[section] = [_("This application has no such section.")]
        return None
    if section in LIST_SECTIONS:
        if not isinstance(data, list):
            errors[section] = [_("This part of the application has the wrong shape.")]
            return None
        return [
            _clean_entry(tenant_id, section, entry, f"{section}.{index}", errors)
            for index, entry in enumerate(data)
        ]
    return _clean_entry(tenant_id, section, data, section, errors)


def prefill_transfer_section(payload: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Check a transfer's filing number and pre-fill the website from the bureau."""
    number = transfer_number(payload)
    if not number:
        return
    field = "transfer.filing_number"
    try:
        validate_website_filing_number(number)
    except ValidationError as error:
        errors[field] = list(error.messages)
        return
    record = transfer_record(payload)
    if record is None:
        errors[field] = [_("The bureau holds no website filing with this number.")]
        return
    prefill_transfer(payload, record)
