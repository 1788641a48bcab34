"""Rule 6, domain owner matching: the registrant is the filing entity, real-name verified."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import asdict

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.test import override_settings

from filings.choices import EntityType, MaterialKind
from filings.demo import DELIBERATE_PROBLEMS
from filings.demo.builder import seed_demo
from filings.models import Website
from inspections.registrants import LookupUnavailable, RdapSource
from inspections.rules import Severity, Status, get_rule
from inspections.rules.domain_owner import normalise_name
from inspections.snapshot import (
    DomainSnapshot,
    EntitySnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    Snapshot,
    load_snapshots,
)
from inspections.snapshot.parts import APPLICATION
from tests.factories import DomainFactory, MaterialFactory, PersonFactory, WebsiteFactory

pytest_plugins = ["tests.rdap_stub"]

AS_OF = datetime.date(2026, 6, 1)
BETA = "北京贝塔科技有限公司"
BETA_ENTITY = EntitySnapshot(
    name=BETA, entity_type=EntityType.ENTERPRISE, id_type="uscc", id_number_hash="hash-beta"
)
NOON = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def rule():
    return get_rule("domain_owner")


@pytest.fixture(autouse=True)
def _no_rdap_configured(settings):
    settings.RDAP_BASE_URL = ""


def registered(name="beta.example", registrant=BETA, id_hash="hash-beta", status="verified"):
    return DomainSnapshot(
        name=name,
        registrar="Demo Registrar",
        registrant_name=registrant,
        registrant_id_hash=id_hash,
        real_name_status=status,
    )


def certificate(holder, *, number="", uploaded=NOON, pk=1):
    return MaterialSnapshot(
        id=pk,
        kind=MaterialKind.DOMAIN_CERTIFICATE,
        owner="website",
        holder_name=holder,
        document_number=number,
        uploaded_at=uploaded,
    )


def snapshot(*domains, entity=BETA_ENTITY, materials=(), rdap=None, source="live", head=None):
    return Snapshot(
        as_of=AS_OF,
        entity=entity,
        entity_head=head or PersonSnapshot(name="何川", id_number_hash="hash-head"),
        domains=domains,
        materials=materials,
        lookups={} if rdap is None else {"rdap": rdap},
        source=source,
    )


def rdap_ok(name, *, redacted=False):
    info = {
        "name": name,
        "id_type": "",
        "id_hash": None,
        "real_name_status": "unknown",
        "source": "rdap",
        "redacted": redacted,
        "evidence": {"url": "http://rdap.example/domain/x"},
    }
    return {"status": "ok", "info": info, "error": ""}


def problems(outcome):
    return [(p["code"], p["kind"], p["field"]) for p in outcome.evidence["problems"]]


# ---- the registrar's data -------------------------------------------------------------


def test_a_domain_registered_to_the_entity_and_verified_passes(rule):
    # GIVEN the registrar names the entity, with its ID and real-name verified
    outcome = rule.check(snapshot(registered()))
    # THEN it passes, saying which source answered and what was compared
    assert outcome.status == Status.PASS
    (domain,) = outcome.evidence["domains"]
    assert domain["source"] == "registrar"
    assert (domain["entity_name"], domain["registrant_name"]) == (BETA, BETA)
    assert domain["id_match"] is True and domain["real_name_status"] == "verified"
    assert domain["trail"] == [{"source": "registrar", "answer": BETA, "has_id": True}]


def test_a_domain_registered_to_someone_else_fails_blocking(rule):
    # GIVEN the registrar names the entity head personally
    outcome = rule.check(snapshot(registered(registrant="张三", id_hash="")))
    # THEN it is a blocking failure naming both, next to the registrant field
    assert outcome.status == Status.FAIL and outcome.severity == Severity.BLOCKING
    assert outcome.message == (
        f"The domain beta.example is registered to 张三, the filing entity is {BETA}."
    )
    assert outcome.fields == ("domains.0.registrant_name",)


def test_a_different_registrant_id_fails_blocking(rule):
    # GIVEN the right name but another ID document
    outcome = rule.check(snapshot(registered(id_hash="hash-other")))
    # THEN it fails blocking, without any ID in clear
    assert outcome.is_blocking
    assert problems(outcome) == [("id_mismatch", "blocking", "domains.0.registrant_id_number")]
    assert "hash-other" not in str(outcome.to_json())


@pytest.mark.parametrize(
    ("status", "text"),
    [("pending", "is pending at the registrar"), ("failed", "failed at the registrar")],
)
def test_a_domain_not_real_name_verified_fails_blocking(rule, status, text):
    # GIVEN the right registrant whose real-name verification is not done
    outcome = rule.check(snapshot(registered(status=status)))
    # THEN it fails blocking
    assert outcome.is_blocking
    assert f"Real-name verification of the domain beta.example {text}." == outcome.message


def test_an_unknown_real_name_status_is_noted_not_failed(rule):
    # GIVEN a registrar that does not say whether the domain is verified
    outcome = rule.check(snapshot(registered(status="unknown")))
    # THEN the name decides; the unknown status is only noted
    assert outcome.status == Status.PASS
    assert outcome.evidence["domains"][0]["note"] == "real-name status unknown"


@pytest.mark.parametrize(
    ("entity_name", "registrant"),
    [
        ("北京贝塔科技有限公司（北京分公司）", "北京贝塔科技有限公司 (北京分公司)"),
        ("北京贝塔科技有限公司【研发中心】", "北京贝塔科技有限公司(研发中心)"),
        ("Beta Tech Co., Ltd.", "ＢＥＴＡ  TECH co., ltd."),
    ],
)
def test_names_are_compared_normalised(rule, entity_name, registrant):
    # GIVEN names that differ only in width, brackets, spaces and case
    entity = EntitySnapshot(name=entity_name, entity_type=EntityType.ENTERPRISE)
    outcome = rule.check(snapshot(registered(registrant=registrant, id_hash=""), entity=entity))
    # THEN they match
    assert outcome.status == Status.PASS
    assert normalise_name(entity_name) == normalise_name(registrant)


def test_an_individuals_domain_matches_the_heads_name_and_id(rule):
    # GIVEN a personal filing: the entity is the head
    head = PersonSnapshot(name="张三", id_number_hash="hash-zhang")
    entity = EntitySnapshot(name="张三", entity_type=EntityType.INDIVIDUAL, id_number_hash="")
    domain = registered(registrant="张 三", id_hash="hash-zhang")
    # WHEN the rule runs
    outcome = rule.check(snapshot(domain, entity=entity, head=head))
    # THEN the head's name and ID match
    assert outcome.status == Status.PASS
    assert outcome.evidence["individual"] is True


# ---- the domain certificate -------------------------------------------------------------


def test_the_certificate_holder_answers_when_the_registrar_has_no_name(rule):
    # GIVEN no registrar data and a certificate held by the entity
    domain = registered(registrant="", id_hash="", status="unknown")
    outcome = rule.check(snapshot(domain, materials=(certificate(BETA),)))
    # THEN it passes on the certificate, noting the unknown real-name status
    assert outcome.status == Status.PASS
    record = outcome.evidence["domains"][0]
    assert record["source"] == "domain_certificate" and record["material_id"] == 1
    assert record["note"] == "real-name status unknown"
    assert [step["source"] for step in record["trail"]] == ["registrar", "domain_certificate"]


def test_the_newest_certificate_for_the_domain_is_used(rule):
    # GIVEN an old certificate held by the head, a newer one held by the entity, and a
    # newest one for another domain of the website
    domains = (registered(registrant="", id_hash=""), registered("other.example"))
    materials = (
        certificate("何川", uploaded=NOON, pk=1),
        certificate(BETA, uploaded=NOON + datetime.timedelta(days=1), pk=2),
        certificate(
            "张三", number="other.example", uploaded=NOON + datetime.timedelta(days=2), pk=3
        ),
    )
    # WHEN the rule runs
    outcome = rule.check(snapshot(*domains, materials=materials))
    # THEN the entity's certificate answers for beta.example
    assert outcome.status == Status.PASS
    assert outcome.evidence["domains"][0]["material_id"] == 2


def test_a_certificate_held_by_someone_else_fails_next_to_the_material(rule):
    # GIVEN a certificate naming another holder
    domain = registered(registrant="", id_hash="")
    outcome = rule.check(snapshot(domain, materials=(certificate("张三", number="beta.example"),)))
    # THEN it fails blocking, pointing at the certificate
    assert outcome.is_blocking
    assert outcome.fields == ("materials.domain_certificate",)


# ---- RDAP -------------------------------------------------------------------------------


def test_rdap_answers_last_and_a_match_passes(rule):
    # GIVEN neither registrar data nor certificate, and RDAP naming the entity
    domain = registered(registrant="", id_hash="", status="unknown")
    outcome = rule.check(snapshot(domain, rdap={"beta.example": rdap_ok(BETA)}))
    # THEN it passes on RDAP; the trail shows every source tried
    assert outcome.status == Status.PASS
    record = outcome.evidence["domains"][0]
    assert record["source"] == "rdap"
    assert [s["source"] for s in record["trail"]] == ["registrar", "domain_certificate", "rdap"]


def test_rdap_naming_someone_else_fails_blocking(rule):
    domain = registered(registrant="", id_hash="")
    outcome = rule.check(snapshot(domain, rdap={"beta.example": rdap_ok("Someone Else Ltd")}))
    assert outcome.is_blocking
    assert "registered to Someone Else Ltd" in outcome.message


@pytest.mark.parametrize(
    "entry",
    [
        rdap_ok("", redacted=True),
        {"status": "not_found", "info": None, "error": ""},
        {"status": "ok", "info": {"name": "", "redacted": False}, "error": ""},
    ],
    ids=["redacted", "not_found", "no_name"],
)
def test_a_registrant_rdap_does_not_show_cannot_be_told(rule, entry):
    # GIVEN RDAP redacts the registrant, or does not know the domain
    domain = registered(registrant="", id_hash="")
    outcome = rule.check(snapshot(domain, rdap={"beta.example": entry}))
    # THEN staff check it: cannot tell, never a pass
    assert outcome.status == Status.CANNOT_TELL
    assert outcome.message == (
        "The registrant of the domain beta.example is not public; "
        "staff will check the domain certificate."
    )


def test_rdap_unavailable_is_an_error(rule):
    # GIVEN the RDAP service timed out
    domain = registered(registrant="", id_hash="")
    entry = {"status": "unavailable", "info": None, "error": "RDAP answered HTTP 503"}
    outcome = rule.check(snapshot(domain, rdap={"beta.example": entry}))
    # THEN it is an error (retried, no case)
    assert outcome.status == Status.ERROR
    assert outcome.evidence["domains"][0]["trail"][-1]["error"] == "RDAP answered HTTP 503"


def test_a_missing_rdap_lookup_is_an_error_when_rdap_is_configured(rule, settings):
    # GIVEN RDAP is configured but the worker left no answer
    settings.RDAP_BASE_URL = "http://rdap.example"
    outcome = rule.check(snapshot(registered(registrant="", id_hash="")))
    # THEN the lookup is missing: error
    assert outcome.status == Status.ERROR
    assert "lookup missing" in outcome.message.lower()


def test_without_rdap_a_domain_no_source_names_cannot_be_told(rule):
    # GIVEN RDAP is not configured and no earlier source names a registrant
    outcome = rule.check(snapshot(registered(registrant="", id_hash="")))
    # THEN staff check it
    assert outcome.status == Status.CANNOT_TELL
    assert outcome.evidence["domains"][0]["trail"][-1] == {
        "source": "rdap",
        "answer": "not configured",
    }


def test_a_draft_without_registrant_data_is_not_applicable(rule):
    # GIVEN a draft domain without registrant data (no RDAP lookup in the self-check)
    domain = registered(registrant="", id_hash="")
    outcome = rule.check(snapshot(domain, source=APPLICATION))
    # THEN there is nothing to compare yet
    assert outcome.status == Status.NOT_APPLICABLE


def test_a_draft_is_checked_on_the_registrant_its_customer_entered(rule):
    # GIVEN a draft whose domain names another registrant
    domain = registered(registrant="张三", id_hash="", status="unknown")
    outcome = rule.check(snapshot(domain, source=APPLICATION))
    # THEN the self-check shows it next to the field
    assert outcome.is_blocking
    assert outcome.fields == ("domains.0.registrant_name",)


def test_the_worst_domain_decides_and_every_problem_is_listed(rule):
    # GIVEN one redacted domain, one with another registrant, one fine
    domains = (
        registered("hidden.example", registrant="", id_hash=""),
        registered("taken.example", registrant="张三", id_hash=""),
        registered("fine.example"),
    )
    rdap = {"hidden.example": rdap_ok("", redacted=True)}
    # WHEN the rule runs
    outcome = rule.check(snapshot(*domains, rdap=rdap))
    # THEN the blocking mismatch wins; the cannot-tell is listed too
    assert outcome.is_blocking
    assert problems(outcome) == [
        ("name_mismatch", "blocking", "domains.1.registrant_name"),
        ("registrant_not_public", "cannot_tell", "materials.domain_certificate"),
    ]


# ---- through load_snapshots and the RDAP stub -------------------------------------------


@pytest.mark.django_db
def test_live_websites_from_the_database(rule):
    # GIVEN websites whose domain is: registered to the entity; to the entity head;
    # pending real-name verification; without registrar data but with a certificate;
    # without any registrant data
    fine = DomainFactory(name="beta-net.example").website_id
    head = DomainFactory(name="beta-tech.example")
    head.registrant_name = head.website.entity.head.name
    head.save()
    pending = DomainFactory(name="beta-dev.example", real_name_status="pending").website_id
    cert_site = WebsiteFactory()
    DomainFactory(
        website=cert_site,
        name="beta-cert.example",
        registrant_name="",
        registrant_id_number="",
        real_name_status="unknown",
    )
    MaterialFactory(
        entity=None,
        website=cert_site,
        tenant=cert_site.tenant,
        kind=MaterialKind.DOMAIN_CERTIFICATE,
        holder_name=cert_site.entity.name,
        document_number="beta-cert.example",
    )
    unknown = DomainFactory(
        name="beta-support.example",
        registrant_name="",
        registrant_id_number="",
        real_name_status="unknown",
    ).website_id
    ids = [fine, head.website_id, pending, cert_site.pk, unknown]
    # WHEN the snapshots load and the rule runs
    outcomes = {s.website.id: rule.check(s) for s in load_snapshots(ids, as_of=AS_OF)}
    # THEN each gets the verdict its data explains
    assert outcomes[fine].status == Status.PASS
    assert outcomes[head.website_id].is_blocking
    assert f"registered to {head.registrant_name}" in outcomes[head.website_id].message
    assert outcomes[pending].is_blocking
    assert outcomes[cert_site.pk].status == Status.PASS
    assert outcomes[cert_site.pk].evidence["domains"][0]["source"] == "domain_certificate"
    assert outcomes[unknown].status == Status.CANNOT_TELL


@pytest.mark.django_db
def test_an_individuals_live_domain_registered_to_the_head(rule):
    # GIVEN a personal filing whose domain the person registered
    person = PersonFactory(name="李四")
    website = WebsiteFactory(
        entity__tenant=person.tenant,
        entity__head=person,
        entity__name="李四",
        entity__entity_type=EntityType.INDIVIDUAL,
        entity__id_type="resident_id",
        entity__id_number=person.id_number,
    )
    DomainFactory(website=website, name="lisi.example")
    # WHEN the rule runs
    (outcome,) = [rule.check(s) for s in load_snapshots([website.pk], as_of=AS_OF)]
    # THEN the person's name and ID match
    assert outcome.status == Status.PASS
    assert outcome.evidence["domains"][0]["id_match"] is True


def rdap_lookup(source, domain):
    """The lookup entry the engine stores for one domain, from a real RDAP answer."""
    try:
        info = source.lookup(domain)
    except LookupUnavailable as exc:
        return {"status": "unavailable", "info": None, "error": str(exc)}
    if info is None:
        return {"status": "not_found", "info": None, "error": ""}
    data = asdict(info)
    data.pop("domain")
    return {"status": "ok", "info": data, "error": ""}


@pytest.mark.django_db
def test_live_websites_with_answers_from_an_rdap_service(rule, rdap_stub, settings):
    # GIVEN RDAP serving one domain registered to the entity, one redacted, and one
    # failing, for websites with no registrar data or certificate
    settings.RDAP_BASE_URL = rdap_stub.base_url
    bare = {"registrant_name": "", "registrant_id_number": "", "real_name_status": "unknown"}
    named = DomainFactory(name="named.com", **bare)
    hidden = DomainFactory(name="hidden.com", **bare).website_id
    flaky = DomainFactory(name="flaky.com", **bare).website_id
    rdap_stub.serve("named.com", org=named.website.entity.name)
    rdap_stub.serve_redacted("hidden.com")
    rdap_stub.domains["flaky.com"] = 503
    cache = LocMemCache(f"rdap-{uuid.uuid4()}", {})
    source = RdapSource(rdap_stub.base_url, timeout=1, min_interval=0, cache=cache)
    # WHEN the worker's snapshots get their RDAP answers and the rule runs
    snapshots = load_snapshots([named.website_id, hidden, flaky], as_of=AS_OF)
    outcomes = {
        s.website.id: rule.check(
            s.with_lookups({"rdap": {d.name: rdap_lookup(source, d.name) for d in s.domains}})
        )
        for s in snapshots
    }
    # THEN the named one passes, the redacted one goes to staff, the failing one is an error
    assert outcomes[named.website_id].status == Status.PASS
    assert outcomes[named.website_id].evidence["domains"][0]["source"] == "rdap"
    assert outcomes[hidden].status == Status.CANNOT_TELL
    assert outcomes[flaky].status == Status.ERROR


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
        "贝塔技术中心": (Status.FAIL, Severity.BLOCKING),  # registered to the head
        "贝塔开发者平台": (Status.FAIL, Severity.BLOCKING),  # real-name pending
        "贝塔在线客服": (Status.CANNOT_TELL, None),  # no registrant data anywhere
    }
