"""The application state machine: each step, its audit row, and the steps refused."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from filings.applications.actions import (
    do_bureau_decide,
    do_create_application,
    do_pass_provider_review,
    do_record_miit_code,
    do_resubmit,
    do_return,
    do_save_draft,
    do_submit,
    do_withdraw,
)
from filings.applications.queries import applications_under_review
from filings.applications.timeline import application_timeline, website_timeline
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, Entity, MiitVerification, Website
from filings.tasks.applications import expire_sms_steps
from icpportal.models import AuditEvent
from inspections.rules import Rule, all_rules, default_registry
from notifications.models import Notification
from notifications.sms import locmem
from tests.factories import (
    DomainFactory,
    EntityFactory,
    PersonFactory,
    RegistryDomainFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    first_filing_payload,
    person_payload,
)

pytestmark = pytest.mark.django_db
Kind, Status = ApplicationKind, ApplicationStatus


class BlockingNameRule(Rule):
    code = "test_blocking_name"
    version = 1
    title = "Test: entity name"

    def check(self, snapshot):
        return self.failed("Use the name on the business licence.", fields=("entity.name",))


class WarningRule(Rule):
    code = "test_warning"
    version = 1
    title = "Test: a warning"

    def check(self, snapshot):
        return self.failed("Consider adding a landline.", blocking=False)


@pytest.fixture(autouse=True)
def self_check_rules(monkeypatch, settings):
    """The self-check runs only the rules a test adds (none by default), and the
    simulated bureau decides as soon as it is asked."""
    rules: dict[str, Rule] = {}
    monkeypatch.setattr(default_registry, "_rules", rules)
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 0
    return rules


def transitions_of(application) -> list[str]:
    """The audit actions of the application's status changes, oldest first."""
    return list(
        AuditEvent.objects.filter(object_type="filings.application", object_id=str(application.pk))
        .exclude(after__status=None)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def first_filing(alice, n=701, **payload_changes):
    payload = first_filing_payload(n)
    payload.update(payload_changes)
    result = do_create_application(
        alice.memberships.get().tenant, Kind.FIRST_FILING, actor=alice, payload=payload
    )
    assert result.ok, result.field_errors
    return result.application


def codes_sent():
    """The MIIT codes the heads received by SMS, by mobile number."""
    return {
        m.to: m.params["code"] for m in locmem.outbox if m.template_key == "miit_verification_code"
    }


def pass_review(application, rachel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = do_pass_provider_review(application, actor=rachel)
    assert result.ok, (result.message, result.field_errors)
    return result


# ---- drafts ----------------------------------------------------------------------------


def test_a_draft_is_created_with_every_section_and_one_audit_row(alice, alice_tenant):
    # WHEN alice opens a first filing
    result = do_create_application(alice_tenant, Kind.FIRST_FILING, actor=alice)

    # THEN a draft with the kind's empty sections, created by her, audited once
    application = result.application
    assert result.ok and application.status == Status.DRAFT
    assert set(application.payload) == {
        "entity",
        "entity_head",
        "website",
        "website_head",
        "domains",
    }
    assert application.created_by == alice
    assert transitions_of(application) == ["application.create"]


def test_a_change_starts_from_the_live_data(alice, alice_tenant):
    # GIVEN alice's live website
    website = WebsiteFactory(entity__tenant=alice_tenant)
    DomainFactory(website=website, name="live.example.cn")

    # WHEN she opens a change of it
    application = do_create_application(
        alice_tenant, Kind.CHANGE_WEBSITE, actor=alice, website=website
    ).application

    # THEN the payload holds the live values, the head by reference
    assert application.payload["website"]["name"] == website.name
    assert application.payload["website_head"] == {"person_id": website.head_id}
    assert [d["name"] for d in application.payload["domains"]] == ["live.example.cn"]
    assert application.entity == website.entity


def test_bobs_website_cannot_be_the_subject_of_alices_application(alice, alice_tenant, bob_tenant):
    bobs = WebsiteFactory(entity__tenant=bob_tenant)
    result = do_create_application(alice_tenant, Kind.CHANGE_WEBSITE, actor=alice, website=bobs)
    assert not result.ok and result.code == "not_found"
    assert not Application.objects.exists()


def test_a_shell_entity_may_not_file_a_new_website(alice, alice_tenant):
    shell = EntityFactory(tenant=alice_tenant, state=Entity.State.SHELL)
    result = do_create_application(alice_tenant, Kind.NEW_WEBSITE, actor=alice, entity=shell)
    assert not result.ok and result.code == "shell"
    assert "deregistered" in result.message


def test_saving_a_step_replaces_the_section_and_counts_as_activity(alice, alice_tenant):
    # GIVEN a draft untouched for 20 days
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        application = do_create_application(
            alice_tenant, Kind.FIRST_FILING, actor=alice
        ).application
    before = application.last_activity_at

    # WHEN alice saves the website head step
    result = do_save_draft(application, "website_head", person_payload(702), actor=alice)

    # THEN the section is stored as typed and the draft's activity is now
    application.refresh_from_db()
    assert result.ok
    assert application.payload["website_head"]["name"] == "李702"
    assert application.last_activity_at > before + datetime.timedelta(days=19)


@pytest.mark.parametrize(
    "section,data,field",
    [
        ("website", {"name": "站", "colour": "red"}, "website.colour"),
        ("domains", {"name": "a.cn"}, "domains"),
        ("website_head", {"person_id": 999999}, "website_head.person_id"),
        ("transfer", {"filing_number": "京ICP备2026000001号-1"}, "transfer"),
    ],
    ids=["unknown field", "list expected", "person of nobody", "section of another kind"],
)
def test_a_wrong_step_is_refused_and_nothing_is_saved(alice, alice_tenant, section, data, field):
    application = do_create_application(alice_tenant, Kind.FIRST_FILING, actor=alice).application
    payload = dict(application.payload)

    result = do_save_draft(application, section, data, actor=alice)

    application.refresh_from_db()
    assert not result.ok and field in result.field_errors
    assert application.payload == payload


def test_bobs_person_cannot_be_named_as_alices_head(alice, alice_tenant, bob_tenant):
    bobs_person = PersonFactory(tenant=bob_tenant)
    application = do_create_application(alice_tenant, Kind.FIRST_FILING, actor=alice).application
    result = do_save_draft(application, "entity_head", {"person_id": bobs_person.pk}, actor=alice)
    assert result.field_errors == {
        "entity_head.person_id": ["This person is not on file in your account."]
    }


# ---- submit, self-check ----------------------------------------------------------------


def test_submit_moves_to_provider_review_with_one_audit_row_and_a_notice(alice):
    application = first_filing(alice)

    result = do_submit(application, actor=alice)

    application.refresh_from_db()
    assert result.ok and application.status == Status.PROVIDER_REVIEW
    assert application.submitted_at is not None
    assert transitions_of(application) == ["application.create", "application.submit"]
    notice = Notification.objects.get(channel="in_app", template_key="application_submitted")
    assert notice.recipient_user == alice and str(application.pk) in notice.subject
    assert Notification.objects.filter(channel="email", recipient_address=alice.email).exists()


def test_a_blocking_finding_stops_submission_and_names_its_field(alice, self_check_rules):
    # GIVEN a rule that finds the entity name wrong, and one that only warns
    self_check_rules["test_blocking_name"] = BlockingNameRule()
    self_check_rules["test_warning"] = WarningRule()
    application = first_filing(alice)

    # WHEN alice submits
    result = do_submit(application, actor=alice)

    # THEN it stays a draft, and the problem is returned next to its field
    application.refresh_from_db()
    assert not result.ok and result.code == "self_check_failed"
    assert result.field_errors == {"entity.name": ["Use the name on the business licence."]}
    assert {o.code for o in result.outcomes} == {"test_blocking_name", "test_warning"}
    assert application.status == Status.DRAFT
    assert transitions_of(application) == ["application.create"]


def test_a_warning_does_not_stop_submission_and_is_kept_for_the_reviewer(alice, self_check_rules):
    self_check_rules["test_warning"] = WarningRule()
    application = first_filing(alice)

    assert do_submit(application, actor=alice).ok

    application.refresh_from_db()
    assert [r["code"] for r in application.self_check] == ["test_warning"]


def test_missing_essentials_stop_submission(alice, alice_tenant):
    application = do_create_application(alice_tenant, Kind.FIRST_FILING, actor=alice).application

    result = do_submit(application, actor=alice)

    assert not result.ok
    assert {"entity.name", "entity.id_number", "website_head.mobile", "domains"} <= set(
        result.field_errors
    )
    assert result.field_errors["domains"] == ["Add at least one domain."]


def test_the_installed_rules_are_the_self_check(alice, monkeypatch):
    # GIVEN the installed rules rather than the test's empty set
    monkeypatch.undo()
    application = first_filing(alice)

    # WHEN alice submits
    result = do_submit(application, actor=alice)

    # THEN every installed rule answered, and only a blocking answer could stop her
    assert {o.code for o in result.outcomes} == {rule.code for rule in all_rules()}
    assert result.ok == (not any(o.is_blocking for o in result.outcomes))


# ---- illegal steps ---------------------------------------------------------------------


def test_steps_the_status_does_not_allow_are_refused_clearly(alice, rachel):
    application = first_filing(alice)

    # A draft cannot be passed, returned, resubmitted or get an MIIT code …
    assert do_pass_provider_review(application, actor=rachel).code == "not_allowed"
    assert do_return(application, {"": "No."}, actor=rachel).code == "not_allowed"
    assert do_resubmit(application, actor=alice).code == "not_allowed"
    refused = do_record_miit_code(application, "entity_head", "123456", actor=alice)
    assert refused.code == "not_allowed"
    assert "“Draft”" in refused.message and "cannot be" in refused.message

    # … and a submitted one cannot be submitted again
    assert do_submit(application, actor=alice).ok
    assert do_submit(application, actor=alice).code == "not_allowed"
    application.refresh_from_db()
    assert application.status == Status.PROVIDER_REVIEW
    assert transitions_of(application) == ["application.create", "application.submit"]


def test_the_status_field_cannot_be_set_directly(alice):
    application = first_filing(alice)
    with pytest.raises(AttributeError):
        application.status = Status.APPROVED


def test_only_staff_pass_or_return(alice):
    application = first_filing(alice)
    do_submit(application, actor=alice)
    assert do_pass_provider_review(application, actor=alice).code == "staff_only"
    assert do_return(application, {"": "No."}, actor=alice).code == "staff_only"


# ---- provider review: return, resubmit, withdraw ------------------------------------------


def test_return_with_reasons_per_field_then_resubmit(alice, rachel):
    # GIVEN a submitted first filing
    application = first_filing(alice)
    do_submit(application, actor=alice)

    # WHEN rachel returns it with a reason for the website name and one overall
    reasons = {"website.name": "Use the name on the site.", "": "Upload the signed form."}
    result = do_return(application, reasons, actor=rachel)

    # THEN it is returned with those reasons, audited with them, and alice is told
    application.refresh_from_db()
    assert result.ok and application.status == Status.RETURNED
    assert application.return_reasons == reasons
    event = AuditEvent.objects.get(action="application.return")
    assert event.actor == rachel and "Use the name on the site." in event.reason
    body = Notification.objects.get(template_key="application_returned", channel="in_app").body
    assert "Upload the signed form." in body

    # WHEN alice corrects the name and resubmits
    website = {**application.payload["website"], "name": "改正后的网站"}
    assert do_save_draft(application, "website", website, actor=alice).ok
    assert do_resubmit(application, actor=alice).ok

    # THEN it is back with the provider, the old reasons cleared
    application.refresh_from_db()
    assert application.status == Status.PROVIDER_REVIEW and application.return_reasons == {}
    assert transitions_of(application) == [
        "application.create",
        "application.submit",
        "application.return",
        "application.resubmit",
    ]


@pytest.mark.parametrize(
    "reasons,field",
    [
        ({}, ""),
        ({"website.colour": "Red?"}, "website.colour"),
        ({"website.name": " "}, "website.name"),
    ],
    ids=["no reason", "no such field", "empty reason"],
)
def test_a_return_needs_real_reasons(alice, rachel, reasons, field):
    application = first_filing(alice)
    do_submit(application, actor=alice)

    result = do_return(application, reasons, actor=rachel)

    application.refresh_from_db()
    assert not result.ok and field in result.field_errors
    assert application.status == Status.PROVIDER_REVIEW


@pytest.mark.parametrize("stage", ["draft", "returned", "provider_review"])
def test_withdraw_before_the_miit_steps(alice, rachel, stage):
    application = first_filing(alice)
    if stage != "draft":
        do_submit(application, actor=alice)
    if stage == "returned":
        do_return(application, {"": "Incomplete."}, actor=rachel)

    result = do_withdraw(application, actor=alice, reason="Changed our mind")

    application.refresh_from_db()
    assert result.ok and application.status == Status.WITHDRAWN
    assert transitions_of(application)[-1] == "application.withdraw"


# ---- pass, the MIIT SMS step, the bureau ---------------------------------------------------


def test_pass_sends_each_required_head_a_code(alice, rachel, django_capture_on_commit_callbacks):
    # GIVEN a first filing whose entity head and website head are different people
    application = first_filing(alice, website_head=person_payload(703))
    do_submit(application, actor=alice)

    # WHEN rachel passes it
    pass_review(application, rachel, django_capture_on_commit_callbacks)

    # THEN both heads got an MIIT code by SMS, kept only as an HMAC
    application.refresh_from_db()
    assert application.status == Status.SMS_VERIFICATION
    codes = codes_sent()
    heads = application.payload
    assert set(codes) == {heads["entity_head"]["mobile"], heads["website_head"]["mobile"]}
    rows = MiitVerification.objects.filter(application=application)
    assert {r.role for r in rows} == {"entity_head", "website_head"}
    assert all(r.code_hmac and r.code_hmac not in codes.values() for r in rows)
    assert all(r.expires_at - timezone.now() > datetime.timedelta(hours=23) for r in rows)


def test_all_codes_entered_sends_it_to_the_bureau(
    alice, rachel, django_capture_on_commit_callbacks
):
    application = first_filing(alice, website_head=person_payload(704))
    do_submit(application, actor=alice)
    pass_review(application, rachel, django_capture_on_commit_callbacks)
    codes = codes_sent()
    entity_code = codes[application.payload["entity_head"]["mobile"]]
    website_code = codes[application.payload["website_head"]["mobile"]]

    # WHEN the entity head enters a code, the other head is still awaited
    first = do_record_miit_code(application, "entity_head", entity_code, actor=alice)
    assert first.ok and first.code == "verified"
    application.refresh_from_db()
    assert application.status == Status.SMS_VERIFICATION

    # WHEN the website head enters theirs, the bureau has it
    second = do_record_miit_code(application, "website_head", website_code, actor=alice)
    application.refresh_from_db()
    assert second.ok and application.status == Status.BUREAU_REVIEW
    assert application.registry_reference == f"SIM-{application.pk}"
    assert transitions_of(application)[-2:] == ["application.pass", "application.bureau_submit"]


def test_five_wrong_codes_return_the_application(alice, rachel, django_capture_on_commit_callbacks):
    application = first_filing(alice)
    do_submit(application, actor=alice)
    pass_review(application, rachel, django_capture_on_commit_callbacks)

    answers = [
        do_record_miit_code(application, "website_head", "000000", actor=alice) for _ in range(5)
    ]

    application.refresh_from_db()
    assert [a.code for a in answers] == ["wrong_code"] * 4 + ["max_attempts"]
    assert answers[0].message == "Wrong code. 4 tries left."
    assert application.status == Status.RETURNED
    assert "wrong MIIT code 5 times" in application.return_reasons[""]
    assert not MiitVerification.objects.filter(application=application, status="pending").exists()
    assert transitions_of(application)[-1] == "application.sms_failed"


def test_24_hours_without_every_code_return_the_application(
    alice, rachel, django_capture_on_commit_callbacks
):
    application = first_filing(alice)
    do_submit(application, actor=alice)
    pass_review(application, rachel, django_capture_on_commit_callbacks)
    code = codes_sent()[application.payload["entity_head"]["mobile"]]

    # WHEN the job runs after 23 hours, nothing happens; after 24, the step failed
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=23)):
        assert expire_sms_steps() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        assert expire_sms_steps() == 1
        # AND a code entered late is refused
        late = do_record_miit_code(application, "entity_head", code, actor=alice)

    application.refresh_from_db()
    assert application.status == Status.RETURNED and late.code == "not_allowed"
    assert "24 hours" in application.return_reasons[""]
    assert set(
        MiitVerification.objects.filter(application=application).values_list("status", flat=True)
    ) == {"expired"}


