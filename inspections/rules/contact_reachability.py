"""Rule 2 of the special inspection: can the provider and the bureau reach the people in charge?

Every number must be valid for the field it is in (a mobile where SMS codes are sent,
a landline with its area code where a landline is asked for), the province's
distinctness rules must hold, and each head's mobile must have passed the SMS
self-inspection recently.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from filings.payloads import payload_sections
from filings.reference_data import PROVINCES
from filings.validators import cn_number_type, is_valid_cn_number
from icpportal.masking import mask_phone
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import APPLICATION, PersonSnapshot, ProvinceSnapshot, Snapshot

DEFAULT_MAX_AGE_DAYS = 365
# Before this date a mobile that was never verified is only a warning: the first
# campaign runs before most customers have done the self-inspection, and must not
# push every site toward blocking.
DEFAULT_UNVERIFIED_BLOCKING_FROM = datetime.date(2027, 7, 1)

# Every message of this rule, by problem code (one place for translators).
MESSAGES = {
    "mobile_missing": _("No mobile number is given for the %(role)s."),
    "mobile_is_landline": _(
        "The mobile number of the %(role)s is a landline (%(number)s): SMS verification "
        "codes cannot reach it."
    ),
    "mobile_is_service": _(
        "The mobile number of the %(role)s is a 400/800 service number (%(number)s): SMS "
        "verification codes cannot reach it."
    ),
    "mobile_invalid": _("The mobile number of the %(role)s (%(number)s) is not a valid number."),
    "landline_is_mobile": _("The landline of the %(role)s (%(number)s) is a mobile number."),
    "landline_invalid": _(
        "The landline of the %(role)s (%(number)s) is not a valid landline number with its "
        "area code."
    ),
    "mobile_never_verified": _(
        "The mobile number %(number)s of the %(role)s has never passed SMS verification."
    ),
    "mobile_verification_stale": _(
        "The mobile number %(number)s of the %(role)s was last verified by SMS on %(date)s, "
        "more than %(max)s days ago."
    ),
    "office_phone_invalid": _("The office phone %(number)s is not a valid Chinese phone number."),
    "emergency_phone_missing": _("No emergency phone is given."),
    "emergency_phone_invalid": _(
        "The emergency phone %(number)s is not a valid Chinese phone number."
    ),
    "emergency_phone_is_service": _(
        "The emergency phone %(number)s is a 400/800 service number; give a number that "
        "reaches a person directly."
    ),
    "office_phone_distinct_from_head_mobile": _(
        "%(province)s requires the entity's office phone to differ from the entity head's "
        "mobile number; both are %(number)s."
    ),
    "emergency_phone_distinct_from_heads": _(
        "%(province)s requires the emergency phone to differ from the phones of the heads, "
        "but %(number)s is also the %(phone)s of the %(role)s."
    ),
    "landline_required": _(
        "%(province)s requires a landline: give the entity's office phone or a head's "
        "landline as a landline number with its area code."
    ),
}
_ROLE_LABELS = {
    ("entity_head",): _("entity head"),
    ("website_head",): _("website head"),
    ("entity_head", "website_head"): _("entity head and website head"),
}
_PHONE_LABELS = {"mobile": _("mobile number"), "landline": _("landline")}
_ENGLISH_PROVINCE_NAMES = {row[0]: row[2] for row in PROVINCES}
_PROVINCE_FLAGS = (
    "office_phone_distinct_from_head_mobile",
    "emergency_phone_distinct_from_heads",
    "landline_required",
)


def _problem(code: str, field: str, kind: str = "blocking", **params: Any) -> Problem:
    return Problem(code, MESSAGES[code] % params, field, kind)


def province_label(province: ProvinceSnapshot) -> str:
    """The province's name in the active language (北京 / Beijing)."""
    if (translation.get_language() or "").startswith("zh"):
        return province.name or province.code
    return _ENGLISH_PROVINCE_NAMES.get(province.code, province.name or province.code)


# Parsing a number is the costliest step of this rule and each number is read several
# times per website (its type, its masked form, its E.164 form): parse each once.
_PHONES_CACHED = 8192


@dataclass(frozen=True, slots=True)
class _Phone:
    kind: str | None  # "mobile", "landline", "service", or None when not valid
    masked: str
    e164: str | None


