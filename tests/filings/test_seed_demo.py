"""``manage.py seed_demo``: the demo customers, staff, filings, materials and DNS zone."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from io import StringIO
from pathlib import Path

import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from filings.choices import IdType, MaterialKind
from filings.demo import (
    ACCOUNTS,
    CLEAN_CONTRASTS,
    DELIBERATE_PROBLEMS,
    ENTITIES,
    FILINGS_ELSEWHERE,
    INSPECTION_RULES,
    websites,
)
from filings.demo.builder import seed_demo
from filings.demo.dataset import NETWORKS, PORTAL_URL
from filings.demo.materials import ENTITY_KINDS, PERSON_KINDS, required_kinds, website_materials
from filings.models import (
    Domain,
    Entity,
    Material,
    Person,
    ProviderNetwork,
    RegistryDomain,
    RegistryRecord,
    Website,
)
from filings.reference_data import PROVINCES
from filings.validators import phone_type, validate_id_document
from icpportal.accounts.two_factor.actions import (
    authenticator_of,
    authenticator_secret,
    recovery_code_hash,
)
from icpportal.crypto import keyed_hash
from icpportal.models import Membership, StaffProfile, Tenant

COMMITTED_ZONE = Path(settings.BASE_DIR) / "inspections" / "demo" / "demo.zone"
FILING_NUMBER_RE = re.compile(
    r"^[京津沪渝冀豫滇辽黑湘皖鲁新苏浙赣鄂桂陇晋蒙陕吉闽黔粤青藏蜀宁琼]ICP备(\d{2}|20\d{2})\d{6}号(-[1-9]\d*)?$"
)
PROVINCE_PREFIX = {code: prefix for code, _name, _en, prefix in PROVINCES}
ALL_MODELS = (
    Tenant,
    Membership,
    StaffProfile,
    get_user_model(),
    ProviderNetwork,
    Person,
    Entity,
    Website,
    Domain,
    Material,
    RegistryRecord,
    RegistryDomain,
)


def _demo_settings(media: Path) -> dict:
    """Materials go to a throw-away folder; passwords hash fast (the demo sets six)."""
    return {
        "STORAGES": {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media)},
            },
        },
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once into the empty test database for the read-only tests below.

    It lives in a transaction around the module (each test nests a savepoint in it)
    and is rolled back at the end, so other modules never see it.
    """
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(**_demo_settings(media)),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_db, db) -> str:
    """The seeded demo database; the command's output."""
    return demo_db


def problem_sites(code: str) -> dict[str, Website]:
    names = [name for rule, name, _description in DELIBERATE_PROBLEMS if rule == code]
    found = {
        w.name: w
        for w in Website.objects.filter(name__in=names).select_related(
            "entity", "head", "entity__head"
        )
    }
    assert set(found) == set(names), f"{code}: websites missing from the database"
    return found


def test_seed_creates_the_demo_logins_and_prints_them(seeded):
    # GIVEN an empty database WHEN seed_demo runs
    users = get_user_model().objects
    # THEN alice and bob own the two customers and carol is a member of Alpha Tech
    assert Membership.objects.get(user__username="alice", tenant__slug="alpha").role == "owner"
    assert Tenant.objects.get(slug="alpha").name == "Alpha Tech"
    assert Membership.objects.get(user__username="bob", tenant__slug="beta").role == "owner"
    assert Tenant.objects.get(slug="beta").name == "Beta Media"
    assert Membership.objects.get(user__username="carol", tenant__slug="alpha").role == "member"
    assert not Membership.objects.filter(user__username="alice", tenant__slug="beta").exists()
    # AND rachel and leo are compliance staff, not tenant members; admin is a superuser
    assert StaffProfile.objects.get(user__username="rachel").role == "reviewer"
    assert StaffProfile.objects.get(user__username="leo").role == "lead"
    assert users.get(username="rachel").is_staff and users.get(username="leo").is_staff
    assert not Membership.objects.filter(user__username__in=["rachel", "leo"]).exists()
    assert users.get(username="admin").is_superuser
    # AND every printed login works
    assert PORTAL_URL in seeded
    for account in ACCOUNTS:
        assert users.get(username=account.username).check_password(account.password)
        assert f"{account.username} / {account.password}" in seeded
        assert account.role in seeded


