"""The wizard's steps one by one: field errors with nothing saved, rules by province and
entity type, the transfer look-up, masked ID numbers, documents, and query counts."""

from __future__ import annotations

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.applications.actions import do_create_application
from filings.choices import (
    ApplicationKind,
    ApplicationStatus,
    ContentCategory,
    EntityType,
    IdType,
)
from filings.models import Application, Material
from filings.wizards.steps import WizardState
from icpportal.crypto import keyed_hash
from icpportal.masking import mask_id_number
from icpportal.models import AuditEvent
from tests.factories import (
    EntityFactory,
    RegistryDomainFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    credit_code,
    resident_id,
)
from tests.filings import wizard_steps as typed

pytestmark = pytest.mark.django_db
Kind = ApplicationKind


def draft(
    tenant, kind: str = Kind.FIRST_FILING, province: str = "110000", **payload
) -> Application:
    """A draft whose entity type and province are chosen (and ``payload`` sections saved)."""
    from filings.applications.actions import do_create_application

    result = do_create_application(tenant, kind, actor=None)
    application = result.application
    if kind == Kind.FIRST_FILING:
        application.payload["entity"].update(entity_type=EntityType.ENTERPRISE, province=province)
    application.save()
    return application


def saves(application: Application) -> int:
    return AuditEvent.objects.filter(action="application.save_draft").count()


def post(client, application, slug: str, data: dict, action: str = "next"):
    return client.post(typed.step_url(application, slug), {**data, "action": action})


# ---- wrong input: field errors, nothing saved ---------------------------------------------

WRONG_INPUT = [
    ("entity", {"id_number": "911101080000000000"}, "id_number", "check character"),
    ("entity", {"id_type": IdType.RESIDENT_ID}, "id_type", "Select a valid choice"),
    ("entity", {"emergency_phone": "12345"}, "emergency_phone", "valid Chinese phone"),
    ("entity", {"email": "not-an-address"}, "email", "valid email"),
    ("entity-head", {"mobile": "010-88886666"}, "mobile", "landline number"),
    ("entity-head", {"id_number": resident_id(1)[:-1] + "Y"}, "id_number", "18 characters"),
    ("entity-head", {"name": ""}, "name", "required"),
    ("website", {"content_category": ContentCategory.NEWS}, "pre_approval_number", "pre-approval"),
    ("website", {"homepage_url": "http://"}, "homepage_url", "valid URL"),
]


@pytest.mark.parametrize(("slug", "wrong", "field", "message"), WRONG_INPUT)
def test_wrong_input_shows_field_errors_and_saves_nothing(
    alice_client, alice_tenant, slug, wrong, field, message
):
    # GIVEN a first filing with its type and province chosen
    application = draft(alice_tenant)
    before, audit_rows = copy.deepcopy(application.payload), saves(application)
    answers = {"entity": typed.entity(1), "entity-head": typed.head(1), "website": typed.website(1)}

    # WHEN alice posts the step with one wrong value
    response = post(alice_client, application, slug, {**answers[slug], **wrong})

    # THEN the page comes back with the message next to the field, and nothing is saved
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    application.refresh_from_db()
    assert application.payload == before
    assert saves(application) == audit_rows


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([typed.domain("192.0.2.1")], "not an IP address"),
        ([typed.domain("ok.example.cn"), typed.domain("bad_label.example.cn")], "letters, digits"),
        ([typed.domain("same.example.cn"), typed.domain("same.example.cn")], "only once"),
        ([], "at least one domain"),
    ],
)
def test_wrong_domains_save_none_of_them(alice_client, alice_tenant, entries, message):
    # GIVEN a first filing
    application = draft(alice_tenant)

    # WHEN alice posts domains of which one is wrong (or none at all)
    response = post(alice_client, application, "domains", typed.domains(*entries))

    # THEN the message is shown and no domain is saved
    assert response.status_code == 200
    assert message in response.content.decode()
    application.refresh_from_db()
    assert application.payload["domains"] == []


