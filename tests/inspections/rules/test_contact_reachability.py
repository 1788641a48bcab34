"""Rule 2, contact reachability: numbers of the right type, province rules, SMS freshness."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from filings.choices import ApplicationKind
from inspections.rules import Severity, Status, get_rule
from inspections.rules.contact_reachability import ContactReachability, province_label
from inspections.snapshot import (
    EntitySnapshot,
    PersonSnapshot,
    ProvinceSnapshot,
    Snapshot,
    load_snapshots,
)
from tests.factories import EntityFactory, PersonFactory, WebsiteFactory

AS_OF = datetime.date(2026, 6, 1)
SHANGHAI_TZ = ZoneInfo("Asia/Shanghai")
RECENTLY = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI_TZ)
RULE = ContactReachability()

BEIJING = ProvinceSnapshot(
    code="110000", name="北京", prefix="京", office_phone_distinct_from_head_mobile=True
)
ZHEJIANG = ProvinceSnapshot(code="330000", name="浙江", prefix="浙")
JIANGSU = ProvinceSnapshot(code="320000", name="江苏", prefix="苏", landline_required=True)

LI_MING = PersonSnapshot(
    id=1,
    name="李明",
    id_number_hash="hash-li-ming",
    mobile="+8613910010001",
    landline="+861062781002",
    mobile_verified_at=RECENTLY,
)
CHEN_XIAO = PersonSnapshot(
    id=2,
    name="陈晓",
    id_number_hash="hash-chen-xiao",
    mobile="+8613910010002",
    mobile_verified_at=RECENTLY,
)
ALPHA = EntitySnapshot(
    id=10,
    name="北京阿尔法云计算有限公司",
    province_code="110000",
    office_phone="+861062781001",
    emergency_phone="+8618610030001",
)


def snapshot(**changes) -> Snapshot:
    """A clean Beijing filing: the entity head Li Ming, the website head Chen Xiao."""
    base = Snapshot(
        as_of=AS_OF, entity=ALPHA, entity_head=LI_MING, website_head=CHEN_XIAO, province=BEIJING
    )
    return replace(base, **changes)


def problem_codes(outcome) -> list[str]:
    return [p["code"] for p in outcome.evidence.get("problems", [])]


# ---- a clean filing ------------------------------------------------------------------


def test_a_clean_filing_passes_with_masked_numbers_as_evidence():
    outcome = RULE.check(snapshot())

    assert outcome.status == Status.PASS
    numbers = outcome.evidence["numbers"]
    assert numbers["entity_head.mobile"] == {"number": "139****0001", "type": "mobile"}
    assert numbers["entity_head.landline"] == {"number": "010-****1002", "type": "landline"}
    assert numbers["entity.office_phone"]["type"] == "landline"
    assert outcome.evidence["province_rules"]["office_phone_distinct_from_head_mobile"] is True
    assert outcome.evidence["verification"]["website_head"] == {
        "roles": ["website_head"],
        "verified_at": "2026-05-20T10:00:00+08:00",
        "age_days": 12,
    }
    assert get_rule("contact_reachability").version == 1


# ---- numbers of the right type -------------------------------------------------------


def test_a_landline_in_the_mobile_field_is_blocking_and_masked():
    # GIVEN a website head whose "mobile" is a Shanghai landline
    head = replace(CHEN_XIAO, mobile="+862154001299")

    outcome = RULE.check(snapshot(website_head=head))

    assert outcome.status == Status.FAIL and outcome.severity == Severity.BLOCKING
    assert "website head is a landline (021-****1299)" in outcome.message
    assert outcome.fields == ("website_head.mobile",)
    assert problem_codes(outcome) == ["mobile_is_landline"]
    assert "54001299" not in json.dumps(outcome.to_json())


@pytest.mark.parametrize(
    ("mobile", "code"),
    [
        ("4008001234", "mobile_is_service"),
        ("12345", "mobile_invalid"),
        ("", "mobile_missing"),
    ],
)
def test_a_service_number_an_invalid_or_no_mobile_is_blocking(mobile, code):
    outcome = RULE.check(snapshot(entity_head=replace(LI_MING, mobile=mobile)))

    assert outcome.is_blocking and problem_codes(outcome) == [code]
    assert outcome.fields == ("entity_head.mobile",)


@pytest.mark.parametrize(
    ("landline", "code"),
    [("+8613910019999", "landline_is_mobile"), ("4008001234", "landline_invalid")],
)
def test_a_head_landline_must_be_a_landline_when_given(landline, code):
    outcome = RULE.check(snapshot(website_head=replace(CHEN_XIAO, landline=landline)))

    assert outcome.is_blocking and problem_codes(outcome) == [code]
    assert outcome.fields == ("website_head.landline",)


def test_the_office_phone_may_be_a_hotline_or_absent_but_not_invalid():
    hotline = RULE.check(snapshot(entity=replace(ALPHA, office_phone="4008001234")))
    absent = RULE.check(snapshot(entity=replace(ALPHA, office_phone="")))
    invalid = RULE.check(snapshot(entity=replace(ALPHA, office_phone="010-123")))

    assert hotline.status == Status.PASS and absent.status == Status.PASS
    assert invalid.is_blocking and problem_codes(invalid) == ["office_phone_invalid"]
    assert invalid.fields == ("entity.office_phone",)


@pytest.mark.parametrize(
    ("phone", "code", "severity"),
    [
        ("", "emergency_phone_missing", Severity.BLOCKING),
        ("999", "emergency_phone_invalid", Severity.BLOCKING),
        ("8008001234", "emergency_phone_is_service", Severity.WARNING),
    ],
)
def test_the_emergency_phone_must_reach_a_person(phone, code, severity):
    outcome = RULE.check(snapshot(entity=replace(ALPHA, emergency_phone=phone)))

    assert outcome.status == Status.FAIL and outcome.severity == severity
    assert problem_codes(outcome) == [code]
    assert outcome.fields == ("entity.emergency_phone",)


# ---- province rules ------------------------------------------------------------------


def test_beijing_office_phone_equal_to_the_head_mobile_is_blocking_in_any_spelling():
    # GIVEN the office phone is the entity head's mobile, written without +86
    entity = replace(ALPHA, office_phone="139 1001 0001")

    beijing = RULE.check(snapshot(entity=entity))
    zhejiang = RULE.check(snapshot(entity=entity, province=ZHEJIANG))

    assert beijing.is_blocking
    assert problem_codes(beijing) == ["office_phone_distinct_from_head_mobile"]
    assert beijing.message.startswith("Beijing requires the entity's office phone to differ")
    assert "139****0001" in beijing.message
    assert zhejiang.status == Status.PASS  # Zhejiang has no such rule


def test_an_emergency_phone_equal_to_a_head_phone_is_blocking_where_the_rule_holds():
    entity = replace(ALPHA, emergency_phone="+861062781002")  # Li Ming's landline

    outcome = RULE.check(snapshot(entity=entity))
    relaxed = RULE.check(
        snapshot(
            entity=entity, province=replace(BEIJING, emergency_phone_distinct_from_heads=False)
        )
    )

    assert outcome.is_blocking and problem_codes(outcome) == ["emergency_phone_distinct_from_heads"]
    assert "also the landline of the entity head" in outcome.message
    assert outcome.fields == ("entity.emergency_phone",)
    assert relaxed.status == Status.PASS


def test_jiangsu_needs_a_landline_somewhere():
    # GIVEN a Jiangsu entity whose office phone is a mobile and whose heads give no landline
    entity = replace(ALPHA, province_code="320000", office_phone="+8613820020059")
    no_landline = snapshot(
        entity=entity, province=JIANGSU, entity_head=replace(LI_MING, landline="")
    )

    missing = RULE.check(no_landline)
    head_landline = RULE.check(
        replace(no_landline, website_head=replace(CHEN_XIAO, landline="+862584001302"))
    )
    office_landline = RULE.check(
        replace(no_landline, entity=replace(entity, office_phone="025-84001301"))
    )

    assert missing.is_blocking and problem_codes(missing) == ["landline_required"]
    assert missing.message.startswith("Jiangsu requires a landline")
    assert head_landline.status == Status.PASS and office_landline.status == Status.PASS


def test_province_labels_follow_the_language_and_no_province_skips_its_rules():
    with translation.override("zh-hans"):
        assert province_label(BEIJING) == "北京"
    assert province_label(BEIJING) == "Beijing"

    outcome = RULE.check(
        snapshot(province=None, entity=replace(ALPHA, office_phone="+8613910010001"))
    )

    assert outcome.status == Status.PASS and outcome.evidence["province_rules"] is None


# ---- SMS verification ----------------------------------------------------------------


def test_a_mobile_never_verified_is_a_warning_until_the_configured_date(settings):
    never = snapshot(website_head=replace(CHEN_XIAO, mobile_verified_at=None))

    before = RULE.check(never)
    settings.UNVERIFIED_MOBILE_BLOCKING_FROM = "2026-06-01"
    from_then = RULE.check(never)
    draft = RULE.check(replace(never, source="application"))

    assert before.severity == Severity.WARNING
    assert problem_codes(before) == ["mobile_never_verified"]
    assert "139****0002 of the website head has never passed SMS verification" in before.message
    assert from_then.is_blocking and from_then.evidence["unverified_blocking_from"] == "2026-06-01"
    # A draft's new number can only be verified by the application's own SMS step.
    assert draft.severity == Severity.WARNING


def test_a_verification_older_than_the_configured_age_is_a_warning(settings):
    long_ago = datetime.datetime(2025, 5, 31, 23, 30, tzinfo=SHANGHAI_TZ)  # 366 days
    exactly = datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC)  # 365 days, local
    stale = RULE.check(snapshot(entity_head=replace(LI_MING, mobile_verified_at=long_ago)))
    on_the_day = RULE.check(snapshot(entity_head=replace(LI_MING, mobile_verified_at=exactly)))
    settings.CONTACT_VERIFICATION_MAX_AGE_DAYS = 10
    strict = RULE.check(snapshot())

    assert stale.severity == Severity.WARNING
    assert problem_codes(stale) == ["mobile_verification_stale"]
    assert "last verified by SMS on 2025-05-31, more than 365 days ago" in stale.message
    assert on_the_day.status == Status.PASS
    assert strict.severity == Severity.WARNING and len(problem_codes(strict)) == 2


def test_a_number_that_cannot_receive_sms_is_not_also_reported_unverified():
    head = replace(CHEN_XIAO, mobile="+862154001299", mobile_verified_at=None)

    outcome = RULE.check(snapshot(website_head=head))

    assert problem_codes(outcome) == ["mobile_is_landline"]


# ---- one outcome for everything ------------------------------------------------------


def test_the_worst_problem_decides_and_every_problem_is_listed():
    head = replace(CHEN_XIAO, mobile_verified_at=None)
    entity = replace(ALPHA, emergency_phone="4008001234", office_phone="+8613910010001")

    outcome = RULE.check(snapshot(website_head=head, entity=entity))

    assert outcome.is_blocking
    assert problem_codes(outcome) == [
        "office_phone_distinct_from_head_mobile",
        "mobile_never_verified",
        "emergency_phone_is_service",
    ]
    assert outcome.message.startswith("Beijing requires")  # blocking problems only


def test_one_head_of_both_is_checked_once_and_pointed_at_the_editable_section():
    both = replace(LI_MING, mobile="+862154001299")
    live = RULE.check(snapshot(entity_head=both, website_head=both))
    new_website = RULE.check(
        snapshot(
            entity_head=both,
            website_head=both,
            source="application",
            application_kind=ApplicationKind.NEW_WEBSITE,
        )
    )

    assert problem_codes(live) == ["mobile_is_landline"]
    assert "entity head and website head" in live.message
    assert live.fields == ("entity_head.mobile",)
    assert new_website.fields == ("website_head.mobile",)


# ---- live rows -----------------------------------------------------------------------


def live_site(tenant, *, province="110000", verified=True, **entity_fields):
    verified_at = RECENTLY if verified else None
    entity = EntityFactory(
        tenant=tenant,
        province_id=province,
        head=PersonFactory(tenant=tenant, mobile="+8613910010071", mobile_verified_at=verified_at),
        **entity_fields,
    )
    head = PersonFactory(tenant=tenant, mobile="+8613910010072", mobile_verified_at=verified_at)
    return WebsiteFactory(entity=entity, head=head)


@pytest.mark.django_db
def test_live_rows_pass_and_fail_through_the_loader(alice_tenant):
    # GIVEN a clean Beijing site, one whose website head's mobile is a Shanghai landline,
    # and one whose office phone is the entity head's mobile (the demo's problems)
    clean = live_site(alice_tenant)
    landline = live_site(alice_tenant)
    landline.head.mobile = "+862154001299"
    landline.head.save()
    same_phone = live_site(alice_tenant, office_phone="+8613910010071")
    unverified = live_site(alice_tenant, verified=False)

    # WHEN the rule judges their snapshots
    outcomes = [
        RULE.check(s)
        for s in load_snapshots([clean.pk, landline.pk, same_phone.pk, unverified.pk], as_of=AS_OF)
    ]

    # THEN
    assert outcomes[0].status == Status.PASS
    assert outcomes[1].is_blocking and problem_codes(outcomes[1]) == ["mobile_is_landline"]
    assert outcomes[2].is_blocking
    assert problem_codes(outcomes[2]) == ["office_phone_distinct_from_head_mobile"]
    assert outcomes[3].severity == Severity.WARNING
    assert problem_codes(outcomes[3]) == ["mobile_never_verified", "mobile_never_verified"]
    assert "13910010071" not in json.dumps([o.to_json() for o in outcomes])


@pytest.mark.django_db
def test_jiangsu_live_row_without_any_landline_is_blocking(alice_tenant):
    website = live_site(alice_tenant, province="320000", office_phone="+8613820020059")
    for person in (website.head, website.entity.head):
        person.landline = ""
        person.save()

    [snap] = load_snapshots([website.pk], as_of=AS_OF)
    outcome = RULE.check(snap)

    assert outcome.is_blocking and problem_codes(outcome) == ["landline_required"]
