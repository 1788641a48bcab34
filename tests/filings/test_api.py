"""The customer REST API of filings: lists, details, applications and their transitions,
tenant isolation over every endpoint, masking, filters, pagination and query counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, Material
from icpportal.models import AuditEvent, Membership
from inspections.rules import Rule, default_registry
from notifications.models import PhoneVerification
from tests.api import new_token, token_client
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    ApplicationMaterialFactory,
    DomainFactory,
    EntityFactory,
    MembershipFactory,
    PersonFactory,
    PersonMaterialFactory,
    PhoneVerificationFactory,
    UserFactory,
    WebsiteFactory,
    first_filing_payload,
    website_payload,
)

pytestmark = pytest.mark.django_db
Status = ApplicationStatus
API = "/api/v1"


class BlockingNameRule(Rule):
    code = "test_blocking_name"
    version = 1
    title = "Test: entity name"

    def check(self, snapshot):
        return self.failed("Use the name on the business licence.", fields=("entity.name",))


@pytest.fixture(autouse=True)
def self_check_rules(monkeypatch, settings, tmp_path):
    """The self-check runs only the rules a test adds; files go to a fresh folder; the
    throttle counters start from zero."""
    rules: dict[str, Rule] = {}
    monkeypatch.setattr(default_registry, "_rules", rules)
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": Path(tmp_path) / "media"},
        },
    }
    cache.clear()
    return rules


def filings_of(tenant, user):
    """One of everything for ``tenant``: entity, person, website, domain, draft
    application, a document of each, a phone verification and an API token."""
    entity = EntityFactory(tenant=tenant)
    website = WebsiteFactory(entity=entity)
    domain = DomainFactory(website=website)
    application = ApplicationFactory(
        tenant=tenant, created_by=user, payload=first_filing_payload(entity.pk)
    )
    material = ApplicationMaterialFactory(application=application, uploaded_by=user)
    id_copy = PersonMaterialFactory(person=entity.head, uploaded_by=user)
    verification = PhoneVerificationFactory(person=entity.head, created_by=user)
    _secret, token = new_token(user, tenant, name="theirs")
    return {
        "entity": entity,
        "person": entity.head,
        "website": website,
        "domain": domain,
        "application": application,
        "material": material,
        "id_copy": id_copy,
        "verification": verification,
        "token": token,
    }


# ---- another tenant's id answers 404, on every endpoint ------------------------------

# (method, path with {id}, which of bob's objects, body)
OBJECT_ENDPOINTS = [
    ("get", "/entities/{id}/", "entity", None),
    ("get", "/persons/{id}/", "person", None),
    ("get", "/websites/{id}/", "website", None),
    ("get", "/domains/{id}/", "domain", None),
    ("get", "/applications/{id}/", "application", None),
    ("patch", "/applications/{id}/", "application", {"payload": {"website": {"name": "x"}}}),
    ("post", "/applications/{id}/submit/", "application", {}),
    ("post", "/applications/{id}/resubmit/", "application", {}),
    ("post", "/applications/{id}/withdraw/", "application", {}),
    ("get", "/materials/{id}/", "material", None),
    ("patch", "/materials/{id}/", "material", {"holder_name": "x"}),
    ("delete", "/materials/{id}/", "material", None),
    ("get", "/materials/{id}/download/", "material", None),
    ("get", "/materials/{id}/download/", "id_copy", None),
    ("get", "/phone-verifications/{id}/", "verification", None),
    ("post", "/phone-verifications/{id}/check/", "verification", {"code": "123456"}),
    ("post", "/phone-verifications/{id}/cancel/", "verification", {}),
    ("get", "/tokens/{id}/", "token", None),
    ("delete", "/tokens/{id}/", "token", None),
]
# Endpoints that take another row's id in the body.
BODY_ENDPOINTS = [
    ("/materials/", "application", {"kind": "entity_certificate"}),
    ("/materials/", "person", {"kind": "head_id_front"}),
    ("/materials/", "website", {"kind": "verification_form"}),
    ("/materials/", "entity", {"kind": "entity_certificate"}),
    ("/phone-verifications/", "person", {}),
]


def _send(client, method: str, url: str, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("method", "path", "target", "body"), OBJECT_ENDPOINTS)
def test_bobs_object_answers_404_to_alice_on_every_endpoint(
    alice_api, bob, bob_tenant, method, path, target, body
):
    # GIVEN bob's filings, documents, verification and token
    theirs = filings_of(bob_tenant, bob)
    before = AuditEvent.objects.count()

    # WHEN alice calls the endpoint with bob's id
    response = _send(alice_api, method, API + path.format(id=theirs[target].pk), body)

    # THEN it does not exist for her, and nothing was done or recorded
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before
    theirs["application"].refresh_from_db()
    assert theirs["application"].status == Status.DRAFT


@pytest.mark.parametrize(("path", "field", "extra"), BODY_ENDPOINTS)
def test_bobs_id_in_a_body_answers_404_to_alice(alice_api, bob, bob_tenant, path, field, extra):
    # GIVEN bob's filings
    theirs = filings_of(bob_tenant, bob)
    materials_before = Material.objects.count()

    # WHEN alice names one of bob's rows as the owner of an upload, or the person to verify
    data = {field: theirs[field].pk, **extra}
    if path == "/materials/":
        data["file"] = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
        response = alice_api.post(API + path, data)
    else:
        response = alice_api.post(API + path, data, content_type="application/json")

    # THEN it is not found, and nothing was stored
    assert response.status_code == 404
    assert Material.objects.count() == materials_before
    assert PhoneVerification.objects.filter(person=theirs["person"]).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/entities/",
        "/persons/",
        "/websites/",
        "/domains/",
        "/applications/",
        "/materials/",
        "/phone-verifications/",
        "/tokens/",
    ],
)
def test_lists_show_only_the_callers_own_rows(
    alice, alice_tenant, alice_api, bob, bob_tenant, path
):
    # GIVEN one of everything for alice and for bob
    mine = filings_of(alice_tenant, alice)
    theirs = filings_of(bob_tenant, bob)

    # WHEN alice lists
    response = alice_api.get(API + path)

    # THEN she sees her rows and none of bob's
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    ids = {row["id"] for row in rows}
    their_ids = {obj.pk for key, obj in theirs.items()}
    my_ids = {obj.pk for obj in mine.values()}
    assert ids and ids <= my_ids | {t.pk for t in alice.api_tokens.all()}
    kind = {
        "/entities/": "entity",
        "/persons/": "person",
        "/websites/": "website",
        "/domains/": "domain",
        "/applications/": "application",
        "/phone-verifications/": "verification",
        "/tokens/": "token",
    }.get(path)
    if kind is not None:
        assert theirs[kind].pk not in ids
    else:
        assert not ids & {theirs["material"].pk, theirs["id_copy"].pk}
    assert their_ids  # bob's rows exist


def test_a_staff_login_gets_403_from_customer_endpoints(rachel_client):
    # GIVEN rachel, compliance staff without a customer account
    # WHEN she calls a customer endpoint
    response = rachel_client.get(f"{API}/applications/")

    # THEN it is refused: these endpoints are for customers
    assert response.status_code == 403


def test_without_credentials_the_api_answers_401(client):
    response = client.get(f"{API}/entities/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# ---- masking: the full ID number never leaves through the API --------------------------


def test_persons_entities_domains_and_payloads_show_ids_and_phones_masked(
    alice, alice_tenant, alice_api
):
    # GIVEN alice's filings, with full ID numbers and phones on file
    mine = filings_of(alice_tenant, alice)
    person, entity = mine["person"], mine["entity"]

    # WHEN she reads them through the API
    bodies = [
        alice_api.get(f"{API}/persons/{person.pk}/").content.decode(),
        alice_api.get(f"{API}/entities/{entity.pk}/").content.decode(),
        alice_api.get(f"{API}/domains/{mine['domain'].pk}/").content.decode(),
        alice_api.get(f"{API}/applications/{mine['application'].pk}/").content.decode(),
        alice_api.get(f"{API}/materials/?person={person.pk}").content.decode(),
        alice_api.get(f"{API}/persons/").content.decode(),
    ]

    # THEN no full ID number or mobile appears, and the masked forms do
    payload = mine["application"].payload
    secrets = {
        person.id_number,
        entity.id_number,
        person.mobile,
        payload["entity"]["id_number"],
        payload["entity_head"]["id_number"],
        payload["entity_head"]["mobile"],
    }
    for body in bodies:
        for secret in secrets:
            assert secret not in body
    assert person.masked_id_number in bodies[0]
    assert entity.masked_id_number in bodies[1]


# ---- reading, filtering and paging -------------------------------------------------------


def test_entity_and_website_details_carry_their_links(alice, alice_tenant, alice_api):
    mine = filings_of(alice_tenant, alice)

    entity = alice_api.get(f"{API}/entities/{mine['entity'].pk}/").json()
    website = alice_api.get(f"{API}/websites/{mine['website'].pk}/").json()

    assert entity["head"] == mine["person"].pk and entity["province"] == "110000"
    assert website["entity"] == mine["entity"].pk
    assert website["domains"] == [mine["domain"].name]


def test_applications_filter_by_status_and_kind(alice, alice_tenant, alice_api):
    # GIVEN a draft first filing, a returned one and a withdrawn new-website application
    draft = ApplicationFactory(tenant=alice_tenant)
    returned = ApplicationFactory(tenant=alice_tenant)
    Application.objects.filter(pk=returned.pk).update(status=Status.RETURNED)
    other = ApplicationFactory(tenant=alice_tenant, kind=ApplicationKind.NEW_WEBSITE)
    Application.objects.filter(pk=other.pk).update(status=Status.WITHDRAWN)

    def ids(query):
        return {
            row["id"] for row in alice_api.get(f"{API}/applications/?{query}").json()["results"]
        }

    # THEN each filter narrows the list
    assert ids("status=draft") == {draft.pk}
    assert ids("status=draft&status=returned") == {draft.pk, returned.pk}
    assert ids("kind=new_website") == {other.pk}
    assert alice_api.get(f"{API}/applications/?status=nonsense").status_code == 400


def test_a_cursor_walks_a_long_list_without_repeats(alice, alice_tenant, alice_api):
    # GIVEN 7 applications
    made = {ApplicationFactory(tenant=alice_tenant).pk for _ in range(7)}

    # WHEN alice pages through them 3 at a time
    seen, url = [], f"{API}/applications/?page_size=3"
    while url:
        body = alice_api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    # THEN she saw each once, newest first
    assert seen == sorted(made, reverse=True)


def test_a_filter_on_another_tenants_id_finds_nothing(
    alice, alice_tenant, alice_api, bob, bob_tenant
):
    theirs = filings_of(bob_tenant, bob)

    response = alice_api.get(f"{API}/websites/?entity={theirs['entity'].pk}")

    assert response.status_code == 200 and response.json()["results"] == []


# ---- query counts per list ---------------------------------------------------------------

# Each request: the token with its user (1), the membership with its tenant (1); then:
LIST_QUERIES = {
    "/entities/": 4,  # count, page with heads
    "/persons/": 4,  # count, page
    "/websites/": 4,  # page, domains of the page
    "/domains/": 3,  # page
    "/applications/": 3,  # page
    "/materials/": 3,  # page with uploaders
    "/phone-verifications/": 4,  # count, page
    "/tokens/": 3,  # the list (not paged: one user's tokens)
}


@pytest.mark.parametrize(("path", "queries"), LIST_QUERIES.items())
def test_list_query_counts_do_not_grow_with_rows(
    alice, alice_tenant, django_assert_num_queries, path, queries
):
    # GIVEN three of everything (and a token used within the last minute)
    for _ in range(3):
        filings_of(alice_tenant, alice)
    secret, _token = new_token(alice, alice_tenant)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get(API + path).status_code == 200  # notes the token's use

    # WHEN alice lists: THEN a fixed number of queries answers, whatever the row count
    with django_assert_num_queries(queries):
        response = api.get(API + path)
    assert response.status_code == 200


# ---- applications: create, edit, transitions --------------------------------------------


def test_alice_creates_a_draft_and_edits_a_section(alice, alice_tenant, alice_api):
    # WHEN alice opens a first filing with its website section
    response = alice_api.post(
        f"{API}/applications/",
        {"kind": "first_filing", "payload": {"website": website_payload(5)}},
        content_type="application/json",
    )

    # THEN a draft exists with that section, created by her
    assert response.status_code == 201, response.json()
    created = response.json()
    application = Application.objects.get(pk=created["id"])
    assert created["status"] == "draft" and application.created_by == alice
    assert application.payload["website"]["name"] == website_payload(5)["name"]

    # WHEN she replaces the website section
    response = alice_api.patch(
        f"{API}/applications/{application.pk}/",
        {"payload": {"website": website_payload(6)}},
        content_type="application/json",
    )

    # THEN the section holds the new values, with an audit row of the save
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.payload["website"]["name"] == website_payload(6)["name"]
    assert AuditEvent.objects.filter(
        action="application.save_draft", object_id=str(application.pk)
    ).exists()


def test_a_bad_section_saves_nothing(alice, alice_tenant, alice_api):
    application = ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(3))
    before = dict(application.payload)

    # WHEN alice sends a good section and a section with an unknown field
    response = alice_api.patch(
        f"{API}/applications/{application.pk}/",
        {"payload": {"website": website_payload(9), "entity": {"colour": "red"}}},
        content_type="application/json",
    )

    # THEN the answer names the field, and neither section changed
    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "entity.colour": ["This application has no such field."]
    }
    application.refresh_from_db()
    assert application.payload == before


def test_a_submitted_application_cannot_be_edited(alice, alice_tenant, alice_api):
    application = ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(3))
    Application.objects.filter(pk=application.pk).update(status=Status.PROVIDER_REVIEW)

    response = alice_api.patch(
        f"{API}/applications/{application.pk}/",
        {"payload": {"website": website_payload(9)}},
        content_type="application/json",
    )

    assert response.status_code == 409 and response.json()["code"] == "not_editable"


def test_submit_with_blocking_problems_answers_400_with_them(
    alice, alice_tenant, alice_api, self_check_rules
):
    # GIVEN a rule that finds the entity name wrong
    self_check_rules["test_blocking_name"] = BlockingNameRule()
    application = ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(4))

    # WHEN alice submits
    response = alice_api.post(f"{API}/applications/{application.pk}/submit/")

    # THEN 400 lists the problem next to its field, and it stays a draft
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "self_check_failed"
    assert body["field_errors"] == {"entity.name": ["Use the name on the business licence."]}
    assert [o["code"] for o in body["outcomes"]] == ["test_blocking_name"]
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_an_empty_draft_answers_400_with_whats_missing(alice, alice_tenant, alice_api):
    application = ApplicationFactory(tenant=alice_tenant, payload={})

    response = alice_api.post(f"{API}/applications/{application.pk}/submit/")

    assert response.status_code == 400 and response.json()["field_errors"]


def test_submit_withdraw_and_resubmit_move_the_status(alice, alice_tenant, alice_api):
    # GIVEN a complete draft
    application = ApplicationFactory(
        tenant=alice_tenant, created_by=alice, payload=first_filing_payload(8)
    )

    # WHEN alice submits it
    response = alice_api.post(f"{API}/applications/{application.pk}/submit/")

    # THEN it is under provider review, with an audit row
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "provider_review"
    assert AuditEvent.objects.filter(action="application.submit").count() == 1

    # WHEN she submits it again, THEN the state does not allow it
    again = alice_api.post(f"{API}/applications/{application.pk}/submit/")
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"

    # WHEN a returned application is resubmitted, it goes back to review
    Application.objects.filter(pk=application.pk).update(status=Status.RETURNED)
    response = alice_api.post(f"{API}/applications/{application.pk}/resubmit/")
    assert response.status_code == 200 and response.json()["status"] == "provider_review"

    # WHEN she withdraws it with a reason, THEN it is withdrawn and the reason kept
    response = alice_api.post(
        f"{API}/applications/{application.pk}/withdraw/",
        {"reason": "Filed elsewhere"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    event = AuditEvent.objects.get(action="application.withdraw")
    assert event.reason == "Filed elsewhere" and event.actor == alice


def test_only_an_owner_withdraws(alice_tenant):
    # GIVEN charlie, a member (not owner) of alice's account, and a draft
    charlie = UserFactory(username="charlie")
    MembershipFactory(user=charlie, tenant=alice_tenant, role=Membership.Role.MEMBER)
    application = ApplicationFactory(tenant=alice_tenant)
    api = token_client(charlie, alice_tenant)

    # WHEN charlie tries to withdraw it
    response = api.post(f"{API}/applications/{application.pk}/withdraw/")

    # THEN it is refused, and the draft stays
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    # … while he may still submit and edit drafts like any member
    assert api.get(f"{API}/applications/{application.pk}/").status_code == 200


def test_a_change_application_names_an_own_entity_only(alice, alice_tenant, alice_api, bob_tenant):
    theirs = EntityFactory(tenant=bob_tenant)
    mine = EntityFactory(tenant=alice_tenant)

    refused = alice_api.post(
        f"{API}/applications/",
        {"kind": "change_entity", "entity": theirs.pk},
        content_type="application/json",
    )
    accepted = alice_api.post(
        f"{API}/applications/",
        {"kind": "change_entity", "entity": mine.pk},
        content_type="application/json",
    )

    assert refused.status_code == 400 and "entity" in refused.json()
    assert accepted.status_code == 201 and accepted.json()["entity"] == mine.pk
    assert not Application.objects.filter(entity=theirs).exists()


def test_a_second_open_change_of_one_entity_answers_409(alice_tenant, alice_api):
    entity = EntityFactory(tenant=alice_tenant)
    body = {"kind": "change_entity", "entity": entity.pk}

    first = alice_api.post(f"{API}/applications/", body, content_type="application/json")
    second = alice_api.post(f"{API}/applications/", body, content_type="application/json")

    assert first.status_code == 201
    assert second.status_code == 409 and second.json()["code"] == "already_open"


def test_a_person_on_file_in_another_tenant_cannot_be_referenced(
    alice_tenant, alice_api, bob_tenant
):
    theirs = PersonFactory(tenant=bob_tenant)

    response = alice_api.post(
        f"{API}/applications/",
        {"kind": "first_filing", "payload": {"entity_head": {"person_id": theirs.pk}}},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "entity_head.person_id": ["This person is not on file in your account."]
    }