def test_a_refused_filing_number_saves_nothing(alice_client, alice_tenant):
    # GIVEN a transfer draft
    application = draft(alice_tenant, Kind.TRANSFER)

    # WHEN alice gives a malformed number, then a well-formed one the bureau does not hold
    malformed = post(alice_client, application, "transfer", {"filing_number": "ICP-12345"})
    unknown = post(
        alice_client, application, "transfer", {"filing_number": "京ICP备2026999999号-1"}
    )

    # THEN each is named next to the field, and nothing is saved
    assert "filing number such as" in " ".join(malformed.context["form"].errors["filing_number"])
    assert "holds no website filing" in " ".join(unknown.context["form"].errors["filing_number"])
    application.refresh_from_db()
    assert application.payload["transfer"] == {"filing_number": ""}


def test_a_reason_is_required(alice_client, alice_tenant):
    # GIVEN a cancellation of access to alice's website
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = do_create_application(
        alice_tenant, Kind.CANCEL_ACCESS, actor=None, website=website
    ).application

    # WHEN she gives only blanks as the reason
    response = post(alice_client, application, "reason", {"text": "  "})

    # THEN the reason is asked for and nothing is saved
    assert "required" in " ".join(response.context["form"].errors["text"])
    application.refresh_from_db()
    assert application.payload["reason"] == {"text": ""}


def test_save_and_leave_still_refuses_a_wrong_value(alice_client, alice_tenant):
    # GIVEN a first filing
    application = draft(alice_tenant)

    # WHEN alice saves and leaves with a wrong ID number typed in
    response = post(
        alice_client, application, "entity", {"id_number": "123", "id_type": "uscc"}, "leave"
    )

    # THEN the error is shown and nothing is saved
    assert response.status_code == 200
    assert "social credit code" in " ".join(response.context["form"].errors["id_number"])
    application.refresh_from_db()
    assert application.payload["entity"]["id_number"] == ""


# ---- what the province and the entity type decide -----------------------------------------


def test_jiangsu_requires_a_landline_office_phone(alice_client, alice_tenant):
    # GIVEN first filings of an entity in Jiangsu and one in Beijing
    jiangsu = draft(alice_tenant, province="320000")
    beijing = draft(alice_tenant, province="110000")

    # WHEN alice leaves the office phone out, or gives a mobile in Jiangsu
    missing = post(alice_client, jiangsu, "entity", typed.entity(1, office_phone=""))
    mobile = post(alice_client, jiangsu, "entity", typed.entity(1, office_phone="13812345678"))
    elsewhere = post(alice_client, beijing, "entity", typed.entity(1, office_phone=""))

    # THEN Jiangsu asks for a landline; Beijing takes the entity without one
    assert "required" in " ".join(missing.context["form"].errors["office_phone"])
    assert "Jiangsu requires a landline" in missing.content.decode()
    assert "mobile number" in " ".join(mobile.context["form"].errors["office_phone"])
    assert elsewhere.status_code == 302


def test_where_the_head_must_be_the_legal_representative(alice_client, alice_tenant):
    # GIVEN entities in Shanghai (the head must be the legal representative) and Beijing
    shanghai = draft(alice_tenant, province="310000")
    beijing = draft(alice_tenant, province="110000")
    for application in (shanghai, beijing):
        post(alice_client, application, "entity", typed.entity(1, legal_representative="王五"))

    # WHEN alice names another person as the entity head
    refused = post(alice_client, shanghai, "entity-head", typed.head(1))
    accepted = post(alice_client, beijing, "entity-head", typed.head(1))

    # THEN Shanghai refuses it, naming the legal representative; Beijing accepts it
    assert "王五" in " ".join(refused.context["form"].errors["name"])
    assert accepted.status_code == 302


def test_an_individual_files_without_a_legal_representative_or_organisation_content(
    alice_client, alice_tenant
):
    # GIVEN a first filing of an individual
    application = draft(alice_tenant)
    post(
        alice_client,
        application,
        "entity-type",
        typed.entity_basics(entity_type=EntityType.INDIVIDUAL),
    )

    # WHEN alice opens the entity and website steps
    entity_form = alice_client.get(typed.step_url(application, "entity")).context["form"]
    website_form = alice_client.get(typed.step_url(application, "website")).context["form"]

    # THEN the entity has no legal representative and a personal ID, and the website
    # may only carry personal content
    assert "legal_representative" not in entity_form.fields
    assert {v for v, _ in entity_form.fields["id_type"].choices if v} == {
        "resident_id",
        "hk_macau_permit",
        "taiwan_permit",
        "passport",
        "foreign_permanent_id",
    }
    assert [v for v, _ in website_form.fields["content_category"].choices if v] == [
        ContentCategory.PERSONAL_BLOG
    ]


