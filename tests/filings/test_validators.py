"""Validators of ID documents, phone numbers, domains and filing numbers (no database)."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import ric, uscc

from filings.choices import IdType
from filings.validators import (
    PROVINCE_PREFIXES,
    FilingNumber,
    format_entity_filing_number,
    format_website_filing_number,
    normalize_phone,
    org_code_check_character,
    parse_filing_number,
    phone_type,
    to_idna,
    uscc_check_character,
    uscc_inner_org_code_ok,
    validate_entity_filing_number,
    validate_fqdn,
    validate_id_document,
    validate_landline,
    validate_mobile,
    validate_org_code,
    validate_phone,
    validate_resident_id,
    validate_uscc,
    validate_website_filing_number,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source form (the site defaults to zh-hans)."""
    with translation.override("en"):
        yield


def resident_id(first17: str) -> str:
    """A resident ID with the check character stdnum computes for these 17 digits."""
    return first17 + ric.calc_check_digit(first17 + "0")


def our_uscc(first17: str) -> str:
    """A USCC completed with the project's own GB 32100 check character."""
    return first17 + uscc_check_character(first17)


def raised(validator, *args) -> ValidationError:
    """The ValidationError the validator raises for these arguments."""
    with pytest.raises(ValidationError) as excinfo:
        validator(*args)
    return excinfo.value


def with_wrong_check(number: str, alphabet: str = "0123456789X") -> str:
    """The same number with a different check character."""
    return number[:-1] + next(c for c in alphabet if c != number[-1])


# --- Resident ID (GB 11643) --------------------------------------------------------------

VALID_RESIDENT_IDS = [
    resident_id("11010519491231002"),  # Beijing Chaoyang
    resident_id("44030519900307123"),  # Shenzhen Nanshan
    resident_id("52010220010101999"),  # Guiyang Nanming
]


@pytest.mark.parametrize("number", VALID_RESIDENT_IDS)
def test_valid_resident_id_passes(number):
    # GIVEN a resident ID whose check character stdnum computed
    # WHEN it is validated THEN nothing is raised
    validate_resident_id(number)
    validate_id_document(IdType.RESIDENT_ID, number)


def test_resident_id_accepts_lower_case_x():
    # GIVEN a valid ID ending in X, typed with a lower-case x
    number = next(
        resident_id(f"110105198001{day:02d}123")
        for day in range(1, 29)
        if resident_id(f"110105198001{day:02d}123").endswith("X")
    )
    # WHEN / THEN it validates
    validate_resident_id(number.lower())


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (with_wrong_check(VALID_RESIDENT_IDS[0]), "resident_id_checksum"),
        (resident_id("11010519991340002"), "resident_id_birth_date"),  # month 13, day 40
        (resident_id("11010520990101002"), "resident_id_birth_date"),  # born in the future
        (resident_id("99999919900101002"), "resident_id_region"),
        (VALID_RESIDENT_IDS[0][:-1], "resident_id_format"),  # 17 characters
        (VALID_RESIDENT_IDS[0] + "1", "resident_id_format"),  # 19 characters
        ("11010519491231002A", "resident_id_format"),
        ("", "resident_id_format"),
    ],
)
def test_invalid_resident_id_names_the_problem(number, code):
    # GIVEN a malformed resident ID WHEN it is validated THEN the error says what is wrong
    assert raised(validate_resident_id, number).code == code


def test_bad_birth_date_message_shows_the_date():
    message = raised(validate_resident_id, resident_id("11010519991340002")).messages[0]
    assert "19991340" in message


# --- Unified social credit code (GB 32100) -------------------------------------------------

# Codes of authorities A, N and Y exist, but stdnum only knows digit authorities.
ANY_AUTHORITY_CODES = [
    our_uscc("A1110000MB0123456"),
    our_uscc("N2110108MJ000123X"),
    our_uscc("Y1440300123456789"),
]


def test_valid_uscc_passes():
    validate_uscc("91110000600037341L")
    validate_id_document(IdType.USCC, "91110000600037341L")


@pytest.mark.parametrize("code", ANY_AUTHORITY_CODES)
def test_uscc_of_authority_a_n_y_passes_although_stdnum_rejects_it(code):
    # GIVEN a code of authority A, N or Y with a correct GB 32100 check character
    # THEN stdnum rejects it (why the project has its own check) ...
    assert not uscc.is_valid(code)
    # ... AND the project's validator accepts it
    validate_uscc(code)


@pytest.mark.parametrize("code", ANY_AUTHORITY_CODES)
def test_uscc_of_authority_a_n_y_with_wrong_check_is_rejected(code):
    wrong = with_wrong_check(code, "0123456789ABCDEFGHJKLMNPQRTUWXY")
    assert raised(validate_uscc, wrong).code == "uscc_checksum"


