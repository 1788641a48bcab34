"""The customer's application pages: list, detail with the self-check, the steps each
status allows, the MIIT SMS code page and the timelines."""

from __future__ import annotations

import contextlib
import datetime
import logging

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.applications.actions import (
    do_bureau_decide,
    do_create_application,
    do_pass_provider_review,
    do_return,
    do_submit,
)
from filings.applications.timeline import website_timeline
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, MiitVerification
from icpportal.models import AuditEvent
from inspections.enforcement.actions import do_lift_block
from inspections.rules import Rule, default_registry
from notifications.sms import locmem
from tests.factories import (
    ApplicationFactory,
    DomainFactory,
    EntityFactory,
    MiitVerificationFactory,
    RectificationCaseFactory,
    WebsiteFactory,
    first_filing_payload,
    person_payload,
)

pytestmark = pytest.mark.django_db
Kind, Status = ApplicationKind, ApplicationStatus


class BlockingNameRule(Rule):
    code = "test_pages_blocking_name"
    version = 1
    title = "Test: entity name"
    fix_text = "Copy the name from the business licence, character for character."

    def check(self, snapshot):
        return self.failed("The name differs from the licence.", fields=("entity.name",))


class WarningRule(Rule):
    code = "test_pages_warning"
    version = 1
    title = "Test: a warning"
    fix_text = "Add a landline the bureau can call."

    def check(self, snapshot):
        return self.failed("No landline given.", blocking=False)


@pytest.fixture(autouse=True)
def rules(monkeypatch, settings):
    """The self-check runs the installed materials rule (the checklist reads it) plus
    the rules a test adds; the simulated bureau decides as soon as it is asked."""
    installed = dict(default_registry._rules)
    chosen = {"required_materials": installed["required_materials"]}
    monkeypatch.setattr(default_registry, "_rules", chosen)
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 0
    return chosen


@contextlib.contextmanager
def no_rules(rules):
    """Setting an application up past its self-check without uploading its documents."""
    saved = dict(rules)
    rules.clear()
    try:
        yield
    finally:
        rules.update(saved)


def first_filing(tenant, user, n=801, **changes):
    payload = first_filing_payload(n)
    payload.update(changes)
    result = do_create_application(tenant, Kind.FIRST_FILING, actor=user, payload=payload)
    assert result.ok, result.field_errors
    return result.application


def change_access(tenant, user):
    """A change of access: domains only, no documents, one head to verify."""
    website = WebsiteFactory(entity__tenant=tenant)
    DomainFactory(website=website, name="shop.example.cn")
    result = do_create_application(tenant, Kind.CHANGE_ACCESS, actor=user, website=website)
    assert result.ok, result.field_errors
    return result.application


def codes_sent():
    return {
        m.to: m.params["code"] for m in locmem.outbox if m.template_key == "miit_verification_code"
    }


def in_sms_step(tenant, user, rachel, rules, capture, n=811):
    """A first filing with two different heads, passed by rachel: both got codes."""
    application = first_filing(tenant, user, n, website_head=person_payload(n + 1))
    with no_rules(rules):
        assert do_submit(application, actor=user).ok
    with capture(execute=True):
        assert do_pass_provider_review(application, actor=rachel).ok
    application.refresh_from_db()
    assert application.status == Status.SMS_VERIFICATION
    return application


@pytest.fixture
def sms_application(alice, alice_tenant, rachel, rules, django_capture_on_commit_callbacks):
    return in_sms_step(alice_tenant, alice, rachel, rules, django_capture_on_commit_callbacks)


def page(client, name, application, **kwargs):
    return client.get(reverse(name, kwargs={"pk": application.pk, **kwargs}))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- the list ----------------------------------------------------------------------------