def test_a_code_entered_after_24_hours_returns_the_application(
    alice, rachel, django_capture_on_commit_callbacks
):
    application = first_filing(alice)
    do_submit(application, actor=alice)
    pass_review(application, rachel, django_capture_on_commit_callbacks)
    code = codes_sent()[application.payload["entity_head"]["mobile"]]

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        result = do_record_miit_code(application, "entity_head", code, actor=alice)

    application.refresh_from_db()
    assert result.code == "expired" and application.status == Status.RETURNED


def test_cancel_access_needs_no_heads_and_goes_straight_to_the_bureau(
    alice, alice_tenant, rachel, django_capture_on_commit_callbacks
):
    website = WebsiteFactory(entity__tenant=alice_tenant)
    application = do_create_application(
        alice_tenant,
        Kind.CANCEL_ACCESS,
        actor=alice,
        website=website,
        payload={"reason": {"text": "Moving the site abroad"}},
    ).application
    assert do_submit(application, actor=alice).ok

    pass_review(application, rachel, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.status == Status.BUREAU_REVIEW and not locmem.outbox
    assert transitions_of(application)[-1] == "application.pass"


# ---- the transfer exception ---------------------------------------------------------------


@pytest.fixture
def transfer(alice, alice_tenant):
    """A draft transfer of a filing of alice's entity held at another provider."""
    entity = EntityFactory(tenant=alice_tenant)
    record = RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=f"{entity.filing_number}-7",
        entity_id_hash=entity.id_number_hash,
        website_name="外部托管网站",
        access_providers=["other-cloud"],
    )
    RegistryDomainFactory(record=record, name="moving.example.cn")
    application = do_create_application(
        alice_tenant,
        Kind.TRANSFER,
        actor=alice,
        payload={"transfer": {"filing_number": record.website_filing_number}},
    ).application
    website = {
        **application.payload["website"],
        "homepage_url": "https://moving.example.cn/",
        "content_category": "corporate",
    }
    do_save_draft(application, "website", website, actor=alice)
    do_save_draft(application, "website_head", {"person_id": entity.head_id}, actor=alice)
    return application


