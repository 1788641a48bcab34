"""Each kind of application through its states to approval, and what approval writes.

Nothing live changes before the bureau approves (the transfer's access excepted);
then ``do_apply_application`` writes the entity, persons, website and domains.
"""

from __future__ import annotations

import re

import pytest
from django.forms.models import model_to_dict

from filings.applications.actions import (
    do_apply_application,
    do_bureau_decide,
    do_create_application,
    do_pass_provider_review,
    do_record_miit_code,
    do_save_draft,
    do_submit,
)
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Domain, Entity, MiitVerification, Person, RegistryRecord, Website
from filings.tasks.applications import poll_bureau
from icpportal.crypto import keyed_hash
from icpportal.models import AuditEvent
from inspections.rules import default_registry
from notifications.models import Notification
from notifications.sms import locmem
from tests.factories import (
    DomainFactory,
    EntityFactory,
    PersonFactory,
    RegistryDomainFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    domain_payload,
    entity_payload,
    first_filing_payload,
    person_payload,
    website_payload,
)

pytestmark = pytest.mark.django_db
Kind, Status = ApplicationKind, ApplicationStatus
TRANSITIONS = (
    "application.create",
    "application.submit",
    "application.pass",
    "application.bureau_submit",
    "application.approve",
)


@pytest.fixture(autouse=True)
def _no_rules_and_no_delay(monkeypatch, settings):
    monkeypatch.setattr(default_registry, "_rules", {})
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 0


@pytest.fixture
def live(alice_tenant):
    """Alice's filed entity in Beijing with one website (…号-3) and its bureau record."""
    entity = EntityFactory(tenant=alice_tenant, filing_number="京ICP备2026000500号")
    website = WebsiteFactory(entity=entity, filing_number="京ICP备2026000500号-3", name="老网站")
    DomainFactory(website=website, name="old.example.cn")
    record = RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=website.filing_number,
        entity_name=entity.name,
        entity_id_hash=entity.id_number_hash,
        province_id="110000",
        website_name=website.name,
        access_providers=["demo-cloud"],
    )
    RegistryDomainFactory(record=record, name="old.example.cn")
    return website


def live_rows(tenant) -> list:
    """Every live row of the tenant, as plain values, to compare before and after."""
    rows = []
    for model in (Entity, Person, Website, Domain):
        for obj in model.objects.filter(tenant=tenant).order_by("pk"):
            rows.append((model.__name__, obj.pk, model_to_dict(obj)))
    return rows


def drive(application, alice, rachel, capture) -> None:
    """Submit, pass, enter every head's code, and let the bureau answer."""
    assert do_submit(application, actor=alice).ok
    with capture(execute=True):
        result = do_pass_provider_review(application, actor=rachel)
    assert result.ok, (result.message, result.field_errors)
    messages = [m for m in locmem.outbox if m.template_key == "miit_verification_code"]
    pending = MiitVerification.objects.filter(application=application, status="pending")
    for verification, message in zip(pending.order_by("id"), messages, strict=True):
        assert message.to == verification.phone
        assert do_record_miit_code(
            application, verification.role, message.params["code"], actor=alice
        ).ok
    application.refresh_from_db()
    assert application.status == Status.BUREAU_REVIEW


def decide(application, capture) -> None:
    with capture(execute=True):
        assert poll_bureau() == 1
    application.refresh_from_db()


def create(tenant, kind, alice, **kwargs):
    result = do_create_application(tenant, kind, actor=alice, **kwargs)
    assert result.ok, result.field_errors
    return result.application