def test_staff_logins_get_an_authenticator_and_print_its_secret_and_recovery_codes(seeded):
    users = get_user_model().objects
    for account in ACCOUNTS:
        device = authenticator_of(users.get(username=account.username))
        if not (account.staff_role or account.superuser):
            assert device is None, account.username
            continue
        # GIVEN a staff login WHEN seeded THEN it has a confirmed authenticator app …
        assert device.confirmed
        after_login = seeded.split(f"{account.username} / {account.password}", 1)[1]
        printed = re.search(
            r"authenticator app secret: (\w+)\n\s+recovery codes: (\S+), (\S+)\n", after_login
        )
        # … whose secret is printed next to the login, with two working recovery codes
        assert printed is not None, account.username
        assert printed.group(1) == authenticator_secret(device)
        for code in printed.group(2, 3):
            stored = StaticToken.objects.filter(device__user=device.user_id)
            assert stored.filter(token=recovery_code_hash(code)).exists()
    assert "Staff confirm each login with the code of an authenticator app" in seeded


def test_seed_creates_filed_websites_with_domains_persons_and_networks(seeded):
    # GIVEN the seeded demo THEN there are at least 50 filed websites across both customers
    assert Website.objects.count() >= 50
    for slug in ("alpha", "beta"):
        assert Website.objects.filter(tenant__slug=slug).count() >= 20
    # AND each has one or two domains of its own customer and a website head
    for website in Website.objects.prefetch_related("domains"):
        assert 1 <= len(website.domains.all()) <= 2, website.name
        assert {d.tenant_id for d in website.domains.all()} == {website.tenant_id}
        assert website.filing_number.startswith(website.entity.filing_number + "-")
    # AND the entities are of several types in the provinces the demo promises
    assert Entity.objects.values("entity_type").distinct().count() >= 6
    provinces = set(Entity.objects.values_list("province__prefix", flat=True))
    assert {"京", "沪", "苏", "粤", "浙", "黔", "滇", "蜀"} <= provinces
    # AND some websites are run by someone other than the entity head
    assert Website.objects.exclude(head=F("entity__head")).exists()
    # AND the provider's networks are the documentation ranges of the dataset
    assert set(ProviderNetwork.objects.values_list("cidr", "kind")) == {
        (cidr, kind) for cidr, kind, _description in NETWORKS
    }


def test_seed_holds_filings_at_another_provider_ready_to_transfer(seeded):
    # GIVEN the seeded demo
    filed_here = set(Website.objects.values_list("filing_number", flat=True))
    elsewhere = [
        r
        for r in RegistryRecord.objects.prefetch_related("domains")
        if r.access_providers == ["other-cloud"] and r.website_filing_number not in filed_here
    ]
    # THEN the bureau holds filings at other-cloud that are not websites here
    assert len(elsewhere) == len(FILINGS_ELSEWHERE) >= 3
    assert all(r.domains.exists() for r in elsewhere)
    # AND most belong to alice's or bob's entities, matched by name and ID hash
    matched = {
        r.website_filing_number: Entity.objects.filter(
            name=r.entity_name, id_number_hash=r.entity_id_hash
        ).first()
        for r in elsewhere
    }
    tenants = {entity.tenant.slug for entity in matched.values() if entity is not None}
    assert tenants == {"alpha", "beta"}
    # AND one is of an entity that has no account here
    assert sum(entity is None for entity in matched.values()) == 1