def test_the_list_shows_the_tenants_applications_with_their_next_step(
    alice, alice_tenant, bob_tenant, alice_client, rules
):
    # GIVEN alice's draft and her submitted change of access, and one of bob's
    draft = first_filing(alice_tenant, alice)
    submitted = change_access(alice_tenant, alice)
    with no_rules(rules):
        assert do_submit(submitted, actor=alice).ok
    bobs = ApplicationFactory(tenant=bob_tenant, kind=Kind.NEW_WEBSITE)

    # WHEN alice opens her application list
    response = alice_client.get(reverse("application-list"))

    # THEN her two applications are listed with the next step, bob's is not
    assert response.status_code == 200
    assert [a.pk for a in response.context["object_list"]] == [submitted.pk, draft.pk]
    content = response.content.decode()
    assert "Complete the application and submit it" in content
    assert "The provider reviews the application" in content
    assert reverse("application-detail", args=[bobs.pk]) not in content


def test_the_list_filters_by_status_and_kind(alice, alice_tenant, alice_client):
    # GIVEN a draft first filing, an approved one and a draft change of access
    draft = first_filing(alice_tenant, alice)
    approved = ApplicationFactory(tenant=alice_tenant, status=Status.APPROVED)
    change = change_access(alice_tenant, alice)

    def listed(query):
        response = alice_client.get(reverse("application-list"), query)
        return {a.pk for a in response.context["object_list"]}, response

    # WHEN filtering THEN only the matching ones are listed
    assert listed({"status": "draft"})[0] == {draft.pk, change.pk}
    assert listed({"status": "draft", "kind": "first_filing"})[0] == {draft.pk}
    assert listed({"status": "approved"})[0] == {approved.pk}
    # AND an unknown value is reported and filters nothing
    everything, response = listed({"status": "granted"})
    assert everything == {draft.pk, approved.pk, change.pk}
    assert "Unknown filter value" in response.content.decode()


def test_the_list_is_paginated_and_keeps_the_filter(alice_tenant, alice_client):
    ApplicationFactory.create_batch(30, tenant=alice_tenant, status=Status.WITHDRAWN)

    response = alice_client.get(reverse("application-list"), {"status": "withdrawn", "page": 2})

    assert len(response.context["object_list"]) == 5
    assert "status=withdrawn" in response.content.decode()


def mixed_applications(tenant, count):
    """``count`` applications in every open status, with the rows they need."""
    statuses = [
        Status.DRAFT,
        Status.PROVIDER_REVIEW,
        Status.SMS_VERIFICATION,
        Status.BUREAU_REVIEW,
        Status.RETURNED,
    ]
    for i in range(count):
        status = statuses[i % len(statuses)]
        website = WebsiteFactory(entity__tenant=tenant) if i % 2 else None
        application = ApplicationFactory(
            tenant=tenant,
            kind=Kind.CHANGE_WEBSITE if website else Kind.FIRST_FILING,
            website=website,
            entity=website.entity if website else None,
            status=status,
            payload={} if website else first_filing_payload(900 + i),
            submitted_at=timezone.now(),
            bureau_submitted_at=timezone.now(),
        )
        if status == Status.SMS_VERIFICATION:
            MiitVerificationFactory(application=application)


def test_the_list_takes_the_same_number_of_queries_for_10_or_25_rows(alice_tenant, alice_client):
    # GIVEN 10 applications: each open status, about a website and not
    mixed_applications(alice_tenant, 10)
    url = reverse("application-list")
    with CaptureQueriesContext(connection) as few:
        assert alice_client.get(url).status_code == 200

    # WHEN 20 more are added
    mixed_applications(alice_tenant, 20)
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get(url)

    # THEN the page costs the same number of queries, within a pinned budget
    assert len(response.context["object_list"]) == 25
    assert len(many) == len(few), "\n".join(q["sql"][:90] for q in many.captured_queries)
    # 11: session, user, membership, count, page, MIIT codes, provinces, calendar,
    # and the header's notifications, memberships and staff role.
    assert len(many) <= 11, "\n".join(q["sql"][:90] for q in many.captured_queries)


# ---- the detail page ------------------------------------------------------------------------


