"""The application wizards: each kind walked to a complete draft, resuming, and tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from filings.applications.completeness import submission_problems
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application
from filings.wizards.steps import WizardState
from icpportal.crypto import keyed_hash
from tests.factories import (
    ApplicationFactory,
    DomainFactory,
    EntityFactory,
    RegistryDomainFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    credit_code,
)
from tests.filings import wizard_steps as typed

pytestmark = pytest.mark.django_db
Kind = ApplicationKind


def start(client, kind: str, **target) -> Application:
    query = "&".join([f"kind={kind}"] + [f"{k}={v.pk}" for k, v in target.items()])
    url = f"{reverse('application-new')}?{query}"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302, response.content.decode()[:1500]
    return Application.objects.latest("pk")


def walk(client, application: Application, answers: dict[str, dict]) -> list[str]:
    """Post every form step in order (the step list may grow as answers come in),
    upload every document, and return the slugs walked."""
    walked = []
    while True:
        application.refresh_from_db()
        steps = WizardState(application).steps
        pending = [s for s in steps if s.slug not in walked and s.slug != "review"]
        if not pending:
            break
        step = pending[0]
        walked.append(step.slug)
        assert client.get(typed.step_url(application, step.slug)).status_code == 200
        if step.slug == "materials":
            typed.upload_all_materials(client, application)
            continue
        response = client.post(
            typed.step_url(application, step.slug), {**answers[step.slug], "action": "next"}
        )
        assert response.status_code == 302, (step.slug, response.context["form"].errors)
    application.refresh_from_db()
    return walked


def assert_complete(client, application: Application) -> None:
    application.refresh_from_db()
    assert submission_problems(application) == {}
    state = WizardState(application)
    assert all(item.material is not None for item in state.checklist)
    resumed = client.get(reverse("application-wizard", args=[application.pk]))
    assert resumed.url == typed.step_url(application, "review")


def test_first_filing_walks_to_a_complete_draft(alice_client, alice):
    # GIVEN alice starting a first-time filing
    application = start(alice_client, Kind.FIRST_FILING)

    # WHEN she answers every step and uploads every document
    entity = typed.entity(1)
    walked = walk(
        alice_client,
        application,
        {
            "entity-type": typed.entity_basics("110000"),
            "entity": entity,
            "entity-head": typed.head(1),
            "website": typed.website(1),
            "website-head": {"same_as_entity_head": "on"},
            "domains": typed.domains(
                typed.domain("wizard1.example.cn", entity["name"], entity["id_number"])
            ),
        },
    )

    # THEN she went through the entity, its head, the website, its head, the domains and
    # the documents, and the draft passes the completeness checks
    assert walked == [
        "entity-type",
        "entity",
        "entity-head",
        "website",
        "website-head",
        "domains",
        "materials",
    ]
    assert_complete(alice_client, application)
    assert application.payload["entity"]["province"] == "110000"
    assert application.payload["website_head"] == application.payload["entity_head"]
    assert application.materials.count() == len(WizardState(application).checklist)


def test_new_website_walks_to_a_complete_draft(alice_client, alice_tenant):
    # GIVEN a filed entity of alice's
    entity = EntityFactory(tenant=alice_tenant)

    # WHEN she adds a website to it, its head being the entity's head on file
    application = start(alice_client, Kind.NEW_WEBSITE, entity=entity)
    walked = walk(
        alice_client,
        application,
        {
            "website": typed.website(2),
            "website-head": {"person": entity.head_id},
            "domains": typed.domains(
                typed.domain("wizard2.example.cn", entity.name, entity.id_number)
            ),
        },
    )

    # THEN only the website's steps were asked, and the draft is complete
    assert walked == ["website", "website-head", "domains", "materials"]
    assert application.entity == entity
    assert application.payload["website_head"] == {"person_id": entity.head_id}
    assert_complete(alice_client, application)


def test_transfer_of_an_unknown_entity_walks_to_a_complete_draft(alice_client):
    # GIVEN a filing held at another provider, whose entity alice has not on file
    record = RegistryRecordFactory(
        entity_name="外部迁入有限公司",
        entity_id_hash=keyed_hash(credit_code(777)),
        province_id="310000",
        website_name="迁入网站",
    )
    RegistryDomainFactory(record=record, name="moving.example.net")

    # WHEN alice transfers it, entering the entity and its head as asked
    application = start(alice_client, Kind.TRANSFER)
    entity = typed.entity(777, name="外部迁入有限公司", id_number=credit_code(777))
    walked = walk(
        alice_client,
        application,
        {
            "transfer": {"filing_number": record.website_filing_number},
            "entity-type": typed.entity_basics("310000"),
            "entity": entity,
            # Shanghai: the entity head must be the legal representative.
            "entity-head": typed.head(777),
            "website": typed.website(7, name="迁入网站"),
            "website-head": {"same_as_entity_head": "on"},
            "domains": typed.domains(
                typed.domain("moving.example.net", entity["name"], entity["id_number"])
            ),
        },
    )

    # THEN the entity steps came after the filing number, and the draft is complete
    assert walked[:4] == ["transfer", "entity-type", "entity", "entity-head"]
    assert_complete(alice_client, application)


def test_transfer_of_an_entity_on_file_skips_the_entity(alice_client, alice_tenant):
    # GIVEN a filing elsewhere whose entity alice already has on file
    entity = EntityFactory(tenant=alice_tenant)
    record = RegistryRecordFactory(entity_id_hash=entity.id_number_hash, province_id="110000")
    RegistryDomainFactory(record=record, name="second.example.net")

    # WHEN she transfers it
    application = start(alice_client, Kind.TRANSFER)
    walked = walk(
        alice_client,
        application,
        {
            "transfer": {"filing_number": record.website_filing_number},
            "website": typed.website(8),
            "website-head": {"person": entity.head_id},
            "domains": typed.domains(
                typed.domain("second.example.net", entity.name, entity.id_number)
            ),
        },
    )

    # THEN the entity is not asked for again
    assert walked == ["transfer", "website", "website-head", "domains", "materials"]
    assert_complete(alice_client, application)


def test_change_entity_starts_from_live_data(alice_client, alice_tenant):
    # GIVEN a filed entity of alice's
    entity = EntityFactory(tenant=alice_tenant)

    # WHEN she changes its address, leaving its ID number as it is on file
    application = start(alice_client, Kind.CHANGE_ENTITY, entity=entity)
    assert application.payload["entity"]["name"] == entity.name
    changed = typed.entity(
        3,
        name=entity.name,
        id_number="",
        legal_representative=entity.legal_representative,
        address="北京市朝阳区建国路88号",
    )
    walked = walk(
        alice_client,
        application,
        {
            "entity-type": typed.entity_basics("110000"),
            "entity": changed,
            "entity-head": {"person": entity.head_id},
        },
    )

    # THEN the saved ID number is still the live one and the draft is complete
    assert walked == ["entity-type", "entity", "entity-head", "materials"]
    assert application.payload["entity"]["id_number"] == entity.id_number
    assert application.payload["entity"]["address"] == "北京市朝阳区建国路88号"
    assert_complete(alice_client, application)


def test_change_website_and_change_access_start_from_live_data(alice_client, alice_tenant):
    # GIVEN a filed, accessed website with one domain
    website = WebsiteFactory(entity__tenant=alice_tenant)
    domain = DomainFactory(website=website)

    # WHEN alice changes the website, then (separately) its access
    change = start(alice_client, Kind.CHANGE_WEBSITE, website=website)
    walked = walk(
        alice_client,
        change,
        {
            "website": typed.website(4, name=website.name),
            "website-head": {"person": website.head_id},
            "domains": typed.domains(
                typed.domain(domain.name, website.entity.name, website.entity.id_number)
            ),
        },
    )
    access = start(alice_client, Kind.CHANGE_ACCESS, website=website)
    access_walked = walk(
        alice_client,
        access,
        {"domains": typed.domains(typed.domain(domain.name), typed.domain("www2.example.com"))},
    )

    # THEN each asked only its own steps and each draft is complete
    assert walked == ["website", "website-head", "domains", "materials"]
    assert_complete(alice_client, change)
    assert access_walked == ["domains"]
    assert [d["name"] for d in access.payload["domains"]] == [domain.name, "www2.example.com"]
    assert_complete(alice_client, access)


@pytest.mark.parametrize(
    "kind", [Kind.CANCEL_ACCESS, Kind.DEREGISTER_WEBSITE, Kind.DEREGISTER_ENTITY]
)
def test_cancel_and_deregister_ask_only_for_a_reason(alice_client, alice_tenant, kind):
    # GIVEN a filed, accessed website of alice's
    website = WebsiteFactory(entity__tenant=alice_tenant)
    target = {"entity": website.entity} if kind == Kind.DEREGISTER_ENTITY else {"website": website}

    # WHEN she starts the application and gives a reason
    application = start(alice_client, kind, **target)
    walked = walk(alice_client, application, {"reason": {"text": "不再运营该网站"}})

    # THEN the reason was the only step and the draft is complete
    assert walked == ["reason"]
    assert application.payload["reason"] == {"text": "不再运营该网站"}
    assert_complete(alice_client, application)


def test_the_review_step_leads_to_the_application_page(alice_client, alice_tenant):
    # GIVEN a complete cancellation draft
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = start(alice_client, Kind.CANCEL_ACCESS, website=website)
    walk(alice_client, application, {"reason": {"text": "迁出"}})

    # WHEN alice finishes the review step
    review = alice_client.get(typed.step_url(application, "review"))
    finished = alice_client.post(typed.step_url(application, "review"))

    # THEN the review shows the reason and links to the page where she submits
    assert "迁出" in review.content.decode()
    assert reverse("application-detail", args=[application.pk]) in review.content.decode()
    assert finished.url == reverse("application-detail", args=[application.pk])


def test_resume_lands_on_the_first_incomplete_step(alice_client):
    # GIVEN a first filing whose entity type and entity are saved, nothing more
    application = start(alice_client, Kind.FIRST_FILING)
    for slug, data in (
        ("entity-type", typed.entity_basics()),
        ("entity", typed.entity(5)),
    ):
        alice_client.post(typed.step_url(application, slug), {**data, "action": "next"})

    # WHEN she comes back to the application
    response = alice_client.get(reverse("application-wizard", args=[application.pk]))

    # THEN she lands on the entity head, the first step not done
    assert response.status_code == 302
    assert response.url == typed.step_url(application, "entity-head")
    page = alice_client.get(response.url)
    progress = {e["step"].slug: e["done"] for e in page.context["progress"]}
    assert progress["entity-type"] and progress["entity"]
    assert not progress["entity-head"] and not progress["website"]


def test_save_and_leave_keeps_a_half_filled_step(alice_client):
    # GIVEN a first filing at its entity step
    application = start(alice_client, Kind.FIRST_FILING)
    alice_client.post(
        typed.step_url(application, "entity-type"), {**typed.entity_basics(), "action": "next"}
    )

    # WHEN alice enters only the name and chooses "save and leave"
    response = alice_client.post(
        typed.step_url(application, "entity"), {"name": "半途有限公司", "action": "leave"}
    )

    # THEN the name is saved, she goes to the application page, and resuming brings
    # her back to the unfinished entity step
    application.refresh_from_db()
    assert response.url == reverse("application-detail", args=[application.pk])
    assert application.payload["entity"]["name"] == "半途有限公司"
    assert application.payload["entity"]["province"] == "110000"
    resumed = alice_client.get(reverse("application-wizard", args=[application.pk]))
    assert resumed.url == typed.step_url(application, "entity")


def test_a_submitted_application_is_not_edited_in_the_wizard(alice_client, alice_tenant):
    # GIVEN an application under provider review
    application = ApplicationFactory(tenant=alice_tenant, kind=Kind.FIRST_FILING)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.PROVIDER_REVIEW)

    # WHEN alice opens a wizard step or posts to it
    page = alice_client.get(typed.step_url(application, "entity"))
    posted = alice_client.post(
        typed.step_url(application, "entity"), {**typed.entity(6), "action": "next"}
    )

    # THEN she is sent to the application page and nothing changed
    detail = reverse("application-detail", args=[application.pk])
    assert page.url == detail and posted.url == detail
    application.refresh_from_db()
    assert application.payload == {}


# ---- tenancy ---------------------------------------------------------------------------


def test_another_tenants_draft_answers_404(alice_client, bob_client, alice):
    # GIVEN a draft of alice's
    application = start(alice_client, Kind.FIRST_FILING)

    # WHEN bob opens or posts to its wizard
    urls = [
        reverse("application-wizard", args=[application.pk]),
        typed.step_url(application, "entity-type"),
        typed.step_url(application, "review"),
    ]
    answers = [bob_client.get(url).status_code for url in urls]
    posted = bob_client.post(
        typed.step_url(application, "entity-type"), {**typed.entity_basics(), "action": "next"}
    )

    # THEN every answer is 404 and alice's draft is untouched
    assert answers == [404, 404, 404]
    assert posted.status_code == 404
    application.refresh_from_db()
    assert application.payload["entity"]["entity_type"] == ""


def test_starting_on_another_tenants_record_answers_404(alice_client, bob_tenant):
    # GIVEN bob's website and entity
    website = WebsiteFactory(entity__tenant=bob_tenant)

    # WHEN alice asks to start a change of them
    urls = [
        f"{reverse('application-new')}?kind=change_website&website={website.pk}",
        f"{reverse('application-new')}?kind=change_entity&entity={website.entity.pk}",
    ]
    answers = [alice_client.get(url).status_code for url in urls]
    posted = [alice_client.post(url).status_code for url in urls]

    # THEN every answer is 404 and no application was opened
    assert answers == [404, 404] and posted == [404, 404]
    assert not Application.objects.exists()


def test_unknown_kind_or_step_answers_404(alice_client):
    # GIVEN a first filing of alice's
    application = start(alice_client, Kind.FIRST_FILING)

    # WHEN she asks for a kind that does not exist, or a step her kind has not
    unknown_kind = alice_client.get(f"{reverse('application-new')}?kind=nonsense")
    foreign_step = alice_client.get(typed.step_url(application, "reason"))

    # THEN both answer 404
    assert unknown_kind.status_code == 404
    assert foreign_step.status_code == 404


def test_the_kind_chooser_lists_every_kind_and_the_records_to_pick(alice_client, alice_tenant):
    # GIVEN a filed website of alice's
    website = WebsiteFactory(entity__tenant=alice_tenant)

    # WHEN she opens the chooser, then the change-website start page
    chooser = alice_client.get(reverse("application-new")).content.decode()
    picker = alice_client.get(f"{reverse('application-new')}?kind=change_website")

    # THEN every kind is offered, and her website is offered to pick
    assert all(f'data-kind="{kind}"' in chooser for kind in Kind.values)
    assert f"website={website.pk}" in picker.content.decode()


def test_an_open_application_of_the_same_kind_is_reported(alice_client, alice_tenant):
    # GIVEN an open change of alice's website
    website = WebsiteFactory(entity__tenant=alice_tenant)
    start(alice_client, Kind.CHANGE_WEBSITE, website=website)

    # WHEN she starts another one
    url = f"{reverse('application-new')}?kind=change_website&website={website.pk}"
    response = alice_client.post(url)

    # THEN the page says one is already open, and no second draft exists
    assert response.status_code == 200
    assert "already open" in response.content.decode()
    assert Application.objects.filter(kind=Kind.CHANGE_WEBSITE).count() == 1


def test_the_start_page_offers_the_draft_already_open(alice_client, alice_tenant):
    # GIVEN an open change of alice's website
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = start(alice_client, Kind.CHANGE_WEBSITE, website=website)

    # WHEN she opens the start page of the same change again
    url = f"{reverse('application-new')}?kind=change_website&website={website.pk}"
    page = alice_client.get(url).content.decode()

    # THEN it offers to continue the open draft
    assert reverse("application-wizard", args=[application.pk]) in page