def test_each_inspection_rule_has_a_deliberate_problem_in_the_data(seeded):
    # GIVEN the labelled dataset THEN every rule of the special inspection is exercised
    assert {code for code, _name, _description in DELIBERATE_PROBLEMS} == set(INSPECTION_RULES)
    today = timezone.localdate()

    # AND the data carries each problem as labelled
    identity = problem_sites("entity_identity")
    bad_code = identity["彩云之南旅游网"].entity
    with pytest.raises(ValidationError, match="check character"):
        validate_id_document(bad_code.id_type, bad_code.id_number)
    renamed = identity["贝塔数字科技官网"]
    record = RegistryRecord.objects.get(website_filing_number=renamed.filing_number)
    assert record.entity_name != renamed.entity.name
    assert record.entity_id_hash == renamed.entity.id_number_hash

    contact = problem_sites("contact_reachability")
    assert phone_type(contact["阿尔法招聘"].head.mobile) == "landline"
    marketing = contact["阿尔法营销云"].entity
    assert marketing.province_id == "110000"
    assert marketing.office_phone == marketing.head.mobile
    learning = contact["贝塔学习平台"].entity
    assert learning.province_id == "320000"
    numbers = [learning.office_phone, learning.head.landline, learning.head.mobile]
    assert "landline" not in {phone_type(n) for n in numbers if n}
    assert contact["阿尔法会员中心"].head.mobile_verified_at is None

    materials = problem_sites("required_materials")
    assert not materials["阿尔法云文档中心"].materials.filter(kind="verification_form").exists()
    old_form = materials["阿尔法上海活动站"].materials.get(kind="verification_form")
    assert materials["阿尔法上海活动站"].entity.province_id == "310000"
    assert (today - old_form.signed_on).days == 200
    assert not materials["贝塔新闻网"].materials.filter(kind="pre_approval").exists()

    expiry = problem_sites("domain_expiry")
    assert expiry["贝塔职场课堂"].domains.get().expires_on < today
    shanghai = expiry["阿尔法云存储"]
    assert shanghai.entity.province.domain_expiry_margin_days == 180
    assert 90 < (shanghai.domains.get().expires_on - today).days < 180

    owner = problem_sites("domain_owner")
    assert owner["贝塔技术中心"].domains.get().registrant_name != owner["贝塔技术中心"].entity.name
    assert owner["贝塔开发者平台"].domains.get().real_name_status == "pending"
    missing = owner["贝塔在线客服"].domains.get()
    assert (missing.registrant_name, missing.registrant_id_number) == ("", "")
    assert owner["贝塔在线客服"].materials.get(kind="domain_certificate").holder_name == ""

    content = problem_sites("content_consistency")
    assert (content["贝塔新闻网"].content_category, content["贝塔新闻网"].pre_approvals) == (
        "news",
        [],
    )
    forum = content["摄影爱好者论坛"]
    assert (forum.entity.entity_type, forum.content_category) == ("individual", "forum")
    finance = Website.objects.get(name="贝塔财富")
    assert finance.content_category == "finance" and finance.pre_approvals

    access = problem_sites("access_provider")["贝塔法律咨询"]
    record = RegistryRecord.objects.get(website_filing_number=access.filing_number)
    assert record.access_providers == ["other-cloud"]
    assert access.access_state == "accessed"


def test_clean_websites_are_filed_with_this_provider_as_the_bureau_sees_them(seeded):
    # GIVEN the websites with no deliberate problem
    labelled = {name for _code, name, _d in DELIBERATE_PROBLEMS}
    expiry_contrasts = {name for code, name, _d in CLEAN_CONTRASTS if code == "domain_expiry"}
    clean = Website.objects.exclude(name__in=labelled).select_related("entity__province")
    assert clean.count() >= 30
    for website in clean.prefetch_related("domains"):
        record = RegistryRecord.objects.get(website_filing_number=website.filing_number)
        # THEN the bureau's record matches the entity, the website and its domains
        assert record.access_providers == [settings.PROVIDER_CODE], website.name
        assert record.entity_name == website.entity.name
        assert record.entity_id_hash == website.entity.id_number_hash
        assert record.website_name == website.name
        assert set(record.domains.values_list("name", flat=True)) == {
            d.name for d in website.domains.all()
        }
        # AND every domain is the entity's, real-name verified, valid for over a year
        # (a contrast only beyond its province's margin)
        margin = website.entity.province.domain_expiry_margin_days
        for domain in website.domains.all():
            assert domain.registrant_name == website.entity.name, domain.name
            assert domain.registrant_id_hash == website.entity.id_number_hash
            assert domain.real_name_status == "verified"
            valid_days = (domain.expires_on - timezone.localdate()).days
            assert valid_days > (margin if website.name in expiry_contrasts else 365)