def test_a_draft_shows_its_proposed_data_with_personal_numbers_masked(
    alice, alice_tenant, alice_client
):
    application = first_filing(alice_tenant, alice)
    payload = application.payload

    response = page(alice_client, "application-detail", application)

    content = response.content.decode()
    assert response.status_code == 200
    assert payload["entity"]["name"] in content
    assert payload["entity"]["id_number"] not in content
    assert payload["entity"]["id_number"][:6] in content  # the masked form
    assert payload["entity_head"]["id_number"] not in content
    assert payload["entity_head"]["mobile"][3:] not in content
    assert "Beijing" in content or "北京" in content
    assert reverse("application-wizard", kwargs={"pk": application.pk}) in content
    assert reverse("application-materials", kwargs={"pk": application.pk}) in content


def test_a_draft_without_its_documents_lists_them_missing_and_cannot_be_submitted(
    alice, alice_tenant, alice_client
):
    application = first_filing(alice_tenant, alice)

    response = page(alice_client, "application-detail", application)

    items = response.context["checklist"]
    assert items and all(item.material is None for item in items)
    assert response.context["proposal"].blocks_submission
    assert 'data-testid="submit-button" disabled' in response.content.decode()


def test_a_blocking_problem_is_shown_at_its_field_with_the_fix_and_stops_submission(
    alice, alice_tenant, alice_client, rules
):
    # GIVEN a rule that finds the entity name wrong
    rules["test_pages_blocking_name"] = BlockingNameRule()
    application = first_filing(alice_tenant, alice)

    # WHEN alice opens the draft
    response = page(alice_client, "application-detail", application)

    # THEN the problem and its fix sit with the entity name, and Submit is disabled
    proposal = response.context["proposal"]
    entity = next(e for e in proposal.entries if e.path == "entity")
    name = next(f for f in entity.fields if f.path == "entity.name")
    assert [p.message for p in name.notes.problems] == ["The name differs from the licence."]
    assert name.notes.problems[0].fix == BlockingNameRule.fix_text
    content = response.content.decode()
    assert "How to fix" in content and BlockingNameRule.fix_text in content
    assert 'data-testid="submit-button" disabled' in content

    # WHEN she posts Submit anyway
    response = alice_client.post(
        reverse("application-submit", kwargs={"pk": application.pk}), follow=True
    )

    # THEN she is told to fix it, and the application is still a draft
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert "Fix the marked problems before submitting." in messages_of(response)


def test_a_warning_is_shown_but_does_not_stop_submission(alice, alice_tenant, alice_client, rules):
    # GIVEN a change of access (no documents needed) and a rule that only warns
    rules["test_pages_warning"] = WarningRule()
    application = change_access(alice_tenant, alice)

    response = page(alice_client, "application-detail", application)

    content = response.content.decode()
    assert "No landline given." in content and WarningRule.fix_text in content
    assert response.context["proposal"].warning_count == 1
    assert 'data-testid="submit-button" disabled' not in content

    # WHEN alice submits THEN it goes to the provider
    response = alice_client.post(
        reverse("application-submit", kwargs={"pk": application.pk}), follow=True
    )
    application.refresh_from_db()
    assert application.status == Status.PROVIDER_REVIEW
    assert any("Submitted" in m for m in messages_of(response))


STEP_URLS = ("application-submit", "application-resubmit", "application-withdraw")


@pytest.mark.parametrize(
    "status,shown",
    [
        (Status.DRAFT, {"application-submit", "application-withdraw"}),
        (Status.RETURNED, {"application-resubmit", "application-withdraw"}),
        (Status.PROVIDER_REVIEW, {"application-withdraw"}),
        (Status.SMS_VERIFICATION, set()),
        (Status.BUREAU_REVIEW, set()),
        (Status.APPROVED, set()),
        (Status.REJECTED, set()),
        (Status.WITHDRAWN, set()),
        (Status.EXPIRED, set()),
    ],
)
def test_each_status_offers_only_its_steps(alice_tenant, alice_client, status, shown):
    application = ApplicationFactory(
        tenant=alice_tenant, status=status, payload=first_filing_payload(820)
    )

    response = page(alice_client, "application-detail", application)

    content = response.content.decode()
    assert response.status_code == 200
    offered = {name for name in STEP_URLS if reverse(name, args=[application.pk]) in content}
    assert offered == shown
    wizard = reverse("application-wizard", args=[application.pk])
    assert (wizard in content) == (status in (Status.DRAFT, Status.RETURNED))