def transitions_of(application) -> tuple[str, ...]:
    return tuple(
        AuditEvent.objects.filter(object_type="filings.application", object_id=str(application.pk))
        .exclude(after__status=None)
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---- first filing ----------------------------------------------------------------------


def test_a_first_filing_changes_nothing_live_until_approved_then_writes_it_all(
    alice, alice_tenant, rachel, django_capture_on_commit_callbacks
):
    # GIVEN a first filing in Yunnan, submitted, passed and verified by its head
    payload = first_filing_payload(711, province="530000")
    application = create(alice_tenant, Kind.FIRST_FILING, alice, payload=payload)
    before = live_rows(alice_tenant)
    drive(application, alice, rachel, django_capture_on_commit_callbacks)

    # THEN nothing live has changed while the bureau reviews
    assert live_rows(alice_tenant) == before == []

    # WHEN the bureau approves
    decide(application, django_capture_on_commit_callbacks)

    # THEN one audit row per step, numbers issued in Yunnan's format
    assert application.status == Status.APPROVED and application.applied_at
    assert transitions_of(application) == TRANSITIONS
    entity, website = application.entity, application.website
    assert re.fullmatch(r"滇ICP备\d{4}\d{6}号", entity.filing_number)
    assert website.filing_number == f"{entity.filing_number}-1"
    assert application.issued_numbers == {
        "entity": entity.filing_number,
        "website": website.filing_number,
    }

    # AND the entity, its one head (both roles), the website and its domain are live
    assert entity.name == payload["entity"]["name"] and entity.state == Entity.State.ACTIVE
    assert entity.id_number == payload["entity"]["id_number"]
    assert entity.head == website.head and Person.objects.filter(tenant=alice_tenant).count() == 1
    assert website.access_state == Website.AccessState.ACCESSED
    assert list(website.domains.values_list("name", "is_active")) == [("apply711.example.cn", True)]

    # AND the bureau now holds the filing as accessed here, and alice is told the numbers
    record = RegistryRecord.objects.get(website_filing_number=website.filing_number)
    assert record.access_providers == ["demo-cloud"]
    approved = Notification.objects.get(channel="in_app", template_key="application_approved")
    assert website.filing_number in approved.body


def test_applying_twice_writes_once(
    alice, alice_tenant, rachel, django_capture_on_commit_callbacks
):
    application = create(alice_tenant, Kind.FIRST_FILING, alice, payload=first_filing_payload(712))
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    again = do_apply_application(application)

    assert again.ok and again.code == "already_applied"
    assert Website.objects.filter(tenant=alice_tenant).count() == 1
    assert AuditEvent.objects.filter(action="application.apply").count() == 1


def test_a_payload_that_cannot_be_applied_leaves_the_application_with_the_bureau(
    alice, alice_tenant, rachel, django_capture_on_commit_callbacks, bob_tenant
):
    # GIVEN a first filing whose domain another customer's active filing already holds
    application = create(alice_tenant, Kind.FIRST_FILING, alice, payload=first_filing_payload(713))
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    DomainFactory(website__entity__tenant=bob_tenant, name="apply713.example.cn")

    # WHEN the bureau approves
    result = do_bureau_decide(application, approved=True, issued_numbers={})

    # THEN nothing is written, the problem names the field, and it stays under review
    application.refresh_from_db()
    assert not result.ok and result.code == "apply_failed"
    assert result.field_errors == {
        "domains.0": ["This domain already belongs to an active filing."]
    }
    assert application.status == Status.BUREAU_REVIEW
    assert not Entity.objects.filter(tenant=alice_tenant).exists()


# ---- the other kinds -------------------------------------------------------------------


def test_a_new_website_gets_the_entitys_next_number(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    payload = {
        "website": website_payload(714),
        "website_head": person_payload(714),
        "domains": [domain_payload("new714.example.cn")],
    }
    application = create(alice_tenant, Kind.NEW_WEBSITE, alice, entity=live.entity, payload=payload)
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    website = application.website
    assert website.filing_number == "京ICP备2026000500号-4"
    assert website.entity == live.entity and website.head.name == "李714"
    assert transitions_of(application) == TRANSITIONS


def test_a_transfer_is_accessed_here_once_approved(
    alice, alice_tenant, rachel, django_capture_on_commit_callbacks
):
    # GIVEN alice's entity holds 沪…-2 through another provider
    entity = EntityFactory(tenant=alice_tenant, filing_number="沪ICP备2025000900号")
    record = RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number="沪ICP备2025000900号-2",
        entity_id_hash=entity.id_number_hash,
        website_name="搬家网站",
        access_providers=["other-cloud"],
    )
    RegistryDomainFactory(record=record, name="moving715.example.cn")
    application = create(
        alice_tenant,
        Kind.TRANSFER,
        alice,
        payload={
            "transfer": {"filing_number": "沪ICP备2025000900号-2"},
            "website": website_payload(715, name=""),
            "website_head": {"person_id": entity.head_id},
        },
    )
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    assert application.website.access_state == Website.AccessState.TRANSFER_PENDING

    decide(application, django_capture_on_commit_callbacks)

    website = application.website
    assert website.access_state == Website.AccessState.ACCESSED
    assert website.filing_number == "沪ICP备2025000900号-2" and website.name == "搬家网站"
    assert website.entity == entity
    record.refresh_from_db()
    assert record.access_providers == ["other-cloud", "demo-cloud"]


def test_a_change_of_entity_changes_it_only_on_approval(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    entity = live.entity
    application = create(alice_tenant, Kind.CHANGE_ENTITY, alice, entity=entity)
    changed = {**application.payload["entity"], "name": "改名后的公司", "address": "新地址1号"}
    assert do_save_draft(application, "entity", changed, actor=alice).ok
    assert do_save_draft(application, "entity_head", person_payload(716), actor=alice).ok
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    entity.refresh_from_db()
    assert entity.name != "改名后的公司"

    decide(application, django_capture_on_commit_callbacks)

    entity.refresh_from_db()
    assert (entity.name, entity.address, entity.head.name) == ("改名后的公司", "新地址1号", "李716")
    assert entity.filing_number == "京ICP备2026000500号"
    assert RegistryRecord.objects.get(entity_filing_number=entity.filing_number).entity_name == (
        "改名后的公司"
    )


def test_a_change_of_website_replaces_its_domains(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    application = create(alice_tenant, Kind.CHANGE_WEBSITE, alice, website=live)
    do_save_draft(
        application, "website", {**application.payload["website"], "name": "新名"}, actor=alice
    )
    do_save_draft(application, "domains", [domain_payload("renamed.example.cn")], actor=alice)
    before = live_rows(alice_tenant)
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    assert live_rows(alice_tenant) == before

    decide(application, django_capture_on_commit_callbacks)

    live.refresh_from_db()
    assert live.name == "新名"
    assert dict(live.domains.values_list("name", "is_active")) == {
        "old.example.cn": False,
        "renamed.example.cn": True,
    }


def test_a_change_of_access_updates_the_domains(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    application = create(alice_tenant, Kind.CHANGE_ACCESS, alice, website=live)
    domains = [*application.payload["domains"], domain_payload("cdn.example.cn")]
    do_save_draft(application, "domains", domains, actor=alice)
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    assert set(live.domains.filter(is_active=True).values_list("name", flat=True)) == {
        "old.example.cn",
        "cdn.example.cn",
    }


def test_cancel_access_keeps_the_number_and_makes_the_entity_a_shell(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    application = create(
        alice_tenant,
        Kind.CANCEL_ACCESS,
        alice,
        website=live,
        payload={"reason": {"text": "Moving"}},
    )
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    live.refresh_from_db()
    assert live.access_state == Website.AccessState.ACCESS_CANCELLED
    assert live.filing_number == "京ICP备2026000500号-3"
    assert live.filing_state == Website.FilingState.FILED
    live.entity.refresh_from_db()
    assert live.entity.state == Entity.State.SHELL
    record = RegistryRecord.objects.get(website_filing_number=live.filing_number)
    assert (record.access_providers, record.status) == ([], RegistryRecord.Status.SHELL)


def test_a_shell_entity_must_be_deregistered_before_it_files_again(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    # GIVEN the entity became a shell
    Entity.objects.filter(pk=live.entity_id).update(state=Entity.State.SHELL)
    entity = Entity.objects.get(pk=live.entity_id)

    # THEN neither a new website nor a first filing of the same entity is accepted
    assert do_create_application(
        alice_tenant, Kind.NEW_WEBSITE, actor=alice, entity=entity
    ).code == ("shell")
    payload = first_filing_payload(717)
    payload["entity"].update(id_type=entity.id_type, id_number=entity.id_number)
    application = create(alice_tenant, Kind.FIRST_FILING, alice, payload=payload)
    refused = do_submit(application, actor=alice)
    assert not refused.ok and "deregistered" in refused.field_errors["entity.id_number"][0]

    # WHEN it is deregistered
    deregistration = create(
        alice_tenant,
        Kind.DEREGISTER_ENTITY,
        alice,
        entity=entity,
        payload={"reason": {"text": "Closing down"}},
    )
    drive(deregistration, alice, rachel, django_capture_on_commit_callbacks)
    decide(deregistration, django_capture_on_commit_callbacks)

    # THEN its websites and domains are deregistered too, and it may file again
    entity.refresh_from_db()
    live.refresh_from_db()
    assert entity.state == Entity.State.DEREGISTERED
    assert live.filing_state == Website.FilingState.DEREGISTERED
    assert not live.domains.filter(is_active=True).exists()
    assert do_submit(application, actor=alice).ok


def test_deregistering_the_last_website_leaves_a_shell(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    application = create(
        alice_tenant,
        Kind.DEREGISTER_WEBSITE,
        alice,
        website=live,
        payload={"reason": {"text": "Site closed"}},
    )
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    live.refresh_from_db()
    live.entity.refresh_from_db()
    assert live.filing_state == Website.FilingState.DEREGISTERED
    assert not live.domains.filter(is_active=True).exists()
    assert live.entity.state == Entity.State.SHELL
    assert RegistryRecord.objects.get(website_filing_number=live.filing_number).status == (
        RegistryRecord.Status.DEREGISTERED
    )


def test_a_typed_in_head_who_is_on_file_is_not_duplicated(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    # GIVEN a new website whose head is typed in, but is already alice's person
    known = PersonFactory(tenant=alice_tenant)
    head = person_payload(718, id_number=known.id_number, mobile="+8613912345678")
    payload = {
        "website": website_payload(718),
        "website_head": head,
        "domains": [domain_payload("known718.example.cn")],
    }
    application = create(alice_tenant, Kind.NEW_WEBSITE, alice, entity=live.entity, payload=payload)
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    # THEN the person on file heads the site, with the new mobile (not yet self-verified)
    known.refresh_from_db()
    assert application.website.head == known
    assert known.mobile == "+8613912345678" and known.mobile_verified_at is None


def test_a_transfer_of_an_entity_not_on_file_brings_the_entity_along(
    alice, alice_tenant, rachel, django_capture_on_commit_callbacks
):
    # GIVEN a filing held elsewhere by an entity alice has not filed with us
    entity = entity_payload(719, province="330000")
    record = RegistryRecordFactory(
        entity_filing_number="浙ICP备2024000719号",
        website_filing_number="浙ICP备2024000719号-1",
        entity_id_hash=keyed_hash(entity["id_number"]),
        province_id="330000",
        access_providers=["other-cloud"],
    )
    RegistryDomainFactory(record=record, name="zj719.example.cn")
    application = create(
        alice_tenant,
        Kind.TRANSFER,
        alice,
        payload={
            "transfer": {"filing_number": record.website_filing_number},
            "website": website_payload(719, name=""),
            "website_head": person_payload(719),
        },
    )

    # THEN it cannot be submitted without the entity's details, nor with another's ID
    assert "entity" in do_submit(application, actor=alice).field_errors
    do_save_draft(application, "entity", entity_payload(720, province="330000"), actor=alice)
    do_save_draft(application, "entity_head", person_payload(719), actor=alice)
    assert "entity.id_number" in do_submit(application, actor=alice).field_errors

    # WHEN the right entity is given and the transfer goes through
    do_save_draft(application, "entity", entity, actor=alice)
    drive(application, alice, rachel, django_capture_on_commit_callbacks)
    decide(application, django_capture_on_commit_callbacks)

    # THEN the entity is on file with the bureau's number, the website accessed here
    website = application.website
    assert website.access_state == Website.AccessState.ACCESSED
    assert website.entity.filing_number == "浙ICP备2024000719号"
    assert website.entity.id_number == entity["id_number"]
    assert website.head == website.entity.head


def test_a_shell_gets_its_website_accessed_again_by_a_transfer(
    alice, alice_tenant, rachel, live, django_capture_on_commit_callbacks
):
    # GIVEN the website's access was cancelled, leaving the entity a shell
    cancel = create(
        alice_tenant, Kind.CANCEL_ACCESS, alice, website=live, payload={"reason": {"text": "Pause"}}
    )
    drive(cancel, alice, rachel, django_capture_on_commit_callbacks)
    decide(cancel, django_capture_on_commit_callbacks)
    locmem.clear()

    # WHEN the entity applies for new access to the same filing, and it is approved
    transfer = create(
        alice_tenant,
        Kind.TRANSFER,
        alice,
        payload={
            "transfer": {"filing_number": live.filing_number},
            "website": website_payload(721, name=""),
            "website_head": {"person_id": live.head_id},
        },
    )
    drive(transfer, alice, rachel, django_capture_on_commit_callbacks)
    decide(transfer, django_capture_on_commit_callbacks)

    # THEN the same website row is accessed again and the entity is no longer a shell
    assert transfer.status == Status.APPROVED and transfer.website == live
    live.refresh_from_db()
    live.entity.refresh_from_db()
    assert live.access_state == Website.AccessState.ACCESSED
    assert live.entity.state == Entity.State.ACTIVE
    record = RegistryRecord.objects.get(website_filing_number=live.filing_number)
    assert (record.access_providers, record.status) == (
        ["demo-cloud"],
        RegistryRecord.Status.ACTIVE,
    )