@functools.lru_cache(maxsize=_PHONES_CACHED)
def _phone(value: str) -> _Phone:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return _Phone(None, mask_phone(value), None)
    valid = is_valid_cn_number(number)
    kind = cn_number_type(number) if valid else None
    national = phonenumbers.national_significant_number(number)
    # Only a landline shows its area code (and finding it types the number once more).
    area = phonenumbers.length_of_geographical_area_code(number) if kind == "landline" else 0
    masked = mask_phone(f"0{national[:area]}-{national[area:]}" if area else national)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _Phone(kind, masked, e164 if valid else None)


def phone_type(value: str) -> str | None:
    return _phone(value).kind


def masked_phone(value: str) -> str:
    """A number masked the way staff read it: ``139****0071``, ``021-****1299``."""
    return _phone(value).masked


def _e164(value: str) -> str | None:
    return _phone(value).e164 if value else None


def _setting_date(name: str, default: datetime.date) -> datetime.date:
    value = getattr(settings, name, default)
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass(frozen=True)
class _Head:
    """One person in charge, once even when they head both the entity and the website."""

    person: PersonSnapshot
    roles: tuple[str, ...]
    section: str  # the payload section whose fields the problems point at

    @property
    def label(self) -> str:
        return str(_ROLE_LABELS[self.roles])


def _same_person(a: PersonSnapshot, b: PersonSnapshot) -> bool:
    if a.id is not None and a.id == b.id:
        return True
    return bool(a.id_number_hash) and a.id_number_hash == b.id_number_hash


def _heads(snapshot: Snapshot) -> list[_Head]:
    if not _same_person(snapshot.entity_head, snapshot.website_head):
        return [
            _Head(snapshot.entity_head, ("entity_head",), "entity_head"),
            _Head(snapshot.website_head, ("website_head",), "website_head"),
        ]
    # Point at a section the customer can edit in this application (a new-website
    # draft has a website_head section only).
    try:
        sections = payload_sections(snapshot.application_kind)
    except KeyError:
        sections = ()
    only_website = "website_head" in sections and "entity_head" not in sections
    section = "website_head" if only_website else "entity_head"
    return [_Head(snapshot.entity_head, ("entity_head", "website_head"), section)]


# What a number of the wrong type in a head's field is called, by (wanted, found) type.
_WRONG_TYPE = {
    ("mobile", "landline"): "mobile_is_landline",
    ("mobile", "service"): "mobile_is_service",
    ("mobile", None): "mobile_invalid",
    ("landline", "mobile"): "landline_is_mobile",
}


