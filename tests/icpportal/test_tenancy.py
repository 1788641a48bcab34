"""Tenancy: alice never sees or touches bob's data, and scoped querysets fail closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from filings.models import Entity, Person, Website
from tests.factories import DomainFactory, EntityFactory, MembershipFactory, TenantFactory

pytestmark = pytest.mark.django_db


def test_for_tenant_without_tenant_returns_no_rows(alice_tenant):
    # GIVEN an entity that exists
    EntityFactory(tenant=alice_tenant)
    # WHEN a queryset is scoped to no tenant THEN it is empty, not everything
    assert Entity.objects.for_tenant(None).count() == 0
    assert Entity.objects.for_tenant(alice_tenant).count() == 1


def test_for_staff_requires_a_staff_role(alice, rachel, alice_tenant):
    EntityFactory(tenant=alice_tenant)
    assert Entity.objects.for_staff(alice).count() == 0
    assert Entity.objects.for_staff(rachel).count() == 1


def test_alice_lists_only_her_own_rows(alice_client, alice_tenant, bob_tenant):
    # GIVEN one website each for alice and bob
    mine = DomainFactory(website__entity__tenant=alice_tenant).website
    theirs = DomainFactory(website__entity__tenant=bob_tenant).website
    # WHEN alice opens her lists
    for name in ("entity-list", "website-list", "person-list"):
        body = alice_client.get(reverse(name)).content.decode()
        # THEN bob's rows are not there
        assert theirs.name not in body
        assert theirs.entity.name not in body
    assert mine.name in alice_client.get(reverse("website-list")).content.decode()


@pytest.mark.parametrize(
    "name", ["entity-detail", "person-detail", "person-id-number", "website-detail"]
)
def test_bob_object_answers_404_to_alice(alice_client, bob_tenant, name):
    website = DomainFactory(website__entity__tenant=bob_tenant).website
    obj = {
        "entity-detail": website.entity,
        "person-detail": website.head,
        "person-id-number": website.head,
        "website-detail": website,
    }[name]
    assert alice_client.get(reverse(name, args=[obj.pk])).status_code == 404


def test_switching_to_a_tenant_of_which_user_is_not_member_is_refused(alice_client, bob_tenant):
    alice_client.post(reverse("switch-tenant"), {"tenant": bob_tenant.pk})
    assert alice_client.session.get("icp_tenant_id") is None


def test_user_with_two_tenants_switches_between_them(alice_client, alice, alice_tenant):
    # GIVEN alice is also a member of a second tenant with its own entity
    second = TenantFactory(name="Gamma Shop", slug="gamma")
    MembershipFactory(user=alice, tenant=second, role="member")
    other = EntityFactory(tenant=second)
    assert other.name not in alice_client.get(reverse("entity-list")).content.decode()
    # WHEN she switches
    alice_client.post(reverse("switch-tenant"), {"tenant": second.pk})
    # THEN she sees the second tenant's rows
    assert other.name in alice_client.get(reverse("entity-list")).content.decode()


@pytest.mark.parametrize(
    ("wanted", "lands_on"),
    [
        ("/entities/", "/entities/"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("", "/"),
    ],
)
def test_switching_goes_back_to_a_page_of_this_site_only(alice_client, alice, wanted, lands_on):
    # GIVEN alice is a member of a second tenant
    second = TenantFactory(name="Gamma Shop", slug="gamma")
    MembershipFactory(user=alice, tenant=second, role="member")
    # WHEN she switches, asking to go on to ``wanted``
    response = alice_client.post(reverse("switch-tenant"), {"tenant": second.pk, "next": wanted})
    # THEN she lands there only when it is a page of the portal, else on the home page
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_members_cannot_reveal_full_id_numbers(client, alice_tenant):
    from tests.factories import UserFactory

    carol = UserFactory(username="carol")
    MembershipFactory(user=carol, tenant=alice_tenant, role="member")
    person = EntityFactory(tenant=alice_tenant).head
    client.force_login(carol)
    assert client.get(reverse("person-id-number", args=[person.pk])).status_code == 403


def test_anonymous_users_are_sent_to_login(client, alice_tenant):
    person = EntityFactory(tenant=alice_tenant).head
    response = client.get(reverse("person-detail", args=[person.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_person_and_website_querysets_scoped(alice_tenant, bob_tenant):
    DomainFactory(website__entity__tenant=alice_tenant)
    assert Person.objects.for_tenant(bob_tenant).count() == 0
    assert Website.objects.for_tenant(bob_tenant).count() == 0
