"""Rule 5, domain expiry: not expired, and valid longer than the province's margin."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from filings.choices import ApplicationKind
from filings.demo import CLEAN_CONTRASTS, DELIBERATE_PROBLEMS
from filings.demo.builder import seed_demo
from filings.models import Website
from inspections.rules import Severity, Status, get_rule
from inspections.snapshot import (
    DomainSnapshot,
    ProvinceSnapshot,
    Snapshot,
    load_snapshots,
    snapshot_from_application,
)
from tests.factories import ApplicationFactory, DomainFactory, EntityFactory, WebsiteFactory

AS_OF = datetime.date(2026, 11, 20)
SHANGHAI = ProvinceSnapshot(code="310000", name="上海", domain_expiry_margin_days=180)
ZHEJIANG = ProvinceSnapshot(code="330000", name="浙江", domain_expiry_margin_days=90)


@pytest.fixture
def rule():
    return get_rule("domain_expiry")


def in_days(days):
    return AS_OF + datetime.timedelta(days=days)


def snapshot(*expiries, province=ZHEJIANG):
    domains = tuple(
        DomainSnapshot(name=f"site{i}.example", expires_on=expires)
        for i, expires in enumerate(expiries)
    )
    return Snapshot(as_of=AS_OF, domains=domains, province=province)


def test_a_domain_valid_beyond_the_margin_passes(rule):
    # GIVEN a Zhejiang domain valid for 120 more days (the margin there is 90)
    outcome = rule.check(snapshot(in_days(120)))
    # THEN it passes, with the dates as evidence
    assert outcome.status == Status.PASS
    assert outcome.evidence["margin_days"] == 90
    assert outcome.evidence["domains"] == [
        {"name": "site0.example", "expires_on": "2027-03-20", "days_left": 120}
    ]


def test_an_expired_domain_fails_blocking(rule):
    # GIVEN a domain that expired 15 days ago
    outcome = rule.check(snapshot(in_days(-15)))
    # THEN it is a blocking failure with the date, next to the expiry field
    assert outcome.status == Status.FAIL and outcome.severity == Severity.BLOCKING
    assert outcome.message == "The domain site0.example expired on 2026-11-05."
    assert outcome.fields == ("domains.0.expires_on",)


def test_a_domain_inside_shanghais_margin_fails_blocking(rule):
    # GIVEN a Shanghai domain valid for 120 more days (Shanghai asks for > 180)
    outcome = rule.check(snapshot(in_days(120), province=SHANGHAI))
    # THEN it fails, saying how long is left and what Shanghai requires
    assert outcome.is_blocking
    assert outcome.message == (
        "The domain site0.example expires on 2027-03-20, in 120 days; "
        "Shanghai requires more than 180 days."
    )


def test_the_province_name_follows_the_language(rule):
    # GIVEN a Chinese-speaking customer and a Shanghai domain inside the margin
    with translation.override("zh-hans"):
        outcome = rule.check(snapshot(in_days(120), province=SHANGHAI))
    # THEN the province is named in Chinese
    assert "上海" in outcome.message


@pytest.mark.parametrize(("days", "status"), [(90, Status.FAIL), (91, Status.PASS)])
def test_the_margin_must_be_exceeded_not_just_reached(rule, days, status):
    # GIVEN a domain valid for exactly the margin, or one day more
    outcome = rule.check(snapshot(in_days(days)))
    # THEN only "more than" the margin passes
    assert outcome.status == status


def test_a_domain_expiring_today_is_inside_the_margin(rule):
    # GIVEN a domain whose last day is today
    outcome = rule.check(snapshot(AS_OF))
    # THEN it has not expired yet, but fails the margin
    assert outcome.evidence["problems"][0]["code"] == "within_margin"
    assert "in 0 days" in outcome.message


def test_an_unknown_expiry_cannot_be_told(rule):
    # GIVEN a domain whose registrar gave no expiry date
    outcome = rule.check(snapshot(None))
    # THEN staff check it
    assert outcome.status == Status.CANNOT_TELL
    assert outcome.fields == ("domains.0.expires_on",)


def test_the_worst_domain_decides_and_every_problem_is_listed(rule):
    # GIVEN three domains: unknown expiry, expired, fine
    outcome = rule.check(snapshot(None, in_days(-1), in_days(400)))
    # THEN the expired one decides; both problems are listed
    assert outcome.is_blocking
    assert [(p["code"], p["field"]) for p in outcome.evidence["problems"]] == [
        ("expired", "domains.1.expires_on"),
        ("expiry_unknown", "domains.0.expires_on"),
    ]


def test_without_a_province_the_common_margin_applies(rule):
    # GIVEN a draft that names no province yet
    outcome = rule.check(snapshot(in_days(60), province=None))
    # THEN the 90-day margin applies
    assert outcome.is_blocking
    assert outcome.evidence["margin_source"] == "default"
    assert "more than 90 days" in outcome.message


def test_no_domains_is_not_applicable(rule):
    # GIVEN no domains at all (the DNS rule reports that)
    outcome = rule.check(snapshot())
    # THEN this rule has nothing to check
    assert outcome.status == Status.NOT_APPLICABLE


@pytest.mark.django_db
def test_live_websites_use_their_provinces_margin(rule):
    # GIVEN two websites whose domains expire in 120 days: one in Shanghai, one in Beijing,
    # and one whose domain expired
    shanghai = DomainFactory(
        website=WebsiteFactory(entity=EntityFactory(province_id="310000")),
        expires_on=in_days(120),
    ).website_id
    beijing = DomainFactory(expires_on=in_days(120)).website_id
    lapsed = DomainFactory(expires_on=in_days(-15)).website_id
    # WHEN the snapshots load from the database and the rule runs
    outcomes = {
        s.website.id: rule.check(s)
        for s in load_snapshots([shanghai, beijing, lapsed], as_of=AS_OF)
    }
    # THEN Shanghai's 180-day margin fails the first, Beijing's 90 days pass the second
    assert outcomes[shanghai].is_blocking
    assert "Shanghai requires more than 180 days" in outcomes[shanghai].message
    assert outcomes[beijing].status == Status.PASS
    assert "expired on 2026-11-05" in outcomes[lapsed].message


@pytest.mark.django_db
def test_a_drafts_domain_is_flagged_next_to_its_field(rule, alice_tenant):
    # GIVEN a first-filing draft in Shanghai whose second domain expires in 100 days
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.FIRST_FILING,
        payload={
            "entity": {"province": "310000"},
            "domains": [
                {"name": "fine.example", "expires_on": in_days(400).isoformat()},
                {"name": "short.example", "expires_on": in_days(100).isoformat()},
            ],
        },
    )
    # WHEN the self-check runs the rule on the draft
    outcome = rule.check(snapshot_from_application(application, as_of=AS_OF))
    # THEN the second domain's expiry field carries the problem
    assert outcome.is_blocking
    assert outcome.fields == ("domains.1.expires_on",)


# ---- the demo data's deliberate problems -----------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for this module, rolled back at its end."""
    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo-media"))},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES={**settings.STORAGES, "default": storage}),
        transaction.atomic(),
    ):
        seed_demo()
        yield
        transaction.set_rollback(True)


def test_the_demo_websites_fail_exactly_where_the_dataset_says(rule, demo, db):
    # GIVEN the seeded demo
    ids = list(Website.objects.values_list("id", flat=True))
    # WHEN every demo website is inspected by this rule
    outcomes = {s.website.name: rule.check(s) for s in load_snapshots(ids)}
    # THEN exactly the deliberate problems of this rule do not pass, each as described
    problems = {name for code, name, _ in DELIBERATE_PROBLEMS if code == rule.code}
    failing = {name for name, outcome in outcomes.items() if outcome.status != Status.PASS}
    assert failing == problems
    by_status = {name: (outcomes[name].status, outcomes[name].severity) for name in problems}
    assert by_status == {
        "阿尔法云存储": (Status.FAIL, Severity.BLOCKING),  # Shanghai, 120 days left
        "贝塔职场课堂": (Status.FAIL, Severity.BLOCKING),  # expired 15 days ago
    }
    # AND the Zhejiang domain with 120 days left is the clean contrast
    contrasts = [name for code, name, _ in CLEAN_CONTRASTS if code == rule.code]
    assert contrasts and all(outcomes[name].status == Status.PASS for name in contrasts)
