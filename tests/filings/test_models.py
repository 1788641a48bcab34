"""Filing models: validation users read, named constraints, reference data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from filings.models import Domain, MaterialRequirement, ProvinceRule
from tests.factories import DomainFactory, EntityFactory, PersonFactory, WebsiteFactory

pytestmark = pytest.mark.django_db


def test_all_31_provinces_are_seeded_with_their_prefixes():
    prefixes = set(ProvinceRule.objects.values_list("prefix", flat=True))
    assert len(prefixes) == 31
    assert {"滇", "黔", "蜀", "陇"} <= prefixes
    assert not {"云", "贵", "川", "甘"} & prefixes
    shanghai = ProvinceRule.objects.get(code="310000")
    assert shanghai.domain_expiry_margin_days == 180 and shanghai.source and shanghai.verified_on
    assert ProvinceRule.objects.get(code="320000").landline_required
    assert ProvinceRule.objects.get(code="330000").bureau_review_working_days == 30


def test_material_requirements_are_seeded():
    kinds = set(
        MaterialRequirement.objects.filter(application_kind="first_filing").values_list(
            "material_kind", flat=True
        )
    )
    assert {
        "entity_certificate",
        "head_id_front",
        "verification_form",
        "domain_certificate",
    } <= kinds
    assert (
        MaterialRequirement.objects.get(
            application_kind="first_filing", material_kind="verification_form", province_id="310000"
        ).max_age_days
        == 90
    )


def test_bad_id_number_is_reported_on_its_field(alice_tenant):
    entity = EntityFactory.build(
        tenant=alice_tenant, head=PersonFactory(tenant=alice_tenant), id_number="91110108000000019X"
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        entity.full_clean()
    assert "id_number" in error.value.message_dict


def test_landline_in_the_mobile_field_is_refused(alice_tenant):
    person = PersonFactory.build(tenant=alice_tenant, mobile="+861062345678")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "landline" in " ".join(error.value.message_dict["mobile"])


def test_filing_numbers_are_unique_with_a_readable_message(alice_tenant, bob_tenant):
    first = EntityFactory(tenant=alice_tenant)
    clash = EntityFactory.build(
        tenant=bob_tenant, head=PersonFactory(tenant=bob_tenant), filing_number=first.filing_number
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        clash.validate_constraints()
    assert "already in use" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def test_a_domain_is_in_at_most_one_active_filing(alice_tenant, bob_tenant):
    domain = DomainFactory(website__entity__tenant=alice_tenant, name="shop.example.cn")
    other = WebsiteFactory(entity__tenant=bob_tenant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Domain.objects.create(tenant=bob_tenant, website=other, name="shop.example.cn")
    # Once the first filing is deregistered the domain may be filed again.
    Domain.objects.filter(pk=domain.pk).update(is_active=False)
    Domain.objects.create(tenant=bob_tenant, website=other, name="shop.example.cn")


def test_domain_names_are_stored_lowercase_without_trailing_dot(alice_tenant):
    domain = DomainFactory(website__entity__tenant=alice_tenant, name="WWW.Example.CN.")
    assert domain.name == "www.example.cn"


def test_province_display_name_follows_the_language():
    province = ProvinceRule.objects.get(code="530000")
    with translation.override("en"):
        assert province.display_name == "Yunnan"
    with translation.override("zh-hans"):
        assert province.display_name == "云南"