def _stored_files() -> list[str]:
    return sorted(str(p) for p in Path(default_storage.location).rglob("*") if p.is_file())


def test_rows_pass_model_validation_except_the_deliberate_mistakes(seeded):
    # GIVEN the seeded persons, entities, websites and domains
    failures = set()
    for model in (Person, Entity, Website, Domain):
        for row in model.objects.all():
            # WHEN each is validated as a form would validate it
            try:
                row.full_clean()
            except ValidationError as error:
                failures.add((model.__name__, str(row), *sorted(error.message_dict)))
    # THEN only the head whose "mobile" is a landline and the wrong credit code fail
    assert failures == {
        ("Person", "孙悦", "mobile"),
        ("Entity", "云南阿尔法旅游发展有限公司", "id_number"),
    }


def test_second_run_changes_nothing(seeded):
    # GIVEN the demo seeded once
    counts = {model.__name__: model.objects.count() for model in ALL_MODELS}
    stamps = {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Person, Entity, Website)
    }
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    files = _stored_files()
    assert len(files) == counts["Material"]

    # WHEN it runs again
    result = seed_demo()

    # THEN nothing was created or updated, and no row or file was added
    assert not result.changed_anything, (result.created, result.updated)
    # … the staff keep their authenticator; their recovery codes are not issued again
    assert set(result.second_factors) == {"rachel", "leo", "admin"}
    assert all(codes == () for _secret, codes in result.second_factors.values())
    assert {model.__name__: model.objects.count() for model in ALL_MODELS} == counts
    assert stamps == {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Person, Entity, Website)
    }
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords
    assert _stored_files() == files


def test_a_rerun_repairs_edited_rows_and_lost_files_without_duplicates(seeded):
    # GIVEN the seeded demo where a website was renamed and a material's file was lost
    website = Website.objects.get(name="阿尔法云官网")
    Website.objects.filter(pk=website.pk).update(name="renamed")
    material = Material.objects.filter(website=website, kind="verification_photo").get()
    with default_storage.open(material.file.name, "rb") as handle:
        original = handle.read()
    default_storage.delete(material.file.name)
    try:
        # WHEN seed_demo runs again
        out = StringIO()
        call_command("seed_demo", stdout=out)

        # THEN the name is back, the file is written again with the same content,
        # and nothing else was created
        assert "0 rows created, 2 updated" in out.getvalue()
        assert Website.objects.get(pk=website.pk).name == "阿尔法云官网"
        repaired = Material.objects.get(pk=material.pk)
        assert repaired.file.name != material.file.name
        with default_storage.open(repaired.file.name, "rb") as handle:
            assert handle.read() == original
        assert repaired.sha256 == hashlib.sha256(original).hexdigest()
    finally:
        # Files live outside the rolled-back transaction: put storage back as it was.
        default_storage.delete(Material.objects.get(pk=material.pk).file.name)
        default_storage.save(material.file.name, ContentFile(original))


def test_reset_passwords_restores_a_changed_demo_password(seeded):
    # GIVEN the seeded demo where alice changed her password
    alice = get_user_model().objects.get(username="alice")
    alice.set_password("something else entirely")
    alice.save()
    # WHEN seed_demo runs again, then with --reset-passwords
    call_command("seed_demo", stdout=StringIO())
    kept = get_user_model().objects.get(username="alice").check_password("alice-demo-pass")
    call_command("seed_demo", reset_passwords=True, stdout=StringIO())
    # THEN a plain re-run keeps the changed password and the reset restores the demo one
    assert not kept
    assert get_user_model().objects.get(username="alice").check_password("alice-demo-pass")


def test_committed_zone_file_equals_a_freshly_written_one(tmp_path):
    # GIVEN the zone file committed with the dataset
    # WHEN seed_demo writes the zone afresh
    fresh = tmp_path / "demo.zone"
    call_command("seed_demo", write_zone=str(fresh), stdout=StringIO())
    # THEN both are the same text (regenerate the committed one after changing the data)
    assert fresh.read_text(encoding="utf-8") == COMMITTED_ZONE.read_text(encoding="utf-8")