@pytest.mark.parametrize(
    "status,step,expected",
    [
        (Status.DRAFT, "application-resubmit", "cannot be resubmitted now"),
        (Status.PROVIDER_REVIEW, "application-submit", "cannot be submitted now"),
        (Status.APPROVED, "application-withdraw", "cannot be withdrawn now"),
        (Status.BUREAU_REVIEW, "application-withdraw", "cannot be withdrawn now"),
    ],
)
def test_a_step_the_status_does_not_allow_is_refused_and_changes_nothing(
    alice_tenant, alice_client, status, step, expected
):
    application = ApplicationFactory(
        tenant=alice_tenant, status=status, payload=first_filing_payload(821)
    )

    response = alice_client.post(reverse(step, args=[application.pk]), follow=True)

    application.refresh_from_db()
    assert application.status == status
    assert any(expected in m for m in messages_of(response))
    assert not AuditEvent.objects.filter(object_id=str(application.pk)).exists()


def test_withdraw_asks_for_confirmation_then_withdraws_with_the_reason(
    alice, alice_tenant, alice_client
):
    application = first_filing(alice_tenant, alice)
    url = reverse("application-withdraw", args=[application.pk])

    # WHEN alice opens the withdraw page THEN nothing happened yet
    confirm = alice_client.get(url)
    application.refresh_from_db()
    assert confirm.status_code == 200 and application.status == Status.DRAFT
    assert "Withdraw this application?" in confirm.content.decode()

    # WHEN she confirms with a reason
    response = alice_client.post(url, {"reason": "Filed elsewhere"}, follow=True)

    # THEN it is withdrawn, audited with her reason
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    event = AuditEvent.objects.get(action="application.withdraw")
    assert event.reason == "Filed elsewhere" and event.actor == alice
    assert "The application was withdrawn." in messages_of(response)