@register
class ContactReachability(Rule):
    code = "contact_reachability"
    version = 1
    title = _("Contact reachability")
    fix_text = _(
        "Correct the phone numbers of the entity and its heads: a mobile number in the "
        "mobile field, a landline with its area code in the landline field, and the "
        "different numbers your province asks for. Then open the contact self-inspection "
        "page, click Verify next to each mobile number, click Send code and enter the "
        "code you receive by SMS."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第八条; "
        "MIIT notice on the special inspection of filing information"
    )

    def check(self, snapshot: Snapshot) -> Outcome:
        problems: list[Problem] = []
        numbers: dict[str, dict[str, Any]] = {}
        verification: dict[str, dict[str, Any]] = {}

        def note(field: str, value: str) -> str | None:
            kind = phone_type(value) if value else None
            numbers[field] = {"number": masked_phone(value) if value else "", "type": kind}
            return kind

        heads = _heads(snapshot)
        for head in heads:
            for wanted in ("mobile", "landline"):
                value, field = getattr(head.person, wanted), f"{head.section}.{wanted}"
                if not value and wanted == "landline":
                    continue  # a head's landline is optional
                if not value:
                    problems.append(_problem("mobile_missing", field, role=head.label))
                    continue
                kind = note(field, value)
                if kind != wanted:
                    code = _WRONG_TYPE.get((wanted, kind), "landline_invalid")
                    number = masked_phone(value)
                    problems.append(_problem(code, field, role=head.label, number=number))
                elif wanted == "mobile":
                    problems.extend(self._verification(snapshot, head, verification))
        problems.extend(self._entity_phones(snapshot, note))
        problems.extend(self._province_rules(snapshot, heads, numbers))

        province = snapshot.province
        evidence = {
            "numbers": numbers,
            "province_rules": None,
            "verification": verification,
            "verification_max_age_days": self._max_age_days(),
            "unverified_blocking_from": self._blocking_from().isoformat(),
        }
        if province is not None:
            evidence["province_rules"] = {
                "province": province.code,
                **{flag: getattr(province, flag) for flag in _PROVINCE_FLAGS},
                "source": province.source,
                "verified_on": province.verified_on.isoformat() if province.verified_on else None,
            }
        return combine(self, problems, evidence)

    @staticmethod
    def _max_age_days() -> int:
        return int(getattr(settings, "CONTACT_VERIFICATION_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS))

    @staticmethod
    def _blocking_from() -> datetime.date:
        return _setting_date("UNVERIFIED_MOBILE_BLOCKING_FROM", DEFAULT_UNVERIFIED_BLOCKING_FROM)

    def _verification(self, snapshot: Snapshot, head: _Head, verification: dict) -> list[Problem]:
        verified_at = head.person.mobile_verified_at
        field = f"{head.section}.mobile"
        params = {"role": head.label, "number": masked_phone(head.person.mobile)}
        record: dict[str, Any] = {"roles": list(head.roles), "verified_at": None, "age_days": None}
        verification[head.section] = record
        if verified_at is None:
            # A draft's new or changed number cannot pass the self-inspection before the
            # application's own MIIT SMS step verifies it: blocking would make the draft
            # unsubmittable, so a draft only ever gets the warning.
            blocking = snapshot.source != APPLICATION and snapshot.as_of >= self._blocking_from()
            kind = "blocking" if blocking else "warning"
            return [_problem("mobile_never_verified", field, kind, **params)]
        if timezone.is_aware(verified_at):
            verified_at = timezone.localtime(verified_at)
        age = (snapshot.as_of - verified_at.date()).days
        record.update(verified_at=verified_at.isoformat(), age_days=age)
        max_age = self._max_age_days()
        if age <= max_age:
            return []
        # Verified once, so the number did work: a warning, not a case.
        date = verified_at.date().isoformat()
        return [
            _problem(
                "mobile_verification_stale", field, "warning", date=date, max=max_age, **params
            )
        ]

    @staticmethod
    def _entity_phones(snapshot: Snapshot, note: Callable[[str, str], str | None]) -> list[Problem]:
        problems = []
        office, emergency = snapshot.entity.office_phone, snapshot.entity.emergency_phone
        # The office phone may be a mobile, a landline or a 400/800 hotline (as the form
        # accepts); individuals often have none, so it may be left out.
        if office and note("entity.office_phone", office) is None:
            number = masked_phone(office)
            problems.append(_problem("office_phone_invalid", "entity.office_phone", number=number))
        field = "entity.emergency_phone"
        kind = note(field, emergency)
        number = masked_phone(emergency)
        if not emergency:
            problems.append(_problem("emergency_phone_missing", field))
        elif kind is None:
            problems.append(_problem("emergency_phone_invalid", field, number=number))
        elif kind == "service":
            # Valid, and accepted by the form, but a hotline queue does not reach a person
            # on duty in an emergency: a warning, no case.
            problems.append(_problem("emergency_phone_is_service", field, "warning", number=number))
        return problems

    @staticmethod
    def _province_rules(snapshot: Snapshot, heads: list[_Head], numbers: dict) -> list[Problem]:
        province = snapshot.province
        if province is None:
            return []
        name, entity = province_label(province), snapshot.entity
        problems = []
        office, emergency = _e164(entity.office_phone), _e164(entity.emergency_phone)
        if (
            province.office_phone_distinct_from_head_mobile
            and office
            and office == _e164(snapshot.entity_head.mobile)
        ):
            number = masked_phone(entity.office_phone)
            code = "office_phone_distinct_from_head_mobile"
            problems.append(_problem(code, "entity.office_phone", province=name, number=number))
        if province.emergency_phone_distinct_from_heads and emergency:
            for head in heads:
                for phone in ("mobile", "landline"):
                    if _e164(getattr(head.person, phone)) != emergency:
                        continue
                    problems.append(
                        _problem(
                            "emergency_phone_distinct_from_heads",
                            "entity.emergency_phone",
                            province=name,
                            number=masked_phone(entity.emergency_phone),
                            phone=_PHONE_LABELS[phone],
                            role=head.label,
                        )
                    )
        has_landline = any(
            entry["type"] == "landline"
            for field, entry in numbers.items()
            if field == "entity.office_phone" or field.endswith(".landline")
        )
        if province.landline_required and not has_landline:
            problems.append(_problem("landline_required", "entity.office_phone", province=name))
        return problems