def test_own_uscc_check_agrees_with_stdnum_on_normal_codes():
    # GIVEN many random normal (digit-authority) code bodies
    rng = random.Random(32100)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(500):
        body = rng.choice("123456789") + "".join(rng.choices("0123456789", k=7))
        body += "".join(rng.choices(alphabet, k=9))
        # THEN the project's check character is the one stdnum computes
        assert uscc_check_character(body) == uscc.calc_check_digit(body), body
        validate_uscc(body + uscc_check_character(body))


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91110000600037341A", "uscc_checksum"),
        ("91110000600037341", "uscc_format"),
        ("91110000600037341LL", "uscc_format"),
        ("911100006000373I1L", "uscc_format"),  # I is not in the GB 32100 alphabet
        ("B1110000600037341L", "uscc_format"),  # no authority B
        ("9111000060003734 L", "uscc_format"),
    ],
)
def test_invalid_uscc_is_rejected(code, error):
    assert raised(validate_uscc, code).code == error


def test_uscc_inner_org_code_passes_for_a_real_code():
    assert uscc_inner_org_code_ok("91110000600037341L")


def test_uscc_inner_org_code_fails_although_the_uscc_is_valid():
    # GIVEN a USCC whose own check is right but whose inner organisation code is not
    first17 = "91110000600037342"  # the real inner code is 60003734-1
    code = first17 + uscc.calc_check_digit(first17)
    validate_uscc(code)
    # THEN the inner check reports it (a warning for reviewers)
    assert not uscc_inner_org_code_ok(code)


def test_uscc_inner_org_code_of_a_wrong_length_is_not_ok():
    assert not uscc_inner_org_code_ok("9111000060003734")


# --- Organisation code (GB 11714) ------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "60003734-1",  # inside 91110000600037341L
        "600037341",
        "00000000-0",  # check 11 is written 0
        "40000000-X",  # 4 x 3 = 12, check 10 is written X
        "00000004-3",  # 4 x 2 = 8, check 3
        "MA01ABCD-" + org_code_check_character("MA01ABCD"),
    ],
)
def test_valid_org_code_passes(code):
    validate_org_code(code)
    validate_id_document(IdType.ORG_CODE, code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("60003734-2", "org_code_checksum"),
        ("40000000-0", "org_code_checksum"),
        ("6000373-1", "org_code_format"),
        ("60003734--1", "org_code_format"),
        ("60003734-A", "org_code_format"),
        ("", "org_code_format"),
    ],
)
def test_invalid_org_code_is_rejected(code, error):
    assert raised(validate_org_code, code).code == error


# --- Other ID documents --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        (IdType.HK_MACAU_PERMIT, "H12345678"),
        (IdType.HK_MACAU_PERMIT, "M1234567890"),
        (IdType.TAIWAN_PERMIT, "12345678"),
        (IdType.TAIWAN_PERMIT, "1234567890"),
        (IdType.PASSPORT, "E12345678"),
        (IdType.PASSPORT, "x1234"),
        (IdType.FOREIGN_PERMANENT_ID, "USA110090101234"),  # pre-2023 card
        (IdType.FOREIGN_PERMANENT_ID, resident_id("93184019900101001")),  # 2023 card
        (IdType.PUBLIC_INSTITUTION_CERT, "110000001234"),
        (IdType.SOCIAL_ORG_CERT, "5311000050000123"),
        (IdType.MILITARY_CERT, "JD123456"),
        (IdType.FOREIGN_OFFICE_CERT, "110000410123456"),
    ],
)
def test_valid_id_document_passes(id_type, number):
    validate_id_document(id_type, number)


@pytest.mark.parametrize(
    ("id_type", "number", "code"),
    [
        (IdType.HK_MACAU_PERMIT, "A12345678", "hk_macau_permit_format"),
        (IdType.HK_MACAU_PERMIT, "H123456789", "hk_macau_permit_format"),
        (IdType.TAIWAN_PERMIT, "1234567", "taiwan_permit_format"),
        (IdType.TAIWAN_PERMIT, "123456789", "taiwan_permit_format"),
        (IdType.PASSPORT, "E123", "passport_format"),
        (IdType.PASSPORT, "E1234-5678", "passport_format"),
        (IdType.FOREIGN_PERMANENT_ID, "US1110090101234", "foreign_permanent_id_format"),
        (
            IdType.FOREIGN_PERMANENT_ID,
            with_wrong_check(resident_id("93184019900101001")),
            "foreign_permanent_id_checksum",
        ),
        (
            IdType.FOREIGN_PERMANENT_ID,
            resident_id("13184019900101001"),
            "foreign_permanent_id_format",
        ),
        (IdType.PUBLIC_INSTITUTION_CERT, "", "certificate_format"),
        (IdType.SOCIAL_ORG_CERT, "12345", "certificate_format"),
        (IdType.MILITARY_CERT, "A" * 31, "certificate_format"),
        (IdType.FOREIGN_OFFICE_CERT, "证123456", "certificate_format"),
        (IdType.RESIDENT_ID, "91110000600037341L", "resident_id_format"),
        (IdType.USCC, VALID_RESIDENT_IDS[0], "uscc_checksum"),
        ("driving_licence", "123456", "unknown_id_type"),
    ],
)
def test_invalid_id_document_is_rejected(id_type, number, code):
    assert raised(validate_id_document, id_type, number).code == code


