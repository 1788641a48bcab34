"""Validators of ICP filing data: ID documents, phone numbers, domains and filing numbers."""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

from filings.choices import IdType

try:
    import idna
except ImportError:  # pragma: no cover - idna comes with requests (and dnspython[idna])
    idna = None

# Every message a user can cause, keyed by error code (one place for translators).
MESSAGES = {
    "resident_id_format": _("A resident ID number has 18 characters: 17 digits and a digit or X."),
    "resident_id_checksum": _("The check character of this resident ID number is wrong."),
    "resident_id_birth_date": _("The birth date %(date)s in this resident ID number is invalid."),
    "resident_id_region": _("The region code %(region)s in this resident ID number is unknown."),
    "uscc_format": _("A social credit code has 18 digits or capital letters (not I, O, S, V, Z)."),
    "uscc_checksum": _("The check character of this unified social credit code is wrong."),
    "org_code_format": _("An organisation code is 8 letters or digits and a check character."),
    "org_code_checksum": _("The check character of this organisation code is wrong."),
    "hk_macau_permit_format": _("A Hong Kong/Macau permit number is H or M and 8 or 10 digits."),
    "taiwan_permit_format": _("A Taiwan permit number has 8 or 10 digits."),
    "passport_format": _("A passport number has 5 to 17 letters or digits."),
    "foreign_permanent_id_format": _(
        "A foreign permanent resident ID is 3 letters and 12 digits, or 18 characters "
        "starting with 9."
    ),
    "foreign_permanent_id_checksum": _("The check character of this permanent ID is wrong."),
    "certificate_format": _("A certificate number has 6 to 30 letters or digits."),
    "unknown_id_type": _("Unknown ID document type “%(id_type)s”."),
    "phone_invalid": _("Enter a valid Chinese phone number."),
    "mobile_is_landline": _("This is a landline number; enter a mobile number."),
    "mobile_invalid": _("Enter a valid Chinese mobile number (11 digits starting with 1)."),
    "landline_is_mobile": _("This is a mobile number; enter a landline number with its area code."),
    "landline_invalid": _("Enter a landline number with its area code, such as 010-12345678."),
    "fqdn_ip_address": _("Enter a domain name, not an IP address."),
    "fqdn_idna": _("“%(value)s” contains characters that are not allowed in a domain name."),
    "fqdn_too_long": _("A domain name may have at most 253 characters."),
    "fqdn_single_label": _("Enter a full domain name such as example.cn."),
    "fqdn_label_length": _("Each part of a domain name between dots must have 1 to 63 characters."),
    "fqdn_label_chars": _("“%(label)s”: use letters, digits and inner hyphens only."),
    "fqdn_numeric_tld": _("The last part of a domain name cannot be all digits."),
    "filing_number_format": _("Enter a filing number such as 京ICP备2026001073号 or …号-1."),
    "filing_number_prefix": _("Unknown province prefix “%(prefix)s”."),
    "filing_number_prefix_hint": _("Unknown prefix “%(prefix)s”; did you mean “%(suggestion)s”?"),
    "filing_number_is_website": _("This is a website filing number; leave out the “-N”."),
    "filing_number_not_website": _("A website filing number ends in “-N”, e.g. …号-1."),
}