def test_a_transfer_is_prefilled_from_the_bureau(transfer):
    assert transfer.payload["website"]["name"] == "外部托管网站"
    assert transfer.payload["domains"] == [{"name": "moving.example.cn"}]


def test_a_transfer_of_an_unknown_filing_is_refused(alice, alice_tenant):
    result = do_create_application(
        alice_tenant,
        Kind.TRANSFER,
        actor=alice,
        payload={"transfer": {"filing_number": "京ICP备2026999999号-1"}},
    )
    assert not result.ok
    assert result.field_errors["transfer.filing_number"] == [
        "The bureau holds no website filing with this number."
    ]


def test_transfer_access_opens_at_provider_pass_and_ends_on_rejection(
    alice, rachel, transfer, django_capture_on_commit_callbacks
):
    # GIVEN a submitted transfer; nothing is accessed here yet
    assert do_submit(transfer, actor=alice).ok
    assert not Website.objects.filter(filing_number=transfer.payload["transfer"]["filing_number"])

    # WHEN rachel passes it
    pass_review(transfer, rachel, django_capture_on_commit_callbacks)

    # THEN the website is on file with its access pending transfer, domain active
    transfer.refresh_from_db()
    website = transfer.website
    assert website.access_state == Website.AccessState.TRANSFER_PENDING
    assert website.name == "外部托管网站" and website.entity == transfer.entity
    assert list(website.domains.filter(is_active=True).values_list("name", flat=True)) == [
        "moving.example.cn"
    ]

    # WHEN the website head enters the code and the bureau rejects the transfer
    code = codes_sent()[website.head.mobile]
    assert do_record_miit_code(transfer, "website_head", code, actor=alice).ok
    result = do_bureau_decide(transfer, approved=False, reasons=["Records do not match."])

    # THEN the access ends and the domains leave the active filings
    website.refresh_from_db()
    assert result.ok
    assert website.access_state == Website.AccessState.NOT_ACCESSED
    assert not website.domains.filter(is_active=True).exists()
    transfer.refresh_from_db()
    assert transfer.decision_reasons == ["Records do not match."]


