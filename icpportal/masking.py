"""Masks for personal data in lists, exports, logs and audit rows."""

from __future__ import annotations

import logging
import re

from django.utils.translation import gettext_lazy as _


def mask_id_number(value: str | None) -> str:
    """``110105********002X``: keeps the first 6 and the last 4 characters."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 6:
        return "*" * len(value)
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``138****5678`` for a mobile; landlines keep the area code and the last 4 digits."""
    if not value:
        return ""
    digits = value.strip()
    if digits.startswith("+86"):
        digits = digits[3:]
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_start = 3 if len(digits) >= 11 else max(1, len(digits) - 8)
    if "-" in digits:
        keep_start = digits.index("-") + 1
    return digits[:keep_start] + "*" * (len(digits) - keep_start - 4) + digits[-4:]


MASKED_FIELD_NAMES = {"id_number", "mobile", "landline", "office_phone", "emergency_phone", "phone"}


def mask_value(field: str, value):
    if value in (None, ""):
        return value
    if field == "id_number" or field.endswith("_id_number"):
        return mask_id_number(str(value))
    if field in MASKED_FIELD_NAMES or field.endswith("_phone") or field.endswith("_mobile"):
        return mask_phone(str(value))
    return value


def mask_mapping(data: dict) -> dict:
    """A copy of ``data`` (nested dicts too) with personal fields masked."""
    masked = {}
    for key, value in data.items():
        if isinstance(value, dict):
            masked[key] = mask_mapping(value)
        elif isinstance(value, list):
            masked[key] = [mask_mapping(v) if isinstance(v, dict) else v for v in value]
        else:
            masked[key] = mask_value(key, value)
    return masked


# 18-character resident IDs / credit codes, and Chinese mobile numbers, in free text.
_ID_RE = re.compile(r"(?<![0-9A-Z])([0-9]{6})([0-9A-Z]{8})([0-9A-Z]{3}[0-9A-Z])(?![0-9A-Z])")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    return _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskPersonalDataFilter(logging.Filter):
    """Masks ID and mobile numbers in every log line before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True


MASK_HELP = _("Shown masked; the full value is visible only on the detail page.")
