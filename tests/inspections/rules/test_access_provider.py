"""Rule 8, access provider: the bureau lists this provider as the website's access provider."""

from __future__ import annotations

import datetime

import pytest

from filings.choices import ApplicationKind
from inspections.rules import Severity, Status, get_rule
from inspections.snapshot import (
    RegistrySnapshot,
    Snapshot,
    WebsiteSnapshot,
    load_snapshots,
    snapshot_from_application,
)
from inspections.snapshot.parts import APPLICATION
from tests.factories import (
    ApplicationFactory,
    EntityFactory,
    RegistryRecordFactory,
    WebsiteFactory,
)

AS_OF = datetime.date(2026, 6, 1)
NUMBER = "京ICP备2026000123号-1"


@pytest.fixture(autouse=True)
def _we_are_demo_cloud(settings):
    settings.PROVIDER_CODE = "demo-cloud"


@pytest.fixture
def rule():
    return get_rule("access_provider")


def record(status="active", providers=("demo-cloud",)):
    return RegistrySnapshot(
        entity_filing_number="京ICP备2026000123号",
        website_filing_number=NUMBER,
        entity_name="北京阿尔法科技有限公司",
        access_providers=tuple(providers),
        status=status,
        domains=("alpha.example.com",),
    )


def snapshot(registry, *, access_state="accessed", **kwargs):
    website = WebsiteSnapshot(id=1, filing_number=NUMBER, access_state=access_state)
    return Snapshot(as_of=AS_OF, website=website, registry=registry, **kwargs)


def draft(kind, registry=None, number=NUMBER):
    website = WebsiteSnapshot(filing_number=number)
    return Snapshot(
        as_of=AS_OF, website=website, registry=registry, application_kind=kind, source=APPLICATION
    )


# ---- live websites ---------------------------------------------------------------------


def test_a_filing_accessed_through_us_passes(rule):
    # GIVEN the bureau lists us among the providers
    outcome = rule.check(snapshot(record(providers=("other-cloud", "demo-cloud"))))
    # THEN it passes, with the bureau's record as evidence
    assert outcome.status == Status.PASS
    assert outcome.evidence["registry"]["access_providers"] == ["other-cloud", "demo-cloud"]
    assert outcome.evidence["provider_code"] == "demo-cloud"


def test_a_filing_accessed_only_through_others_fails_blocking(rule):
    # GIVEN the bureau lists only another provider
    outcome = rule.check(snapshot(record(providers=("other-cloud",))))
    # THEN blocking, telling the customer to transfer here
    assert outcome.is_blocking
    assert outcome.message == (
        f"The filing {NUMBER} is accessed only through other-cloud according to the bureau: "
        "apply for transfer (新增接入) to this provider."
    )
    assert outcome.fields == ("website.filing_number",)


def test_the_provider_code_is_a_setting(rule, settings):
    # GIVEN this installation is other-cloud
    settings.PROVIDER_CODE = "other-cloud"
    # THEN a filing accessed through other-cloud passes
    assert rule.check(snapshot(record(providers=("other-cloud",)))).status == Status.PASS


def test_a_deregistered_filing_fails_blocking(rule):
    outcome = rule.check(snapshot(record(status="deregistered")))
    assert outcome.is_blocking
    assert "The bureau has deregistered the filing" in outcome.message


def test_a_shell_fails_blocking(rule):
    outcome = rule.check(snapshot(record(status="shell", providers=())))
    assert outcome.is_blocking
    assert "empty shell" in outcome.message


def test_no_record_at_the_bureau_goes_to_staff(rule):
    # GIVEN the bureau's copy knows no filing with the website's number
    outcome = rule.check(snapshot(None))
    # THEN cannot tell: staff check it with the bureau
    assert outcome.status == Status.CANNOT_TELL
    assert NUMBER in outcome.message
    assert outcome.fields == ("website.filing_number",)