def test_a_transfer_returned_by_the_sms_step_loses_access_until_passed_again(
    alice, rachel, transfer, django_capture_on_commit_callbacks
):
    do_submit(transfer, actor=alice)
    pass_review(transfer, rachel, django_capture_on_commit_callbacks)
    for _ in range(5):
        do_record_miit_code(transfer, "website_head", "000000", actor=alice)
    transfer.refresh_from_db()
    assert transfer.status == Status.RETURNED
    assert transfer.website.access_state == Website.AccessState.NOT_ACCESSED

    # AND a corrected resubmission passed again opens the same website row again
    do_resubmit(transfer, actor=alice)
    pass_review(transfer, rachel, django_capture_on_commit_callbacks)
    transfer.refresh_from_db()
    assert transfer.website.access_state == Website.AccessState.TRANSFER_PENDING
    assert Website.objects.filter(filing_number=transfer.website.filing_number).count() == 1


# ---- reading the life cycle -------------------------------------------------------------


def test_change_applications_under_review_pause_rectification(alice, alice_tenant, rachel):
    # GIVEN a website, a change of its entity under review and a change of it in draft
    website = WebsiteFactory(entity__tenant=alice_tenant)
    entity_change = do_create_application(
        alice_tenant, Kind.CHANGE_ENTITY, actor=alice, entity=website.entity
    ).application
    draft_change = do_create_application(
        alice_tenant, Kind.CHANGE_WEBSITE, actor=alice, website=website
    ).application
    assert do_submit(entity_change, actor=alice).ok

    # THEN only the submitted one counts as under review; another site's do not
    assert list(applications_under_review(website)) == [entity_change]
    assert draft_change not in applications_under_review(website)
    other = WebsiteFactory(entity__tenant=alice_tenant)
    assert not applications_under_review(other).exists()

    # AND once returned it no longer pauses anything
    do_return(entity_change, {"": "Check the address."}, actor=rachel)
    assert not applications_under_review(website).exists()