def test_the_province_and_content_decide_the_documents(alice_client, alice_tenant):
    # GIVEN a first filing of news content in Guangdong, and a corporate one in Beijing
    news = typed.website(1, content_category=ContentCategory.NEWS, pre_approval_number="新闻1号")
    guangdong = draft(alice_tenant, province="440000")
    beijing = draft(alice_tenant, province="110000")
    assert post(alice_client, guangdong, "website", news).status_code == 302
    assert post(alice_client, beijing, "website", typed.website(1)).status_code == 302

    # WHEN alice opens the documents step of each
    kinds = {}
    for application in (guangdong, beijing):
        page = alice_client.get(typed.step_url(application, "materials"))
        kinds[application.pk] = {e["item"].kind for e in page.context["items"]}

    # THEN Guangdong asks for its commitment letter and the news pre-approval too
    assert {"commitment_letter", "pre_approval"} <= kinds[guangdong.pk]
    assert not {"commitment_letter", "pre_approval"} & kinds[beijing.pk]
    assert {"entity_certificate", "verification_form"} <= kinds[beijing.pk]


# ---- the transfer look-up ------------------------------------------------------------------


def test_transfer_is_prefilled_from_the_bureau_record_found_by_domain(alice_client, alice_tenant):
    # GIVEN the bureau's record of a website filed with another provider
    record = RegistryRecordFactory(
        entity_name="外部迁入有限公司",
        entity_type=EntityType.ENTERPRISE,
        entity_id_hash="unrelated",
        province_id="310000",
        website_name="迁入网站",
    )
    RegistryDomainFactory(record=record, name="moving.example.net")
    RegistryDomainFactory(record=record, name="moving2.example.net")
    application = draft(alice_tenant, Kind.TRANSFER)

    # WHEN alice names one of its subdomains instead of the number
    response = post(alice_client, application, "transfer", {"domain": "www.moving.example.net"})

    # THEN the number, the website, its domains and the entity come from the record,
    # and she continues with the entity's details
    application.refresh_from_db()
    payload = application.payload
    assert payload["transfer"] == {"filing_number": record.website_filing_number}
    assert payload["website"]["name"] == "迁入网站"
    assert sorted(d["name"] for d in payload["domains"]) == [
        "moving.example.net",
        "moving2.example.net",
    ]
    assert payload["entity"]["name"] == "外部迁入有限公司"
    assert payload["entity"]["province"] == "310000"
    assert response.url == typed.step_url(application, "entity-type")
    entity_page = alice_client.get(typed.step_url(application, "entity")).content.decode()
    assert "外部迁入有限公司" in entity_page


def test_a_domain_the_bureau_does_not_know_is_refused(alice_client, alice_tenant):
    application = draft(alice_tenant, Kind.TRANSFER)

    response = post(alice_client, application, "transfer", {"domain": "nowhere.example.org"})

    assert "holds no website filing for this domain" in " ".join(
        response.context["form"].errors["domain"]
    )
    application.refresh_from_db()
    assert application.payload["transfer"] == {"filing_number": ""}


# ---- ID numbers are masked once saved ------------------------------------------------------


def test_saved_id_numbers_are_shown_masked(alice_client, alice_tenant):
    # GIVEN a first filing whose entity and entity head alice saved
    application = draft(alice_tenant)
    post(alice_client, application, "entity", typed.entity(1))
    post(alice_client, application, "entity-head", typed.head(1))
    entity_id, head_id = credit_code(1), resident_id(1)

    # WHEN she (or anyone of her account) opens the steps and the review again
    pages = [
        alice_client.get(typed.step_url(application, slug)).content.decode()
        for slug in ("entity", "entity-head", "review")
    ]

    # THEN the ID numbers appear only masked
    for page in pages:
        assert entity_id not in page and head_id not in page
    assert mask_id_number(entity_id) in pages[0]
    assert mask_id_number(head_id) in pages[1]
    assert mask_id_number(entity_id) in pages[2] and mask_id_number(head_id) in pages[2]