def test_the_withdraw_page_of_an_application_past_the_provider_says_it_cannot_be(
    alice_tenant, alice_client
):
    application = ApplicationFactory(tenant=alice_tenant, status=Status.BUREAU_REVIEW)

    response = alice_client.get(reverse("application-withdraw", args=[application.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("application-detail", args=[application.pk])
    assert any("cannot be withdrawn now" in m for m in messages_of(response))


def test_a_withdraw_reason_too_long_is_refused_and_nothing_changes(
    alice, alice_tenant, alice_client
):
    application = first_filing(alice_tenant, alice)

    response = alice_client.post(
        reverse("application-withdraw", args=[application.pk]), {"reason": "x" * 501}
    )

    application.refresh_from_db()
    assert response.status_code == 400 and application.status == Status.DRAFT
    assert "at most 500 characters" in response.content.decode()


def test_a_returned_application_shows_the_reasons_at_their_fields_and_its_timeline(
    alice, alice_tenant, alice_client, rachel, rules
):
    # GIVEN alice's first filing returned by rachel with a reason for the website name
    application = first_filing(alice_tenant, alice)
    with no_rules(rules):
        assert do_submit(application, actor=alice).ok
    reasons = {"website.name": "Use the name shown on the site.", "": "Upload the signed form."}
    assert do_return(application, reasons, actor=rachel).ok

    # WHEN alice opens it
    response = page(alice_client, "application-detail", application)

    # THEN the field reason sits with the website name, the general one on top
    proposal = response.context["proposal"]
    website = next(e for e in proposal.entries if e.path == "website")
    name = next(f for f in website.fields if f.path == "website.name")
    assert name.notes.return_reasons == ["Use the name shown on the site."]
    assert proposal.general.return_reasons == ["Upload the signed form."]
    content = response.content.decode()
    assert "Submit again" in content
    # AND the timeline tells what happened, who did it, and what comes next
    labels = [e.label for e in response.context["timeline"].entries]
    assert labels == [
        "Application started",
        "Submitted for provider review",
        "Returned for changes",
    ]
    assert "rachel" in content and "Upload the signed form." in content
    assert "Correct the returned fields and submit again" in content


def test_a_submitted_application_shows_the_working_day_estimate(alice, alice_tenant, alice_client):
    application = change_access(alice_tenant, alice)
    assert do_submit(application, actor=alice).ok

    response = page(alice_client, "application-detail", application)

    step = response.context["timeline"].next_step
    assert step.working_days == 1 and step.due > timezone.now()
    assert "within 1 working day" in response.content.decode()


def test_an_approved_application_shows_its_filing_numbers(
    alice, alice_tenant, alice_client, rachel, rules, django_capture_on_commit_callbacks
):
    # GIVEN a cancellation of access approved by the bureau
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = do_create_application(
        alice_tenant,
        Kind.CANCEL_ACCESS,
        actor=alice,
        website=website,
        payload={"reason": {"text": "Moving away"}},
    ).application
    assert do_submit(application, actor=alice).ok
    with django_capture_on_commit_callbacks(execute=True):
        assert do_pass_provider_review(application, actor=rachel).ok
    assert do_bureau_decide(application, approved=True).ok

    response = page(alice_client, "application-detail", application)

    content = response.content.decode()
    assert "Approved by the bureau" in content
    assert response.context["timeline"].next_step is None


# ---- the MIIT SMS step -----------------------------------------------------------------------


def test_the_sms_step_lists_each_head_with_a_page_to_enter_the_code(alice_client, sms_application):
    application = sms_application

    response = page(alice_client, "application-detail", application)

    rows = response.context["verifications"]
    assert [v.role for v in rows] == ["entity_head", "website_head"]
    content = response.content.decode()
    for row in rows:
        assert reverse("application-miit-code", args=[application.pk, row.pk]) in content
        assert row.phone[3:] not in content


def test_the_right_code_verifies_the_head(alice_client, sms_application):
    application = sms_application
    verification = MiitVerification.objects.get(application=application, role="entity_head")
    code = codes_sent()[application.payload["entity_head"]["mobile"]]
    url = reverse("application-miit-code", args=[application.pk, verification.pk])

    # WHEN alice opens the page THEN she sees the masked phone, expiry and tries left
    form = alice_client.get(url)
    content = form.content.decode()
    assert verification.masked_phone in content and "5 tries left" in content
    assert 'data-testid="expires"' in content

    # WHEN the head's code is entered
    response = alice_client.post(url, {"code": code}, follow=True)

    # THEN the head is verified and the other head is still awaited
    verification.refresh_from_db()
    assert verification.status == MiitVerification.Status.VERIFIED
    assert response.redirect_chain[-1][0] == reverse("application-detail", args=[application.pk])
    assert "Code accepted. The other head still has to enter theirs." in messages_of(response)
    assert code not in response.content.decode()

    # AND its page no longer asks for a code
    again = alice_client.get(url)
    assert 'data-testid="not-waiting"' in again.content.decode()


def test_a_wrong_code_says_how_many_tries_are_left_and_never_echoes_it(
    alice_client, sms_application, caplog
):
    application = sms_application
    verification = MiitVerification.objects.get(application=application, role="website_head")
    url = reverse("application-miit-code", args=[application.pk, verification.pk])

    with caplog.at_level(logging.DEBUG):
        response = alice_client.post(url, {"code": "024680"})

    content = response.content.decode()
    assert response.status_code == 400
    assert "Wrong code. 4 tries left." in content and "4 tries left before" in content
    assert "024680" not in content and "024680" not in caplog.text
    verification.refresh_from_db()
    assert verification.attempts == 1 and verification.status == "pending"


def test_an_empty_code_is_asked_for_again(alice_client, sms_application):
    application = sms_application
    verification = MiitVerification.objects.filter(application=application).first()

    response = alice_client.post(
        reverse("application-miit-code", args=[application.pk, verification.pk]), {"code": ""}
    )

    verification.refresh_from_db()
    assert response.status_code == 400 and verification.attempts == 0
    assert "Enter the code from the SMS." in response.content.decode()


def test_a_code_after_24_hours_returns_the_application(alice_client, sms_application):
    application = sms_application
    verification = MiitVerification.objects.get(application=application, role="entity_head")
    code = codes_sent()[application.payload["entity_head"]["mobile"]]
    url = reverse("application-miit-code", args=[application.pk, verification.pk])

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        response = alice_client.post(url, {"code": code}, follow=True)

    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert "The code has expired: the application was returned to you." in messages_of(response)
    assert "MIIT SMS codes were not all entered within 24 hours" in response.content.decode()


# ---- tenant isolation ------------------------------------------------------------------------


def test_bob_gets_404_on_every_page_of_alices_application(bob_client, sms_application):
    application = sms_application
    verification = MiitVerification.objects.filter(application=application).first()
    pk = application.pk

    for name in ("application-detail", "application-withdraw"):
        assert bob_client.get(reverse(name, args=[pk])).status_code == 404
    for name in STEP_URLS:
        assert bob_client.post(reverse(name, args=[pk])).status_code == 404
    code_url = reverse("application-miit-code", args=[pk, verification.pk])
    assert bob_client.get(code_url).status_code == 404
    assert bob_client.post(code_url, {"code": "123456"}).status_code == 404
    assert pk not in [a.pk for a in bob_client.get(reverse("application-list")).context["page_obj"]]
    verification.refresh_from_db()
    assert verification.attempts == 0


def test_a_code_page_of_another_application_is_404(alice_tenant, alice_client, sms_application):
    application = sms_application
    other = ApplicationFactory(tenant=alice_tenant)
    verification = MiitVerification.objects.filter(application=application).first()

    response = alice_client.get(reverse("application-miit-code", args=[other.pk, verification.pk]))

    assert response.status_code == 404


def test_staff_without_a_customer_account_get_404(alice_tenant, rachel_client):
    application = ApplicationFactory(tenant=alice_tenant)
    assert page(rachel_client, "application-detail", application).status_code == 404


def test_the_pages_need_a_login(client, alice_tenant):
    application = ApplicationFactory(tenant=alice_tenant)
    response = page(client, "application-detail", application)
    assert response.status_code == 302 and "login" in response["Location"]


# ---- the website timeline and the links from entity, person and website pages ---------------


def test_the_website_page_shows_its_timeline_with_readable_labels(
    alice, alice_tenant, alice_client, rachel, django_capture_on_commit_callbacks
):
    # GIVEN a website whose access was cancelled through an approved application
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = do_create_application(
        alice_tenant,
        Kind.CANCEL_ACCESS,
        actor=alice,
        website=website,
        payload={"reason": {"text": "Moving away"}},
    ).application
    assert do_submit(application, actor=alice).ok
    with django_capture_on_commit_callbacks(execute=True):
        assert do_pass_provider_review(application, actor=rachel).ok
    assert do_bureau_decide(application, approved=True).ok

    # WHEN alice opens the website
    response = alice_client.get(reverse("website-detail", args=[website.pk]))

    # THEN its history reads in words, not action codes
    content = response.content.decode()
    for label in (
        "Submitted for provider review",
        "Passed provider review",
        "Approved by the bureau",
        "Access cancelled",
    ):
        assert label in content
    assert "website.cancel_access" not in content


def test_the_website_page_shows_the_next_step_of_its_open_application(
    alice, alice_tenant, alice_client
):
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = do_create_application(
        alice_tenant, Kind.CHANGE_ACCESS, actor=alice, website=website
    ).application

    response = alice_client.get(reverse("website-detail", args=[website.pk]))

    content = response.content.decode()
    assert "Complete the application and submit it" in content
    assert reverse("application-detail", args=[application.pk]) in content


def test_detail_pages_link_to_documents_and_to_new_applications(alice_tenant, alice_client):
    website = WebsiteFactory(entity__tenant=alice_tenant)
    entity, head = website.entity, website.head
    new = reverse("application-new")

    website_page = alice_client.get(reverse("website-detail", args=[website.pk])).content.decode()
    assert reverse("website-materials", args=[website.pk]) in website_page
    for kind in ("change_website", "change_access", "cancel_access", "deregister_website"):
        assert f"{new}?kind={kind}&amp;website={website.pk}" in website_page

    entity_page = alice_client.get(reverse("entity-detail", args=[entity.pk])).content.decode()
    assert reverse("entity-materials", args=[entity.pk]) in entity_page
    for kind in ("new_website", "change_entity", "deregister_entity"):
        assert f"{new}?kind={kind}&amp;entity={entity.pk}" in entity_page

    person_page = alice_client.get(reverse("person-detail", args=[head.pk])).content.decode()
    assert reverse("person-materials", args=[head.pk]) in person_page


def test_a_shell_entity_offers_only_deregistration(alice_tenant, alice_client):
    shell = EntityFactory(tenant=alice_tenant, state="shell")

    content = alice_client.get(reverse("entity-detail", args=[shell.pk])).content.decode()

    assert "kind=deregister_entity" in content and "kind=new_website" not in content


def test_every_status_of_a_real_application_renders(alice, alice_tenant, alice_client):
    # A last guard: each status renders with a real payload and the installed labels
    for status in Status.values:
        application = ApplicationFactory(
            tenant=alice_tenant, status=status, payload=first_filing_payload(830)
        )
        assert page(alice_client, "application-detail", application).status_code == 200
    assert Application.objects.count() == len(Status.values)


def test_the_website_timeline_shows_access_steps_of_its_rectification_case(
    alice_tenant, alice_client, leo
):
    # GIVEN a website whose access was blocked by an overdue case, then restored by leo
    website = WebsiteFactory(entity__tenant=alice_tenant)
    case = RectificationCaseFactory(website=website, state="access_blocked")
    do_lift_block(case, actor=leo, reason="Fixed the DNS records on the phone.", days=5)

    # WHEN alice opens the website
    response = alice_client.get(reverse("website-detail", args=[website.pk]))

    # THEN the lift is its history, in words, with leo's reason
    content = response.content.decode()
    assert [e.action for e in website_timeline(website).entries] == ["case.lift_block"]
    assert "Access restored" in content
    assert "Fixed the DNS records on the phone." in content
    assert "case.lift_block" not in content


def test_the_detail_page_costs_the_same_queries_for_one_domain_or_six(
    alice, alice_tenant, alice_client
):
    # GIVEN a first filing with one domain, and one with six
    one = first_filing(alice_tenant, alice, 840)
    six_payload = first_filing_payload(841)
    six_payload["domains"] = [
        {**six_payload["domains"][0], "name": f"d{i}.apply841.example.cn"} for i in range(6)
    ]
    six = first_filing(alice_tenant, alice, 841, domains=six_payload["domains"])

    # WHEN alice opens each
    with CaptureQueriesContext(connection) as few:
        assert page(alice_client, "application-detail", one).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert page(alice_client, "application-detail", six).status_code == 200

    # THEN more domains cost no more queries, within a pinned budget
    assert len(many) == len(few), "\n".join(q["sql"][:90] for q in many.captured_queries)
    # 17: the request's own, the snapshot for the self-check and again for the documents
    # checklist, the province names, the timeline and the header.
    assert len(many) <= 17, "\n".join(q["sql"][:90] for q in many.captured_queries)
