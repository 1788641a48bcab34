"""The simulated bureau: decisions by rules after a delay, filing numbers, the MIIT codes."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from filings.applications.numbers import issue_entity_number, issue_website_number
from filings.choices import ApplicationKind
from filings.models import BureauSubmission, Entity, MiitVerification, Person, RegistryRecord
from filings.registry import RegistryError, SubmissionState, UnknownSubmission
from filings.registry.simulator import SimulatorRegistry, rejection_reasons
from filings.tasks.applications import poll_bureau
from icpportal.crypto import keyed_hash
from notifications.sms import locmem
from tests.factories import (
    ApplicationFactory,
    EntityFactory,
    FilingNumberCounterFactory,
    RegistryRecordFactory,
    WebsiteFactory,
    credit_code,
    first_filing_payload,
    mobile,
)

pytestmark = pytest.mark.django_db
Kind = ApplicationKind
YEAR = timezone.localdate().year


@pytest.fixture
def registry():
    return SimulatorRegistry()


def under_bureau_review(tenant, kind=Kind.FIRST_FILING, **kwargs):
    return ApplicationFactory(tenant=tenant, kind=kind, status="bureau_review", **kwargs)


# ---- when the bureau decides -------------------------------------------------------------


def test_a_submission_is_decided_only_after_the_delay(registry, alice_tenant, settings):
    # GIVEN a one-minute bureau and a clean first filing submitted now
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 60
    start = timezone.now()
    application = under_bureau_review(alice_tenant, payload=first_filing_payload(731))
    with time_machine.travel(start, tick=False):
        reference = registry.submit(application)

    # WHEN it is asked 59 seconds later, it is still pending, and the poll changes nothing
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        assert registry.status(reference).state == SubmissionState.PENDING
        assert poll_bureau() == 0

    # WHEN asked after a minute, it is approved with numbers issued in Beijing's format
    with time_machine.travel(start + datetime.timedelta(seconds=60), tick=False):
        status = registry.status(reference)
    assert status.state == SubmissionState.APPROVED and status.is_final
    assert status.reasons == ()
    entity_number = f"京ICP备{YEAR}000001号"
    assert status.issued_numbers == {"entity": entity_number, "website": f"{entity_number}-1"}

    # AND asking again gives the same answer (the decision is made once)
    assert registry.status(reference) == status
    assert BureauSubmission.objects.get().decided_at == status.decided_at


def test_an_unknown_reference_is_refused(registry):
    with pytest.raises(UnknownSubmission):
        registry.status("SIM-424242")


def test_poll_bureau_records_the_decision(
    alice_tenant, settings, django_capture_on_commit_callbacks
):
    # GIVEN a submission whose entity name holds a blocked word, due now
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 0
    payload = first_filing_payload(732)
    payload["entity"]["name"] = "示例博彩有限公司"
    application = under_bureau_review(alice_tenant, payload=payload)
    application.registry_reference = SimulatorRegistry().submit(application)
    application.save()

    # WHEN the periodic job runs
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_bureau() == 1

    # THEN the application is rejected with the bureau's reason, and nothing is filed
    application.refresh_from_db()
    assert application.status == "rejected"
    assert application.decision_reasons == [
        "The name “示例博彩有限公司” contains “博彩”, which may not be filed."
    ]
    assert not Entity.objects.exists()


# ---- the rules -------------------------------------------------------------------------


def test_a_clean_first_filing_is_approved(alice_tenant):
    application = under_bureau_review(alice_tenant, payload=first_filing_payload(733))
    assert rejection_reasons(application) == []


def test_an_entity_filed_elsewhere_must_transfer_rather_than_file_again(alice_tenant):
    # GIVEN the bureau holds the entity's filing through another provider
    payload = first_filing_payload(734)
    RegistryRecordFactory(
        entity_filing_number="沪ICP备2025000734号",
        entity_id_hash=keyed_hash(credit_code(734)),
        access_providers=["other-cloud"],
    )

    # THEN a first filing of it is rejected, naming the filing and the way out
    [reason] = rejection_reasons(under_bureau_review(alice_tenant, payload=payload))
    assert "沪ICP备2025000734号" in reason and "transfer" in reason


def test_an_entity_filed_through_us_or_deregistered_is_not_filed_elsewhere(alice_tenant):
    RegistryRecordFactory(
        entity_id_hash=keyed_hash(credit_code(735)), access_providers=["demo-cloud"]
    )
    RegistryRecordFactory(
        entity_id_hash=keyed_hash(credit_code(735)),
        access_providers=["other-cloud"],
        status=RegistryRecord.Status.DEREGISTERED,
    )
    payload = first_filing_payload(735)
    assert rejection_reasons(under_bureau_review(alice_tenant, payload=payload)) == []


def test_a_shell_entity_filing_again_is_rejected(alice_tenant):
    # GIVEN an entity the bureau knows only as a shell
    RegistryRecordFactory(
        entity_id_hash=keyed_hash(credit_code(736)),
        access_providers=[],
        status=RegistryRecord.Status.SHELL,
    )
    payload = first_filing_payload(736)

    # THEN its first filing is rejected, and so is a new website of a live shell
    [reason] = rejection_reasons(under_bureau_review(alice_tenant, payload=payload))
    assert "shell" in reason and "deregistered" in reason
    shell = EntityFactory(tenant=alice_tenant, state=Entity.State.SHELL)
    new_website = under_bureau_review(alice_tenant, kind=Kind.NEW_WEBSITE, entity=shell)
    assert len(rejection_reasons(new_website)) == 1


@pytest.mark.parametrize("section", ["entity", "website"])
def test_a_blocked_word_in_a_name_is_rejected(alice_tenant, settings, section):
    settings.REGISTRY_SIMULATOR_BLOCKED_NAMES = ["Casino"]
    payload = first_filing_payload(737)
    payload[section]["name"] = "Lucky casino online"

    [reason] = rejection_reasons(under_bureau_review(alice_tenant, payload=payload))

    assert reason == "The name “Lucky casino online” contains “Casino”, which may not be filed."


# ---- filing numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,prefix",
    [("530000", "滇"), ("520000", "黔"), ("510000", "蜀"), ("620000", "陇"), ("110000", "京")],
)
def test_entity_numbers_carry_the_provinces_prefix(code, prefix):
    first = issue_entity_number(code, year=2026)
    second = issue_entity_number(code, year=2026)
    assert (first, second) == (f"{prefix}ICP备2026000001号", f"{prefix}ICP备2026000002号")
    assert issue_entity_number(code, year=2027) == f"{prefix}ICP备2027000001号"


def test_numbers_continue_after_those_already_known():
    # GIVEN numbers the portal did not issue: a live entity and a bureau record
    EntityFactory(filing_number="黔ICP备2026001073号")
    RegistryRecordFactory(entity_filing_number="黔ICP备2026000900号")
    EntityFactory(filing_number="黔ICP备20260001号")  # an old two-digit-year number

    # THEN the next serial follows the highest of this year
    assert issue_entity_number("520000", year=2026) == "黔ICP备2026001074号"


def test_a_number_taken_behind_the_counters_back_is_skipped():
    FilingNumberCounterFactory(scope="蜀2026", last_serial=5)
    EntityFactory(filing_number="蜀ICP备2026000006号")
    assert issue_entity_number("510000", year=2026) == "蜀ICP备2026000007号"


def test_website_numbers_follow_the_entitys_highest_ever():
    entity = EntityFactory(filing_number="陇ICP备2026000042号")
    WebsiteFactory(entity=entity, filing_number="陇ICP备2026000042号-1")
    WebsiteFactory(
        entity=entity, filing_number="陇ICP备2026000042号-3", filing_state="deregistered"
    )
    assert issue_website_number("陇ICP备2026000042号") == "陇ICP备2026000042号-4"
    assert issue_website_number("陇ICP备2026000042号") == "陇ICP备2026000042号-5"


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_get_the_same_number():
    # GIVEN two workers issuing numbers in the same province at the same moment
    barrier = threading.Barrier(2)
    issued: list[str] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait(timeout=10)
            for _ in range(10):
                issued.append(issue_entity_number("530000", year=2026))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # THEN twenty distinct numbers, 1 to 20
    assert errors == []
    assert sorted(issued) == [f"滇ICP备2026{n:06d}号" for n in range(1, 21)]


# ---- the MIIT SMS step -------------------------------------------------------------------


def test_each_head_gets_a_code_that_only_matches_its_own_role(
    registry, alice_tenant, django_capture_on_commit_callbacks
):
    # GIVEN a first filing and its two heads (not on file yet)
    application = ApplicationFactory(tenant=alice_tenant, status="sms_verification")
    heads = [Person(name="李一", mobile=mobile(741)), Person(name="李二", mobile=mobile(742))]

    # WHEN the bureau starts the step
    with django_capture_on_commit_callbacks(execute=True):
        registry.start_sms_verification(application, heads)

    # THEN each head received a six-digit code by SMS, stored only as an HMAC
    codes = {m.to: m.params["code"] for m in locmem.outbox}
    assert set(codes) == {mobile(741), mobile(742)}
    assert all(len(code) == 6 and code.isdigit() for code in codes.values())
    entity_code, website_code = codes[mobile(741)], codes[mobile(742)]
    assert not MiitVerification.objects.filter(code_hmac__in=codes.values()).exists()
    assert all(len(m.text) <= 70 and m.text.startswith("【") for m in locmem.outbox)

    # AND a code is right only for its own head
    assert registry.check_sms_code(application, "entity_head", entity_code) is True
    assert registry.check_sms_code(application, "website_head", entity_code) is False
    assert registry.check_sms_code(application, "website_head", website_code) is True
    assert registry.check_sms_code(application, "website_head", "") is False


def test_the_step_needs_one_head_per_required_role(registry, alice_tenant):
    application = ApplicationFactory(tenant=alice_tenant, status="sms_verification")
    with pytest.raises(RegistryError):
        registry.start_sms_verification(application, [Person(name="李一", mobile=mobile(743))])