def test_a_wrong_id_number_is_shown_back_to_whoever_typed_it(alice_client, alice_tenant):
    application = draft(alice_tenant)

    response = post(alice_client, application, "entity", typed.entity(1, id_number="91X"))

    assert 'value="91X"' in response.content.decode()


# ---- documents -----------------------------------------------------------------------------


def test_documents_show_their_checklist_and_refuse_a_wrong_file(alice_client, alice_tenant):
    # GIVEN a first filing whose details are entered
    application = draft(alice_tenant)
    post(alice_client, application, "entity", typed.entity(1))
    page = alice_client.get(typed.step_url(application, "materials"))
    assert "business licence" in page.content.decode()

    # WHEN alice uploads an executable named like a PDF as the entity certificate
    response = alice_client.post(
        typed.step_url(application, "materials"),
        {
            "kind": "entity_certificate",
            "file": SimpleUploadedFile("licence.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        },
    )

    # THEN the step says so next to the file, and nothing is stored
    assert response.status_code == 200
    assert "not a JPEG, PNG or PDF" in response.content.decode()
    assert not Material.objects.exists()


def test_a_good_document_is_kept_with_its_details(alice_client, alice_tenant):
    # GIVEN a first filing
    application = draft(alice_tenant)
    post(alice_client, application, "entity", typed.entity(1))

    # WHEN alice uploads the certificate with its number and holder
    response = alice_client.post(
        typed.step_url(application, "materials"),
        {
            "kind": "entity_certificate",
            "file": SimpleUploadedFile("licence.pdf", typed.PDF_BYTES),
            "document_number": credit_code(1),
            "holder_name": "向导示例科技有限公司1",
            "valid_until": "2040-01-01",
        },
    )

    # THEN it is on the application, ticked on the checklist, its number masked
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.application == application
    assert material.holder_name == "向导示例科技有限公司1"
    page = alice_client.get(typed.step_url(application, "materials")).content.decode()
    assert mask_id_number(credit_code(1)) in page and credit_code(1) not in page


def test_a_document_not_on_the_checklist_answers_404(alice_client, alice_tenant):
    application = draft(alice_tenant)

    response = alice_client.post(
        typed.step_url(application, "materials"),
        {"kind": "construction_plan", "file": SimpleUploadedFile("x.pdf", typed.PDF_BYTES)},
    )

    assert response.status_code == 404
    assert not Material.objects.exists()


# ---- query counts --------------------------------------------------------------------------

# Session, user, membership, the application, the province, the documents checklist
# (the required-materials rule), the page frame; none grows with the data entered.
STEP_QUERY_LIMITS = {
    "entity-type": 15,
    "entity": 14,
    "entity-head": 15,
    "website": 14,
    "website-head": 15,
    "domains": 14,
    "materials": 14,
    "review": 15,
}


@pytest.mark.parametrize("slug", list(STEP_QUERY_LIMITS))
def test_step_pages_use_a_bounded_number_of_queries(
    alice_client, alice_tenant, django_assert_max_num_queries, slug
):
    # GIVEN a first filing with everything entered and persons on file
    for _n in range(3):
        EntityFactory(tenant=alice_tenant)
    application = draft(alice_tenant)
    for step, data in (
        ("entity", typed.entity(1)),
        ("entity-head", typed.head(1)),
        ("website", typed.website(1)),
        ("website-head", {"same_as_entity_head": "on"}),
        ("domains", typed.domains(typed.domain("q.example.cn"), typed.domain("r.example.cn"))),
    ):
        assert post(alice_client, application, step, data).status_code == 302
    assert len(WizardState(application).steps) == 8

    # WHEN alice opens the step page
    # THEN it takes no more than its pinned number of queries
    with django_assert_max_num_queries(STEP_QUERY_LIMITS[slug]):
        response = alice_client.get(typed.step_url(application, slug))
    assert response.status_code == 200


def test_a_transfer_must_name_the_entity_that_holds_the_filing(alice_client, alice_tenant):
    # GIVEN a transfer of a filing whose entity is not on file in alice's account
    record = RegistryRecordFactory(entity_id_hash=keyed_hash(credit_code(901)))
    application = draft(alice_tenant, Kind.TRANSFER)
    post(alice_client, application, "transfer", {"filing_number": record.website_filing_number})
    post(alice_client, application, "entity-type", typed.entity_basics("110000"))

    # WHEN she enters another entity's (valid) credit code, then the right one
    wrong = post(alice_client, application, "entity", typed.entity(902))
    right = post(alice_client, application, "entity", typed.entity(901))

    # THEN the first is refused next to the ID number, the second is saved
    assert "not the ID document of the entity" in " ".join(
        wrong.context["form"].errors["id_number"]
    )
    assert right.status_code == 302
    application.refresh_from_db()
    assert application.payload["entity"]["id_number"] == credit_code(901)


def test_a_returned_application_shows_the_reviewers_reasons_on_their_steps(
    alice_client, alice_tenant
):
    # GIVEN a first filing returned with a reason about the entity's address
    application = draft(alice_tenant)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.RETURNED,
        return_reasons={"entity.address": "地址与营业执照不一致", "": "请补充材料"},
    )

    # WHEN alice opens the entity step and the website step
    entity_page = alice_client.get(typed.step_url(application, "entity"))
    website_page = alice_client.get(typed.step_url(application, "website"))
    review_page = alice_client.get(typed.step_url(application, "review"))

    # THEN the entity step shows the reason with its field, the website step none,
    # and the overall reason waits on the review
    assert entity_page.context["return_reasons"] == [("Address", "地址与营业执照不一致")]
    assert website_page.context["return_reasons"] == []
    assert ("", "请补充材料") in review_page.context["return_reasons"]


def test_an_oversize_document_is_refused_before_it_is_stored(alice_client, alice_tenant, settings):
    # GIVEN a size cap of 1 KB and a first filing
    settings.MATERIAL_MAX_BYTES = 1024
    application = draft(alice_tenant)

    # WHEN alice uploads a 2 KB PDF as the entity certificate
    big = typed.PDF_BYTES + b"%" * 2048
    response = alice_client.post(
        typed.step_url(application, "materials"),
        {"kind": "entity_certificate", "file": SimpleUploadedFile("licence.pdf", big)},
    )

    # THEN the step says it is too large and nothing is stored
    assert response.status_code == 200
    assert "larger than 1.0" in response.content.decode()
    assert not Material.objects.exists()


def test_a_step_renders_in_chinese(alice_client, alice_tenant):
    # GIVEN a first filing, and alice reading in Chinese
    application = draft(alice_tenant)
    alice_client.cookies["django_language"] = "zh-hans"

    # WHEN she opens each step
    # THEN each page renders
    for slug in ("entity-type", "entity", "entity-head", "domains", "materials", "review"):
        response = alice_client.get(typed.step_url(application, slug))
        assert response.status_code == 200, slug
        assert response.headers["Content-Language"] == "zh-hans"


def test_add_another_domain_saves_and_stays_on_the_step(alice_client, alice_tenant):
    # GIVEN a first filing
    application = draft(alice_tenant)

    # WHEN alice saves one domain asking for another line
    response = post(
        alice_client, application, "domains", typed.domains(typed.domain("one.example.cn")), "stay"
    )

    # THEN the domain is saved and the same step comes back with an empty line
    assert response.url == typed.step_url(application, "domains")
    application.refresh_from_db()
    assert [d["name"] for d in application.payload["domains"]] == ["one.example.cn"]
    page = alice_client.get(response.url)
    assert len(page.context["form"].forms) == 2


def test_a_returned_application_resumes_where_the_reviewer_asks(alice_client, alice_tenant):
    # GIVEN a returned first filing, with a reason about its website's name
    application = draft(alice_tenant)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.RETURNED, return_reasons={"website.name": "与网站不符"}
    )

    # WHEN alice opens the wizard to correct it
    response = alice_client.get(reverse("application-wizard", args=[application.pk]))

    # THEN she lands on the website step
    assert response.url == typed.step_url(application, "website")