def test_a_pending_transfer_here_only_warns(rule):
    # GIVEN a transfer to us under the bureau's review (the bureau still lists the old one)
    outcome = rule.check(
        snapshot(record(providers=("other-cloud",)), access_state="transfer_pending")
    )
    # THEN a warning: the fix is already under way
    assert outcome.status == Status.FAIL and outcome.severity == Severity.WARNING


# ---- applications ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [ApplicationKind.FIRST_FILING, ApplicationKind.NEW_WEBSITE])
def test_a_new_filing_is_not_applicable(rule, kind):
    assert rule.check(draft(kind, number="")).status == Status.NOT_APPLICABLE


def test_a_transfer_of_an_unknown_filing_fails_blocking(rule):
    outcome = rule.check(draft(ApplicationKind.TRANSFER))
    assert outcome.is_blocking
    assert outcome.message == (
        f"There is no filing with the number {NUMBER} at the bureau; check the number."
    )
    assert outcome.fields == ("transfer.filing_number",)


@pytest.mark.parametrize("status", ["active", "shell"])
def test_a_transfer_of_a_living_filing_elsewhere_passes(rule, status):
    outcome = rule.check(
        draft(ApplicationKind.TRANSFER, record(status, providers=("other-cloud",)))
    )
    assert outcome.status == Status.PASS


def test_a_transfer_of_a_deregistered_filing_fails_blocking(rule):
    outcome = rule.check(draft(ApplicationKind.TRANSFER, record("deregistered")))
    assert outcome.is_blocking


def test_a_change_of_a_website_filed_elsewhere_fails_like_a_live_one(rule):
    outcome = rule.check(draft(ApplicationKind.CHANGE_WEBSITE, record(providers=("other-cloud",))))
    assert outcome.is_blocking


# ---- through load_snapshots and snapshot_from_application on rows -------------------------


@pytest.mark.django_db
def test_live_websites_from_factory_rows(rule, alice_tenant):
    # GIVEN a website the bureau lists as ours, one it lists as another provider's, and
    # one the bureau does not know
    entity = EntityFactory(tenant=alice_tenant)
    ours, theirs, unknown = (WebsiteFactory(entity=entity) for _ in range(3))
    RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=ours.filing_number,
        access_providers=["demo-cloud"],
    )
    RegistryRecordFactory(
        entity_filing_number=entity.filing_number,
        website_filing_number=theirs.filing_number,
        access_providers=["other-cloud"],
    )

    # WHEN the rule runs on the loaded snapshots
    loaded = load_snapshots([ours.pk, theirs.pk, unknown.pk], as_of=AS_OF)
    outcomes = [rule.check(s) for s in loaded]

    # THEN pass, blocking (transfer), cannot tell
    assert [o.status for o in outcomes] == [Status.PASS, Status.FAIL, Status.CANNOT_TELL]
    assert outcomes[1].is_blocking and "新增接入" in outcomes[1].message


@pytest.mark.django_db
def test_transfer_applications_from_rows(rule, alice_tenant):
    # GIVEN a transfer of a filing the bureau holds elsewhere, and one of a made-up number
    held = RegistryRecordFactory(access_providers=["other-cloud"])
    good = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.TRANSFER,
        payload={"transfer": {"filing_number": held.website_filing_number}},
    )
    bad = ApplicationFactory(
        tenant=alice_tenant,
        kind=ApplicationKind.TRANSFER,
        payload={"transfer": {"filing_number": "沪ICP备2025999999号-1"}},
    )

    # WHEN the rule judges their snapshots
    good_outcome = rule.check(snapshot_from_application(good, as_of=AS_OF))
    bad_outcome = rule.check(snapshot_from_application(bad, as_of=AS_OF))

    # THEN the held filing can be transferred; the unknown one is blocking
    assert good_outcome.status == Status.PASS
    assert bad_outcome.is_blocking
    assert "沪ICP备2025999999号-1" in bad_outcome.message
