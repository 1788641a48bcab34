"""Snapshots: built in bulk from live rows, or from an application's proposed data."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from filings.choices import ApplicationKind, ApplicationStatus, ContentCategory, MaterialKind
from filings.models import Domain, Website
from filings.payloads import empty_payload, payload_sections
from icpportal.crypto import keyed_hash
from inspections.snapshot import (
    DomainSnapshot,
    EntitySnapshot,
    Snapshot,
    input_hashes,
    load_snapshots,
    snapshot_from_application,
)
from tests.factories import (
    ApplicationFactory,
    DomainFactory,
    EntityFactory,
    MaterialFactory,
    PersonFactory,
    RegistryDomainFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    credit_code,
    resident_id,
)

AS_OF = datetime.date(2026, 6, 1)
LOOKUPS = {"dns": {"a-site.example.com": ["192.0.2.10"]}}
ROOT = Path(__file__).resolve().parents[2]


def person_material(person, **kwargs):
    return MaterialFactory(
        entity=None,
        tenant=person.tenant,
        person=person,
        holder_name=person.name,
        document_number=person.id_number,
        **kwargs,
    )


def make_site(tenant, *, domain_names=()):
    """A filed website with its own website head, domains, materials and bureau record."""
    entity = EntityFactory(tenant=tenant)
    website = WebsiteFactory(entity=entity, head=PersonFactory(tenant=tenant))
    domains = [DomainFactory(website=website, name=name) for name in domain_names]
    if not domains:
        domains = [DomainFactory(website=website)]
    MaterialFactory(entity=entity)
    MaterialFactory(entity=entity, website=website, kind=MaterialKind.VERIFICATION_FORM)
    person_material(entity.head, kind=MaterialKind.HEAD_ID_FRONT)
    person_material(website.head, kind=MaterialKind.HEAD_ID_FRONT)
    record = RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=website.filing_number,
        entity_name=entity.name,
        entity_id_hash=entity.id_number_hash,
        province_id="110000",
        website_name=website.name,
        access_providers=["this-provider"],
    )
    for domain in domains:
        RegistryDomainFactory(record=record, name=domain.name)
    return website


@pytest.fixture
def site(alice_tenant):
    return make_site(alice_tenant, domain_names=("b-site.example.com", "a-site.example.com"))


def live_payload(website: Website, *, reuse_head: bool = True) -> dict:
    """A change_website payload that proposes exactly what is live."""
    head = website.head
    return {
        "website": {
            "name": website.name,
            "homepage_url": website.homepage_url,
            "content_category": website.content_category,
            "pre_approvals": website.pre_approvals,
            "service_type": website.service_type,
        },
        "website_head": {"person_id": head.pk}
        if reuse_head
        else {
            "name": head.name,
            "id_type": head.id_type,
            "id_number": head.id_number.lower(),  # typed in lower case: still the same
            "mobile": head.mobile,
            "landline": head.landline,
            "email": head.email,
        },
        "domains": [
            {
                "name": d.name,
                "registrar": d.registrar,
                "registrant_name": d.registrant_name,
                "registrant_id_type": d.registrant_id_type,
                "registrant_id_number": d.registrant_id_number,
                "expires_on": d.expires_on.isoformat(),
            }
            for d in website.domains.filter(is_active=True).order_by("-name")
        ],
    }


# ---- from live rows -------------------------------------------------------------------


def test_a_live_snapshot_carries_the_website_as_filed(site, alice_tenant):
    # GIVEN a removed domain, another entity's material and a pending application's upload
    entity, website_head = site.entity, site.head
    DomainFactory(website=site, name="old.example.com", is_active=False)
    MaterialFactory(tenant=alice_tenant)
    pending = ApplicationFactory(tenant=alice_tenant, kind=ApplicationKind.CHANGE_ENTITY)
    MaterialFactory(entity=entity, application=pending, kind=MaterialKind.POWER_OF_ATTORNEY)

    # WHEN it is loaded
    [snapshot] = load_snapshots([site.pk], as_of=AS_OF)

    # THEN the website, entity, heads and province are as filed
    assert snapshot.source == "live" and snapshot.application_kind == "first_filing"
    assert snapshot.as_of == AS_OF and snapshot.lookups == {}
    assert snapshot.website.id == site.pk and snapshot.website.tenant_id == alice_tenant.pk
    assert snapshot.website.filing_number == site.filing_number
    assert snapshot.website.access_state == Website.AccessState.ACCESSED
    assert snapshot.entity.name == entity.name and snapshot.entity.id_number == entity.id_number
    assert snapshot.entity.id_number_hash == keyed_hash(entity.id_number)
    assert snapshot.entity.province_code == "110000" and snapshot.entity.website_count == 1
    assert snapshot.entity_head.id == entity.head_id
    assert snapshot.website_head.id == website_head.pk
    assert snapshot.website_head.mobile == website_head.mobile
    assert snapshot.province.prefix == "京" and snapshot.province.domain_expiry_margin_days == 90
    assert snapshot.province.office_phone_distinct_from_head_mobile is True
    # AND only active domains, by name, with registrant data as a keyed hash
    assert [d.name for d in snapshot.domains] == ["a-site.example.com", "b-site.example.com"]
    assert snapshot.domains[0].registrant_id_hash == keyed_hash(entity.id_number)
    assert snapshot.domains[0].real_name_status == Domain.RealNameStatus.VERIFIED
    # AND the live materials of the entity, the website and both heads, nothing else
    owners = sorted((m.kind, m.owner, m.person_id) for m in snapshot.materials)
    assert owners == sorted(
        [
            ("entity_certificate", "entity", None),
            ("verification_form", "website", None),
            ("head_id_front", "person", entity.head_id),
            ("head_id_front", "person", website_head.pk),
        ]
    )
    assert all(m.integrity_ok is None and m.size > 0 for m in snapshot.materials)
    # AND the requirements of a first filing by an enterprise in Beijing
    kinds = {r.material_kind for r in snapshot.material_requirements}
    assert {"entity_certificate", "head_id_front", "verification_form"} <= kinds
    assert "commitment_letter" not in kinds  # Guangdong only
    assert "residence_permit" not in kinds  # individuals only
    # AND the bureau's record of the filing
    assert snapshot.registry.entity_id_hash == entity.id_number_hash
    assert snapshot.registry.access_providers == ("this-provider",)
    assert snapshot.registry.domains == ("a-site.example.com", "b-site.example.com")


def test_snapshots_come_in_the_order_asked_and_unknown_ids_are_left_out(alice_tenant):
    # GIVEN two websites, and a third one of the first website's entity
    first, second = make_site(alice_tenant), make_site(alice_tenant, domain_names=("z.cn",))
    sibling = WebsiteFactory(entity=first.entity)

    snapshots = load_snapshots([second.pk, 999_999, first.pk, second.pk, sibling.pk])

    assert [s.website.id for s in snapshots] == [second.pk, first.pk, sibling.pk]
    assert [s.entity.website_count for s in snapshots] == [1, 2, 2]
    assert snapshots[2].domains == () and snapshots[2].registry is None
    assert load_snapshots([]) == []


def test_a_chunk_of_two_thousand_ids_loads_in_the_same_queries(
    alice_tenant, django_assert_num_queries
):
    # GIVEN a worker chunk of 2,000 ids, a few of them real
    real = [make_site(alice_tenant).pk for _ in range(3)]
    chunk = real + list(range(10_000_000, 10_000_000 + 1_997))

    with django_assert_num_queries(6):
        snapshots = load_snapshots(chunk, as_of=AS_OF)

    assert [s.website.id for s in snapshots] == real


def test_loading_takes_the_same_queries_for_one_website_or_thirty(
    alice_tenant, bob_tenant, django_assert_num_queries
):
    # GIVEN thirty websites over two tenants, each with its domains, materials and record
    sites = [make_site(alice_tenant if n % 2 else bob_tenant) for n in range(30)]

    # WHEN one is loaded, and then all thirty THEN the number of queries does not grow
    with django_assert_num_queries(6):
        one = load_snapshots([sites[0].pk], as_of=AS_OF)
    with django_assert_num_queries(6):
        thirty = load_snapshots([s.pk for s in sites], as_of=AS_OF)

    assert len(one) == 1 and len(thirty) == 30
    assert all(len(s.materials) == 4 and s.registry is not None for s in thirty)


# ---- input_hash -------------------------------------------------------------------------


def test_the_input_hash_is_stable_and_follows_the_data(site):
    # GIVEN the same website loaded twice
    [first] = load_snapshots([site.pk], as_of=AS_OF)
    [again] = load_snapshots([site.pk], as_of=AS_OF)
    assert first.input_hash() == again.input_hash()
    assert len(first.input_hash()) == 64

    # WHEN a domain's expiry, the look-ups or the day change THEN so does the hash
    Domain.objects.filter(website=site, name="a-site.example.com").update(
        expires_on=AS_OF + datetime.timedelta(days=30)
    )
    [moved] = load_snapshots([site.pk], as_of=AS_OF)
    assert moved.input_hash() != first.input_hash()
    assert first.with_lookups(LOOKUPS).input_hash() != first.input_hash()
    [later] = load_snapshots([site.pk], as_of=AS_OF + datetime.timedelta(days=1))
    assert later.input_hash() != again.input_hash()


def test_a_chunk_hashes_each_website_as_it_would_alone(alice_tenant):
    # GIVEN two websites of one entity (sharing its parts) and one of another entity
    first = make_site(alice_tenant)
    sibling = WebsiteFactory(entity=first.entity, head=first.entity.head)
    DomainFactory(website=sibling)
    other = make_site(alice_tenant)
    snapshots = load_snapshots([first.pk, sibling.pk, other.pk], as_of=AS_OF)
    assert snapshots[0].entity is snapshots[1].entity

    # WHEN the chunk is hashed at once THEN each hash is the snapshot's own
    hashes = input_hashes(snapshots)
    assert hashes == [snapshot.input_hash() for snapshot in snapshots]
    assert len(set(hashes)) == 3


def test_the_input_hash_changes_with_an_id_number(site):
    [before] = load_snapshots([site.pk], as_of=AS_OF)
    person = site.head
    person.id_number = resident_id(987)
    person.save()

    [after] = load_snapshots([site.pk], as_of=AS_OF)

    assert after.input_hash() != before.input_hash()


def test_no_clear_id_number_enters_the_hashed_json(site):
    # GIVEN a snapshot full of ID numbers: entity, heads, domains, material documents
    [snapshot] = load_snapshots([site.pk], as_of=AS_OF)
    clear = {
        snapshot.entity.id_number,
        snapshot.entity_head.id_number,
        snapshot.website_head.id_number,
        *(m.document_number for m in snapshot.materials),
    }
    assert all(clear)

    # WHEN it is turned into the canonical JSON
    text = snapshot.canonical_json()

    # THEN none of them is there, their keyed hashes are
    assert not [number for number in clear if number in text]
    assert keyed_hash(snapshot.entity.id_number) in text
    assert keyed_hash(snapshot.website_head.id_number) in text


def test_the_input_hash_is_the_same_in_another_process():
    # GIVEN a snapshot with a set in its look-ups (set order varies between processes)
    build = (
        "import datetime; from inspections.snapshot.parts import *; "
        "s = Snapshot(as_of=datetime.date(2026, 6, 1), "
        "entity=EntitySnapshot(name='示例', id_number='X', id_number_hash='h'), "
        "domains=(DomainSnapshot(name='b.cn'), DomainSnapshot(name='a.cn')), "
        "lookups={'dns': {'a.cn': frozenset({'192.0.2.1', '192.0.2.2', '192.0.2.3'})}})"
    )
    namespace: dict = {}
    exec(build, namespace)  # noqa: S102 - the same code runs in the child process
    here = namespace["s"].input_hash()

    # WHEN another Python process with another hash seed computes it
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); " + build + "; print(s.input_hash())",
        ],
        env={
            **os.environ,
            "PYTHONHASHSEED": "12345",
            "DJANGO_SETTINGS_MODULE": "icpportal.settings",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    # THEN it gets the same hash; and the order of domains does not matter either
    assert child.stdout.strip() == here
    reordered = Snapshot(
        as_of=datetime.date(2026, 6, 1),
        entity=EntitySnapshot(name="示例", id_number="X", id_number_hash="h"),
        domains=(DomainSnapshot(name="a.cn"), DomainSnapshot(name="b.cn")),
        lookups={"dns": {"a.cn": frozenset({"192.0.2.3", "192.0.2.1", "192.0.2.2"})}},
    )
    assert reordered.input_hash() == here


@pytest.mark.parametrize("reuse_head", [True, False], ids=["head by reference", "head typed in"])
def test_an_application_proposing_the_live_data_hashes_like_the_live_website(
    site, alice_tenant, reuse_head
):
    # GIVEN a change application whose payload equals what is live
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.CHANGE_WEBSITE,
        website=site,
        entity=site.entity,
        payload=live_payload(site, reuse_head=reuse_head),
    )

    # WHEN both are snapshotted on the same day with the same look-ups
    proposed = snapshot_from_application(application, as_of=AS_OF).with_lookups(LOOKUPS)
    [live] = load_snapshots([site.pk], as_of=AS_OF, application_kind="change_website")
    live = live.with_lookups(LOOKUPS)

    # THEN they hash the same, though they came from different places
    assert proposed.source == "application" and live.source == "live"
    assert proposed.canonical_json() == live.canonical_json()
    assert proposed.input_hash() == live.input_hash()


# ---- from an application --------------------------------------------------------------


def test_a_first_filing_draft_becomes_a_snapshot(alice_tenant, bob_tenant):
    # GIVEN a first filing in Shanghai that reuses one of alice's persons as website head
    reused = PersonFactory(
        tenant=alice_tenant, mobile_verified_at=datetime.datetime.now(datetime.UTC)
    )
    number = credit_code(4242).lower()
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.FIRST_FILING,
        payload={
            "entity": {
                "entity_type": "enterprise",
                "name": "上海示例有限公司",
                "id_type": "uscc",
                "id_number": f" {number} ",
                "province": "310000",
                "legal_representative": "李四",
                "office_phone": "+862155556666",
            },
            "entity_head": {"name": "李四", "id_type": "resident_id", "id_number": resident_id(5)},
            "website": {
                "name": "示例资讯",
                "homepage_url": "https://www.example.cn/",
                "content_category": ContentCategory.NEWS,
                "pre_approvals": [{"category": "news", "number": "NEWS-1"}, "PUB-2"],
            },
            "website_head": {"person_id": reused.pk},
            "domains": [
                {
                    "name": "WWW.Example.CN.",
                    "expires_on": "2027-05-01",
                    "registrant_id_number": number,
                },
                {"name": "example.com.cn", "expires_on": "not a date"},
            ],
        },
    )
    MaterialFactory(
        entity=None,
        tenant=alice_tenant,
        application=application,
        holder_name="上海示例有限公司",
        document_number=number,
    )

    # WHEN it is snapshotted
    snapshot = snapshot_from_application(application, as_of=AS_OF)

    # THEN the proposed data is there, cleaned the way the models store it
    assert snapshot.source == "application" and snapshot.application_id == application.pk
    assert snapshot.application_kind == "first_filing"
    assert snapshot.website.id is None and snapshot.website.tenant_id == alice_tenant.pk
    assert snapshot.website.pre_approvals[0].number == "NEWS-1"
    assert snapshot.website.pre_approvals[1].number == "PUB-2"
    assert snapshot.entity.id_number == number.upper()
    assert snapshot.entity.id_number_hash == keyed_hash(number.upper())
    assert snapshot.entity.address == "" and snapshot.entity.website_count == 1
    assert snapshot.entity_head.id is None and snapshot.entity_head.name == "李四"
    # AND the reused person is the one on file, SMS verification included
    assert snapshot.website_head.id == reused.pk
    assert snapshot.website_head.mobile_verified_at == reused.mobile_verified_at
    # AND domains keep the payload's order (fields point at "domains.N")
    assert [d.name for d in snapshot.domains] == ["www.example.cn", "example.com.cn"]
    assert snapshot.domains[0].expires_on == datetime.date(2027, 5, 1)
    assert snapshot.domains[0].registrant_id_hash == snapshot.entity.id_number_hash
    assert snapshot.domains[1].expires_on is None
    assert snapshot.domains[1].real_name_status == "unknown"
    # AND Shanghai's rules and requirements apply
    assert snapshot.province.code == "310000"
    assert snapshot.province.domain_expiry_margin_days == 180
    forms = [r for r in snapshot.material_requirements if r.material_kind == "verification_form"]
    assert sorted(r.max_age_days or 0 for r in forms) == [0, 90]
    assert [(m.kind, m.owner) for m in snapshot.materials] == [
        ("entity_certificate", "application")
    ]
    assert snapshot.registry is None


def test_another_tenants_person_cannot_be_reused(alice_tenant, bob_tenant):
    # GIVEN alice's draft that points at one of bob's persons
    bobs = PersonFactory(tenant=bob_tenant)
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.FIRST_FILING,
        payload={"entity_head": {"person_id": bobs.pk}},
    )

    # WHEN it is snapshotted THEN nothing of bob's person shows
    snapshot = snapshot_from_application(application, as_of=AS_OF)

    assert snapshot.entity_head.id is None
    assert snapshot.entity_head.name == "" and snapshot.entity_head.id_number == ""


def test_a_malformed_draft_gives_empty_values_not_errors(alice_tenant):
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.FIRST_FILING,
        payload={
            "entity": "not an object",
            "website_head": {"person_id": "abc", "mobile": None},
            "domains": [{"expires_on": 20270101}, 5],
            "transfer": {"filing_number": "京ICP备11041704号-1"},  # not a first-filing section
        },
    )

    snapshot = snapshot_from_application(application, as_of=AS_OF)

    assert snapshot.entity == EntitySnapshot(website_count=1)
    assert snapshot.website_head.id is None and snapshot.website_head.mobile == ""
    assert snapshot.domains == (DomainSnapshot(),)
    assert snapshot.province is None and snapshot.registry is None
    assert snapshot.website.filing_number == ""


def test_a_change_application_is_laid_over_the_live_website(site, alice_tenant):
    # GIVEN a change that renames the site, moves an expiry, adds a domain and drops one
    payload = live_payload(site)
    payload["website"]["name"] = "新名字"
    payload["domains"] = [
        {**payload["domains"][1], "expires_on": "2026-07-01"},  # a-site.example.com
        {"name": "new.example.com", "registrant_name": "someone else"},
    ]
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.CHANGE_WEBSITE,
        website=site,
        payload=payload,
    )
    MaterialFactory(
        entity=None,
        tenant=alice_tenant,
        application=application,
        kind=MaterialKind.DOMAIN_CERTIFICATE,
        holder_name=site.entity.name,
        document_number=site.entity.id_number,
    )
    other_draft = ApplicationFactory(tenant=alice_tenant, kind=ApplicationKind.CHANGE_WEBSITE)
    MaterialFactory(entity=site.entity, application=other_draft, kind=MaterialKind.PRE_APPROVAL)

    # WHEN it is snapshotted
    snapshot = snapshot_from_application(application, as_of=AS_OF)

    # THEN the live rows show through where the payload is silent
    assert snapshot.application_kind == "change_website"
    assert snapshot.website.id == site.pk and snapshot.website.name == "新名字"
    assert snapshot.website.filing_number == site.filing_number
    assert snapshot.entity.id == site.entity_id and snapshot.entity.website_count == 1
    assert snapshot.entity_head.id == site.entity.head_id
    assert snapshot.website_head.id == site.head_id
    assert snapshot.registry.website_filing_number == site.filing_number
    # AND the proposed domains replace the live list, keeping what is known of each
    a_site, new = snapshot.domains
    assert (a_site.name, a_site.expires_on) == ("a-site.example.com", datetime.date(2026, 7, 1))
    assert a_site.real_name_status == Domain.RealNameStatus.VERIFIED
    assert (new.name, new.real_name_status, new.expires_on) == ("new.example.com", "unknown", None)
    # AND its own upload joins the live materials, another draft's does not
    kinds = sorted((m.kind, m.owner) for m in snapshot.materials)
    assert ("domain_certificate", "application") in kinds
    assert ("verification_form", "website") in kinds
    assert "pre_approval" not in {kind for kind, _ in kinds}
    assert {r.material_kind for r in snapshot.material_requirements} >= {"domain_certificate"}


def test_a_typed_in_head_with_a_new_mobile_loses_its_sms_verification(site, alice_tenant):
    # GIVEN a verified website head, and a change that gives them another mobile
    site.head.mobile_verified_at = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    site.head.save()
    payload = live_payload(site, reuse_head=False)
    payload["website_head"]["mobile"] = "+8613700000001"
    application = ApplicationFactory(
        tenant=alice_tenant, kind=ApplicationKind.CHANGE_WEBSITE, website=site, payload=payload
    )

    snapshot = snapshot_from_application(application, as_of=AS_OF)

    assert snapshot.website_head.id == site.head_id
    assert snapshot.website_head.mobile == "+8613700000001"
    assert snapshot.website_head.mobile_verified_at is None


def test_a_transfer_finds_the_filing_at_the_bureau(alice_tenant):
    # GIVEN a filing held at another provider
    record = RegistryRecordFactory()
    application = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.TRANSFER,
        payload={"transfer": {"filing_number": f" {record.website_filing_number} "}},
    )

    snapshot = snapshot_from_application(application, as_of=AS_OF)

    assert snapshot.registry.access_providers == ("other-cloud",)
    assert snapshot.website.filing_number == record.website_filing_number
    assert snapshot.entity.name == record.entity_name
    assert snapshot.entity.id_number_hash == record.entity_id_hash
    assert snapshot.province.code == "310000"


def test_materials_of_an_approved_application_are_live(site, alice_tenant):
    approved = ApplicationFactory(tenant=alice_tenant, status=ApplicationStatus.APPROVED)
    upload = MaterialFactory(
        entity=site.entity, application=approved, kind=MaterialKind.COMMITMENT_LETTER
    )

    [snapshot] = load_snapshots([site.pk], as_of=AS_OF)

    assert upload.pk in {m.id for m in snapshot.materials}


# ---- the payload schema -------------------------------------------------------------------


def test_each_kind_has_its_sections_and_an_empty_draft():
    assert payload_sections(ApplicationKind.FIRST_FILING) == (
        "entity",
        "entity_head",
        "website",
        "website_head",
        "domains",
    )
    assert payload_sections(ApplicationKind.CHANGE_ACCESS) == ("domains",)
    assert payload_sections(ApplicationKind.DEREGISTER_ENTITY) == ("reason",)
    assert all(payload_sections(kind) for kind in ApplicationKind.values)
    with pytest.raises(KeyError, match="no_such_kind"):
        payload_sections("no_such_kind")

    draft = empty_payload(ApplicationKind.TRANSFER)

    assert draft == {
        "transfer": {"filing_number": ""},
        "website": {
            "name": "",
            "homepage_url": "",
            "content_category": "",
            "pre_approvals": [],
            "service_type": "",
        },
        "website_head": {
            "name": "",
            "id_type": "",
            "id_number": "",
            "mobile": "",
            "landline": "",
            "email": "",
        },
        "domains": [],
    }


def test_an_empty_draft_snapshots_without_errors(alice_tenant):
    for kind in ApplicationKind.values:
        application = ApplicationFactory(
            tenant=alice_tenant, kind=kind, payload=empty_payload(kind)
        )

        snapshot = snapshot_from_application(application, as_of=AS_OF)

        assert snapshot.application_kind == kind
        assert snapshot.entity.id_number_hash == ""