def test_the_timeline_lists_each_step_and_the_next_one_in_working_days(alice, rachel):
    # GIVEN a first filing submitted on Friday 2026-05-29 and returned, then resubmitted
    with time_machine.travel(datetime.datetime(2026, 5, 29, 10, tzinfo=datetime.UTC), tick=False):
        application = first_filing(alice)
        do_submit(application, actor=alice)
        do_return(application, {"website.name": "Too generic."}, actor=rachel)
        do_resubmit(application, actor=alice)
        application.refresh_from_db()
        timeline = application_timeline(application)

    # THEN every step with who and why, oldest first
    assert [(e.action, e.actor) for e in timeline.entries] == [
        ("application.create", "alice"),
        ("application.submit", "alice"),
        ("application.return", "rachel"),
        ("application.resubmit", "alice"),
    ]
    assert timeline.entries[2].label == "Returned for changes"
    assert "Too generic." in timeline.entries[2].reason

    # AND the provider's review is due one working day later: Monday, not Saturday
    step = timeline.next_step
    assert step.working_days == 1 and step.approximate is False
    assert timezone.localtime(step.due).date() == datetime.date(2026, 6, 1)


@pytest.mark.parametrize("count", [1, 5])
def test_a_websites_timeline_costs_the_same_few_queries_however_long(
    alice, alice_tenant, count, django_assert_max_num_queries
):
    # GIVEN a website with several change applications, the last one submitted
    website = WebsiteFactory(entity__tenant=alice_tenant)
    DomainFactory(website=website)
    for _ in range(count):
        application = do_create_application(
            alice_tenant, Kind.CHANGE_ACCESS, actor=alice, website=website
        ).application
        do_withdraw(application, actor=alice)
    application = do_create_application(
        alice_tenant, Kind.CHANGE_ACCESS, actor=alice, website=website
    ).application
    assert do_submit(application, actor=alice).ok

    # WHEN its timeline is read
    with django_assert_max_num_queries(5):
        timeline = website_timeline(website)

    # THEN every application's steps are there, and the next step is the provider's
    assert len(timeline.entries) == 2 * count + 2
    assert timeline.next_step.label == "The provider reviews the application"