def _invalid(code: str, **params: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


# --- ID documents -----------------------------------------------------------------------

_RESIDENT_ID_RE = re.compile(r"\d{17}[\dX]")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authorities of GB 32100 that stdnum does not know (it rejects their codes).
_USCC_EXTRA_AUTHORITIES = "ANY"
_USCC_RE = re.compile(rf"[1-9{_USCC_EXTRA_AUTHORITIES}]\d{{7}}[{_USCC_ALPHABET}]{{10}}")
_ORG_CODE_RE = re.compile(r"([0-9A-Z]{8})-?([0-9X])")
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Document types checked by format only: id type → (pattern of the upper-cased number, code).
_CERTIFICATE_FORMAT = (r"[A-Z0-9]{6,30}", "certificate_format")
_DOCUMENT_FORMATS = {
    IdType.HK_MACAU_PERMIT: (r"[HM]\d{8}(\d{2})?", "hk_macau_permit_format"),
    IdType.TAIWAN_PERMIT: (r"\d{8}(\d{2})?", "taiwan_permit_format"),
    IdType.PASSPORT: (r"[A-Z0-9]{5,17}", "passport_format"),
    IdType.PUBLIC_INSTITUTION_CERT: _CERTIFICATE_FORMAT,
    IdType.SOCIAL_ORG_CERT: _CERTIFICATE_FORMAT,
    IdType.MILITARY_CERT: _CERTIFICATE_FORMAT,
    IdType.FOREIGN_OFFICE_CERT: _CERTIFICATE_FORMAT,
}


def validate_resident_id(value: str) -> None:
    """Check a PRC resident ID number (GB 11643): format, check character, birth date, region."""
    number = value.strip().upper()
    if not _RESIDENT_ID_RE.fullmatch(number):
        raise _invalid("resident_id_format")
    if number[-1] != ric.calc_check_digit(number):
        raise _invalid("resident_id_checksum")
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        birth_date = None
    if birth_date is None or birth_date > datetime.date.today():
        raise _invalid("resident_id_birth_date", date=number[6:14])
    try:
        ric.get_birth_place(number)
    except stdnum_exceptions.ValidationError:
        raise _invalid("resident_id_region", region=number[:6]) from None


def uscc_check_character(number: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(number, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Check a unified social credit code (GB 32100): format and check character."""
    number = value.strip().upper()
    if not _USCC_RE.fullmatch(number):
        raise _invalid("uscc_format")
    if number[0] in _USCC_EXTRA_AUTHORITIES:
        valid = number[-1] == uscc_check_character(number)
    else:
        valid = uscc.is_valid(number)
    if not valid:
        raise _invalid("uscc_checksum")


def org_code_check_character(body: str) -> str:
    """Return the GB 11714 check character for the 8-character body of an organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_org_code(value: str) -> None:
    """Check an organisation code (GB 11714), with or without a hyphen before the check."""
    match = _ORG_CODE_RE.fullmatch(value.strip().upper())
    if not match:
        raise _invalid("org_code_format")
    if match[2] != org_code_check_character(match[1]):
        raise _invalid("org_code_checksum")


def uscc_inner_org_code_ok(value: str) -> bool:
    """Whether characters 9–17 of a USCC pass as an organisation code (a warning, not an error)."""
    number = value.strip().upper()
    if len(number) != 18:
        return False
    try:
        validate_org_code(number[8:17])
    except ValidationError:
        return False
    return True


def _validate_foreign_permanent_id(number: str) -> None:
    if re.fullmatch(r"[A-Z]{3}\d{12}", number):  # the pre-2023 card
        return
    if not re.fullmatch(r"9\d{16}[\dX]", number):  # the 2023 card, built like a resident ID
        raise _invalid("foreign_permanent_id_format")
    if number[-1] != ric.calc_check_digit(number):
        raise _invalid("foreign_permanent_id_checksum")


def validate_id_document(id_type: str, number: str) -> None:
    """Check an ID document number against the rules of its document type."""
    value = number.strip().upper()
    if id_type == IdType.RESIDENT_ID:
        validate_resident_id(value)
    elif id_type == IdType.USCC:
        validate_uscc(value)
    elif id_type == IdType.ORG_CODE:
        validate_org_code(value)
    elif id_type == IdType.FOREIGN_PERMANENT_ID:
        _validate_foreign_permanent_id(value)
    elif id_type in _DOCUMENT_FORMATS:
        pattern, code = _DOCUMENT_FORMATS[id_type]
        if not re.fullmatch(pattern, value):
            raise _invalid(code)
    else:
        raise _invalid("unknown_id_type", id_type=id_type)


# --- Phone numbers ------------------------------------------------------------------------

_SERVICE_TYPES = (
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN,
)
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def _parse_cn(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if is_valid_cn_number(number) else None


def is_valid_cn_number(number: phonenumbers.PhoneNumber) -> bool:
    """Whether a parsed number is a valid Chinese number (+86 is China's alone)."""
    return phonenumbers.is_valid_number_for_region(number, "CN")


def normalize_phone(value: str) -> str:
    """Return a Chinese phone number in E.164 form (+86…); raise if it is not valid."""
    number = _parse_cn(value)
    if number is None:
        raise _invalid("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_type(value: str) -> str | None:
    """Say whether a number is a "mobile", "landline" or "service" (400/800) number, or None."""
    number = _parse_cn(value)
    return None if number is None else cn_number_type(number)


def cn_number_type(number: phonenumbers.PhoneNumber) -> str | None:
    """:func:`phone_type` of a valid Chinese number already parsed."""
    kind = phonenumbers.number_type(number)
    national = phonenumbers.national_significant_number(number)
    if kind in _SERVICE_TYPES or national.startswith(("400", "800")):
        return "service"
    either = phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    # Beijing landlines start with 1 too (10…), so "either" is judged by the mobile shape.
    if kind == phonenumbers.PhoneNumberType.MOBILE or (
        kind == either and _MOBILE_RE.fullmatch(national)
    ):
        return "mobile"
    if kind in (phonenumbers.PhoneNumberType.FIXED_LINE, either):
        return "landline"
    return None


def validate_mobile(value: str) -> None:
    """Check that a number is a valid Chinese mobile number."""
    kind = phone_type(value)
    if kind == "landline":
        raise _invalid("mobile_is_landline")
    if kind != "mobile":
        raise _invalid("mobile_invalid")


def validate_landline(value: str) -> None:
    """Check that a number is a valid Chinese landline with its area code."""
    kind = phone_type(value)
    if kind == "mobile":
        raise _invalid("landline_is_mobile")
    if kind != "landline":
        raise _invalid("landline_invalid")


def validate_phone(value: str) -> None:
    """Check that a number is a valid Chinese mobile, landline or 400/800 number."""
    if phone_type(value) is None:
        raise _invalid("phone_invalid")


# --- Domains ------------------------------------------------------------------------------

_LABEL_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_IDEOGRAPHIC_DOTS = str.maketrans(dict.fromkeys("。．｡", "."))


def _label_to_ascii(label: str) -> str:
    if idna is not None:
        return idna.encode(label, uts46=True).decode("ascii")
    return label.encode("idna").decode("ascii")  # pragma: no cover


def to_idna(value: str) -> str:
    """Return a domain in lower-case IDNA ASCII form ("例子.中国" → "xn--fsqu00a.xn--fiqs8s")."""
    domain = value.strip().translate(_IDEOGRAPHIC_DOTS).lower().removesuffix(".")
    try:
        labels = [
            label if label.isascii() else _label_to_ascii(label) for label in domain.split(".")
        ]
    except UnicodeError:
        raise _invalid("fqdn_idna", value=value) from None
    return ".".join(labels)


def validate_fqdn(value: str) -> None:
    """Check a fully qualified domain name such as www.example.com or 例子.中国."""
    domain = to_idna(value)
    try:
        ipaddress.ip_address(domain.strip("[]"))
    except ValueError:
        pass
    else:
        raise _invalid("fqdn_ip_address")
    if len(domain) > 253:
        raise _invalid("fqdn_too_long")
    labels = domain.split(".")
    if len(labels) < 2:
        raise _invalid("fqdn_single_label")
    for label in labels:
        if not 1 <= len(label) <= 63:
            raise _invalid("fqdn_label_length")
        if not _LABEL_RE.fullmatch(label):
            raise _invalid("fqdn_label_chars", label=label)
    if labels[-1].isdigit():
        raise _invalid("fqdn_numeric_tld")


# --- Filing numbers -----------------------------------------------------------------------

PROVINCE_PREFIXES = tuple("京津沪渝冀豫滇辽黑湘皖鲁新苏浙赣鄂桂陇晋蒙陕吉闽黔粤青藏蜀宁琼")
# Everyday province abbreviations that filing numbers do not use.
_PREFIX_MISTAKES = {"云": "滇", "贵": "黔", "川": "蜀", "甘": "陇"}
_FILING_NUMBER_RE = re.compile(
    r"(?P<prefix>.)ICP备(?P<year>\d{2}|20\d{2})(?P<serial>\d{6})号(?:-(?P<website>[1-9]\d*))?"
)


@dataclass(frozen=True)
class FilingNumber:
    """An ICP filing number split into its parts; website_serial is None for an entity."""

    prefix: str
    year: str
    serial: str
    website_serial: int | None = None

    @property
    def entity_number(self) -> str:
        """The entity filing number this number belongs to."""
        return f"{self.prefix}ICP备{self.year}{self.serial}号"

    def __str__(self) -> str:
        if self.website_serial is None:
            return self.entity_number
        return f"{self.entity_number}-{self.website_serial}"


def parse_filing_number(value: str) -> FilingNumber:
    """Split an entity or website filing number (京ICP备11041704号-1) into its parts."""
    match = _FILING_NUMBER_RE.fullmatch(value.strip())
    if not match:
        raise _invalid("filing_number_format")
    prefix = match["prefix"]
    if prefix in _PREFIX_MISTAKES:
        raise ValidationError(
            MESSAGES["filing_number_prefix_hint"],
            code="filing_number_prefix",
            params={"prefix": prefix, "suggestion": _PREFIX_MISTAKES[prefix]},
        )
    if prefix not in PROVINCE_PREFIXES:
        raise _invalid("filing_number_prefix", prefix=prefix)
    website = match["website"]
    return FilingNumber(prefix, match["year"], match["serial"], int(website) if website else None)


def validate_entity_filing_number(value: str) -> None:
    """Check an entity filing number such as 京ICP备11041704号."""
    if parse_filing_number(value).website_serial is not None:
        raise _invalid("filing_number_is_website")


def validate_website_filing_number(value: str) -> None:
    """Check a website filing number such as 京ICP备11041704号-1."""
    if parse_filing_number(value).website_serial is None:
        raise _invalid("filing_number_not_website")


def format_entity_filing_number(prefix: str, year: int, serial: int) -> str:
    """Build a new-style entity filing number from a prefix, a 4-digit year and a serial."""
    if prefix not in PROVINCE_PREFIXES:
        raise ValueError(f"unknown province prefix {prefix!r}")
    if not 2000 <= year <= 2099 or not 0 <= serial <= 999_999:
        raise ValueError(f"year {year} or serial {serial} out of range")
    return f"{prefix}ICP备{year:04d}{serial:06d}号"


def format_website_filing_number(entity_number: str, n: int) -> str:
    """Build the filing number of an entity's n-th website (京ICP备2026001073号-2)."""
    validate_entity_filing_number(entity_number)
    if n < 1:
        raise ValueError(f"website serial must be at least 1, not {n}")
    return f"{entity_number.strip()}-{n}"