# --- Phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164", "kind"),
    [
        ("13812345678", "+8613812345678", "mobile"),
        ("+86 138 1234 5678", "+8613812345678", "mobile"),
        ("0086 199 1234 5678", "+8619912345678", "mobile"),
        ("010-12345678", "+861012345678", "landline"),
        ("0755-12345678", "+8675512345678", "landline"),
        ("0891-6123456", "+868916123456", "landline"),  # Lhasa still has 7-digit numbers
        ("400-810-8888", "+864008108888", "service"),
        ("800-810-8888", "+868008108888", "service"),
    ],
)
def test_phone_is_normalised_and_typed(raw, e164, kind):
    assert normalize_phone(raw) == e164
    assert phone_type(raw) == kind
    validate_phone(raw)


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "1381234567", "0755-1234567", "95588", "+1 650 253 0000", "12345678"],
)
def test_invalid_phone_is_rejected(raw):
    assert phone_type(raw) is None
    assert raised(validate_phone, raw).code == "phone_invalid"
    assert raised(normalize_phone, raw).code == "phone_invalid"


def test_mobile_validator_accepts_a_mobile():
    validate_mobile("+86 138 1234 5678")


def test_landline_given_as_mobile_gets_a_specific_message():
    # GIVEN a Beijing landline WHEN entered where a mobile is needed
    # THEN the message says it is a landline
    error = raised(validate_mobile, "010-12345678")
    assert error.code == "mobile_is_landline"
    assert error.messages == ["This is a landline number; enter a mobile number."]


@pytest.mark.parametrize("raw", ["400-810-8888", "1381234567", "abc"])
def test_mobile_validator_rejects_non_mobiles(raw):
    assert raised(validate_mobile, raw).code == "mobile_invalid"


def test_landline_validator_accepts_a_landline_with_area_code():
    validate_landline("021 6123 4567")


def test_mobile_given_as_landline_gets_a_specific_message():
    assert raised(validate_landline, "13812345678").code == "landline_is_mobile"


@pytest.mark.parametrize("raw", ["61234567", "400-810-8888", "abc"])
def test_landline_validator_rejects_numbers_without_area_code_or_service_numbers(raw):
    assert raised(validate_landline, raw).code == "landline_invalid"


# --- Domains ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ascii_form"),
    [
        ("例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("例子。中国", "xn--fsqu00a.xn--fiqs8s"),  # ideographic full stop
        ("Bücher.Example", "xn--bcher-kva.example"),
        (" WWW.Example.COM. ", "www.example.com"),
    ],
)
def test_to_idna_gives_the_lower_case_ascii_form(raw, ascii_form):
    assert to_idna(raw) == ascii_form


@pytest.mark.parametrize(
    "domain",
    ["example.com", "www.example.com.", "例子.中国", "a-b.c1.cn", "x" * 63 + ".cn", "123.com"],
)
def test_valid_fqdn_passes(domain):
    validate_fqdn(domain)


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("x" * 64 + ".cn", "fqdn_label_length"),
        ("a..cn", "fqdn_label_length"),
        (".".join(["a" * 60] * 5), "fqdn_too_long"),
        ("1.2.3.4", "fqdn_ip_address"),
        ("1.2.3.4.", "fqdn_ip_address"),
        ("::1", "fqdn_ip_address"),
        ("localhost", "fqdn_single_label"),
        ("例子", "fqdn_single_label"),
        ("-ab.cn", "fqdn_label_chars"),
        ("ab-.cn", "fqdn_label_chars"),
        ("a_b.cn", "fqdn_label_chars"),
        ("*.example.cn", "fqdn_label_chars"),
        ("http://example.cn", "fqdn_label_chars"),
        ("example.123", "fqdn_numeric_tld"),
        ("例_子.cn", "fqdn_idna"),
        ("", "fqdn_single_label"),
    ],
)
def test_invalid_fqdn_is_rejected(domain, code):
    assert raised(validate_fqdn, domain).code == code