def _addresses(zone: dns.zone.Zone, name: str) -> tuple[list[str], list[str]] | None:
    """The addresses ``name`` resolves to, following CNAMEs, and the chain; None: NXDOMAIN."""
    chain: list[str] = []
    current = dns.name.from_text(name)
    for _hop in range(8):
        node = zone.get_node(current)
        if node is None:
            return None
        cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if cname:
            current = cname[0].target
            chain.append(current.to_text())
            continue
        return [
            rdata.address
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
            for rdata in (node.get_rdataset(dns.rdataclass.IN, rdtype) or [])
        ], chain
    raise AssertionError(f"CNAME chain of {name} is too long")


def test_zone_parses_and_every_clean_domain_resolves_into_our_networks(seeded):
    # GIVEN the committed zone, read the way the zonefile DNS backend reads it
    zone = dns.zone.from_file(str(COMMITTED_ZONE), origin=".", relativize=False, check_origin=False)
    ours = [ipaddress.ip_network(cidr) for cidr, _kind, _description in NETWORKS]
    expected = {d.fqdn: d for _e, w in websites() for d in w.domains}
    dns_problems = {name for code, name, _d in DELIBERATE_PROBLEMS if code == "dns_ip_ownership"}

    for domain in Domain.objects.select_related("website"):
        answer = _addresses(zone, f"{domain.name}.")
        # THEN every domain meant to resolve is in the zone, and only those
        assert (answer is not None) == expected[domain.name].resolves, domain.name
        if domain.website.name in dns_problems or answer is None:
            continue
        # AND a clean domain resolves only into the provider's own ranges
        addresses, _chain = answer
        assert addresses, domain.name
        for address in addresses:
            assert any(ipaddress.ip_address(address) in net for net in ours), (domain.name, address)

    # AND each DNS problem is what its label says
    assert _addresses(zone, "alpha-mirror.example.")[0] == ["203.0.113.7"]
    assert _addresses(zone, "alpha-staging.example.")[0] == ["10.0.0.8"]
    assert _addresses(zone, "alpha-legacy.example.") is None
    assert _addresses(zone, "alpha-datahub.example.")[1] == ["alpha-datahub.othercdn.example.net."]
    # AND the clean contrasts: a two-hop CNAME into our CDN, an IPv6-only site
    assert len(_addresses(zone, "alpha-mall.example.")[1]) == 2
    assert _addresses(zone, "alpha-academy.example.")[0] == ["2001:db8:1::c"]


def test_filing_numbers_have_the_official_format(seeded):
    # GIVEN the seeded filings THEN every entity, website and bureau number is well formed
    numbers = [
        *Entity.objects.values_list("filing_number", flat=True),
        *Website.objects.values_list("filing_number", flat=True),
        *RegistryRecord.objects.values_list("entity_filing_number", flat=True),
        *RegistryRecord.objects.values_list("website_filing_number", flat=True),
    ]
    assert len(numbers) > 150
    for number in numbers:
        assert FILING_NUMBER_RE.match(number), number
    # AND an entity's number starts with its province's prefix (滇, 黔, 蜀 included)
    for entity in Entity.objects.all():
        assert entity.filing_number[0] == PROVINCE_PREFIX[entity.province_id], entity.name