# --- Filing numbers --------------------------------------------------------------------------


def test_there_are_31_province_prefixes_without_everyday_abbreviations():
    assert len(set(PROVINCE_PREFIXES)) == 31
    assert {"滇", "黔", "蜀", "陇"} <= set(PROVINCE_PREFIXES)
    assert not {"云", "贵", "川", "甘"} & set(PROVINCE_PREFIXES)


@pytest.mark.parametrize("prefix", PROVINCE_PREFIXES)
def test_every_province_prefix_makes_valid_entity_and_website_numbers(prefix):
    # GIVEN old (2-digit year) and new (4-digit year) numbers of this province
    for entity in (f"{prefix}ICP备11041704号", f"{prefix}ICP备2026001073号"):
        # THEN the entity number and its website numbers validate
        validate_entity_filing_number(entity)
        validate_website_filing_number(f"{entity}-1")
        validate_website_filing_number(f"{entity}-12")


@pytest.mark.parametrize(
    ("number", "parsed"),
    [
        ("京ICP备11041704号", FilingNumber("京", "11", "041704")),
        ("黔ICP备2026001073号", FilingNumber("黔", "2026", "001073")),
        ("蜀ICP备2020000001号-3", FilingNumber("蜀", "2020", "000001", 3)),
        ("沪ICP备20000001号-10", FilingNumber("沪", "20", "000001", 10)),
    ],
)
def test_filing_number_is_parsed_into_its_parts(number, parsed):
    assert parse_filing_number(number) == parsed
    assert str(parsed) == number


def test_website_number_knows_its_entity_number():
    assert parse_filing_number("京ICP备11041704号-2").entity_number == "京ICP备11041704号"


@pytest.mark.parametrize(
    ("wrong", "right"), [("云", "滇"), ("贵", "黔"), ("川", "蜀"), ("甘", "陇")]
)
def test_everyday_province_abbreviation_is_rejected_with_a_hint(wrong, right):
    # GIVEN a number with the everyday abbreviation instead of the filing prefix
    number = f"{wrong}ICP备2026001073号"
    # THEN it is an unknown prefix, and the message names it and the right one
    error = raised(validate_entity_filing_number, number)
    assert error.code == "filing_number_prefix"
    assert error.messages == [f"Unknown prefix “{wrong}”; did you mean “{right}”?"]


def test_unknown_prefix_is_named_in_the_message():
    message = raised(validate_entity_filing_number, "XICP备2026001073号").messages[0]
    assert message == "Unknown province prefix “X”."


@pytest.mark.parametrize(
    "number",
    [
        "京ICP备1104170号",  # 5-digit serial
        "京ICP备110417044号",  # 3-digit year
        "京ICP备1999001073号",  # 4-digit year not from the 2000s
        "京ICP备2026001073",  # no 号
        "京ICP证11041704号",  # an operating licence, not a filing
        "京ICP备2026001073号-0",
        "京ICP备2026001073号-01",
        "京ICP备2026001073号-",
        "ICP备2026001073号",
        "",
    ],
)
def test_malformed_filing_number_is_rejected(number):
    assert raised(validate_entity_filing_number, number).code == "filing_number_format"
    assert raised(validate_website_filing_number, number).code == "filing_number_format"


def test_website_number_is_not_an_entity_number():
    code = raised(validate_entity_filing_number, "京ICP备11041704号-1").code
    assert code == "filing_number_is_website"


def test_entity_number_is_not_a_website_number():
    code = raised(validate_website_filing_number, "京ICP备11041704号").code
    assert code == "filing_number_not_website"


def test_issued_numbers_are_formatted_with_a_4_digit_year_and_6_digit_serial():
    entity = format_entity_filing_number("黔", 2026, 1073)
    assert entity == "黔ICP备2026001073号"
    assert format_website_filing_number(entity, 2) == "黔ICP备2026001073号-2"
    validate_website_filing_number(format_website_filing_number(entity, 2))


@pytest.mark.parametrize(
    ("prefix", "year", "serial"),
    [("云", 2026, 1), ("京", 1999, 1), ("京", 2026, 1_000_000), ("京", 2026, -1)],
)
def test_formatting_refuses_impossible_entity_numbers(prefix, year, serial):
    with pytest.raises(ValueError):
        format_entity_filing_number(prefix, year, serial)


def test_formatting_refuses_website_serial_zero_and_a_website_entity_number():
    with pytest.raises(ValueError):
        format_website_filing_number("京ICP备11041704号", 0)
    with pytest.raises(ValidationError):
        format_website_filing_number("京ICP备11041704号-1", 2)