def _raw_column(model, column: str) -> dict[int, str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608
        return dict(cursor.fetchall())


def test_no_id_number_is_stored_in_clear(seeded):
    # GIVEN the seeded persons, entities and domains
    clear = {}
    for model, field in ((Person, "id_number"), (Entity, "id_number")):
        clear.update({(model, pk): v for pk, v in model.objects.values_list("pk", field)})
    clear.update(
        {(Domain, pk): v for pk, v in Domain.objects.values_list("pk", "registrant_id_number") if v}
    )
    persons = {p.key for e in ENTITIES for p in (e.head, *e.people)}
    assert len(clear) >= len(persons) + len(ENTITIES) + 50
    # THEN the database column holds ciphertext, never the number itself
    raw = {
        model: _raw_column(model, column)
        for model, column in (
            (Person, "id_number"),
            (Entity, "id_number"),
            (Domain, "registrant_id_number"),
        )
    }
    for (model, pk), value in clear.items():
        assert value and value not in raw[model][pk], (model.__name__, pk)
        assert keyed_hash(value) in (
            model.objects.filter(pk=pk).values_list(
                "registrant_id_hash" if model is Domain else "id_number_hash", flat=True
            )
        )
    # AND no ID number leaks into the plain-text columns of materials or the registry
    plain = [
        *Material.objects.values_list("holder_name", "original_name"),
        *RegistryRecord.objects.values_list("entity_name", "website_name"),
    ]
    numbers = set(clear.values())
    assert not any(number in text for row in plain for text in row for number in numbers)
    # AND the number on a certificate or an ID card is kept, encrypted like the rest
    on_documents = dict(
        Material.objects.filter(kind__in=["entity_certificate", "head_id_front"]).values_list(
            "pk", "document_number"
        )
    )
    assert on_documents and set(on_documents.values()) <= numbers
    stored = _raw_column(Material, "document_number")
    assert all(stored[pk] and number not in stored[pk] for pk, number in on_documents.items())


MAGIC = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


def test_material_files_are_stored_with_their_true_hash_and_type(seeded):
    # GIVEN the seeded materials
    rows = list(Material.objects.all())
    assert len(rows) > 200
    for material in rows:
        # THEN each file exists in storage with the recorded SHA-256, size and type
        assert default_storage.exists(material.file.name), material
        with default_storage.open(material.file.name, "rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == material.sha256, material
        assert len(content) == material.size
        assert content.startswith(MAGIC[material.content_type]), material
        # AND its stored name is random, not the original file name
        assert material.original_name not in material.file.name
    # AND ID copies sit on the persons, forms and photos on the websites
    assert {m.kind for m in rows if m.person_id} == set(PERSON_KINDS)
    with_id_copies = Material.objects.filter(person__isnull=False).values("person").distinct()
    assert with_id_copies.count() == Person.objects.count()
    for website in Website.objects.prefetch_related("materials"):
        kinds = {m.kind for m in website.materials.all()}
        assert {MaterialKind.VERIFICATION_PHOTO, MaterialKind.DOMAIN_CERTIFICATE} <= kinds
        form = [m for m in website.materials.all() if m.kind == MaterialKind.VERIFICATION_FORM]
        assert all(m.signed_on for m in form)


def test_dataset_is_clean_wherever_it_is_not_labelled():
    # GIVEN the declarative dataset (no database)
    labelled = {name for _code, name, _d in DELIBERATE_PROBLEMS}
    people = {p.key: p for e in ENTITIES for p in (e.head, *e.people)}
    # THEN names, domains, filing numbers and phone numbers are unique
    names = [w.name for _e, w in websites()]
    assert len(names) == len(set(names))
    fqdns = [d.fqdn for _e, w in websites() for d in w.domains]
    assert len(fqdns) == len(set(fqdns))
    phones = [p.mobile for p in people.values()] + [e.emergency_phone for e in ENTITIES]
    assert len(phones) == len(set(phones))
    # AND every ID is valid except the one credit code with a wrong check character
    invalid = []
    for entity in ENTITIES:
        try:
            validate_id_document(entity.id_type, entity.id_number)
        except ValidationError:
            invalid.append(entity.key)
    assert invalid == ["alpha-yn"]
    for person in people.values():
        validate_id_document(IdType.RESIDENT_ID, person.id_number)
    # AND mobiles are mobiles and landlines landlines, but for the labelled head
    for person in people.values():
        assert phone_type(person.mobile) == "mobile" or person.key == "sun-yue", person.key
        assert not person.landline or phone_type(person.landline) == "landline"
    # AND each clean website has every material a first filing needs
    for entity, website in websites():
        if website.name in labelled:
            continue
        needed = required_kinds(entity, website) - ENTITY_KINDS - PERSON_KINDS
        planned = {m.kind for m in website_materials(entity, website, timezone.localdate())}
        assert needed <= planned, website.name
