"""The bureau simulator: look-ups by filing number and by domain, access, submissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from filings.models import RegistryRecord
from filings.registry import (
    SubmissionState,
    UnknownSubmission,
    covering_names,
    get_registry,
)
from filings.registry.simulator import SimulatorRegistry
from tests.factories import ApplicationFactory, RegistryDomainFactory, RegistryRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    return SimulatorRegistry()


@pytest.fixture
def shop_filing():
    """A filing held at another provider, for shop.example.com and shop.example.net."""
    record = RegistryRecordFactory(
        entity_filing_number="沪ICP备2025000101号",
        website_filing_number="沪ICP备2025000101号-1",
        access_providers=["other-cloud"],
    )
    RegistryDomainFactory(record=record, name="shop.example.com")
    RegistryDomainFactory(record=record, name="shop.example.net")
    return record


def test_lookup_by_website_filing_number(registry, shop_filing):
    # GIVEN the bureau holds 沪ICP备2025000101号-1
    # WHEN it is looked up
    record = registry.lookup_filing(" 沪ICP备2025000101号-1 ")

    # THEN that filing, with its domains
    assert record == shop_filing
    assert sorted(d.name for d in record.domains.all()) == ["shop.example.com", "shop.example.net"]


def test_lookup_by_entity_filing_number_prefers_the_entity_record(registry, shop_filing):
    # GIVEN an entity-level record beside its website record
    entity_record = RegistryRecordFactory(
        entity_filing_number=shop_filing.entity_filing_number, website_filing_number=""
    )

    # WHEN the entity number is looked up
    # THEN the entity's own record
    assert registry.lookup_filing("沪ICP备2025000101号") == entity_record


def test_an_unknown_filing_number_is_none(registry, shop_filing):
    assert registry.lookup_filing("京ICP备2026999999号-1") is None
    assert registry.lookup_filing("") is None


def test_lookup_by_domain_and_by_its_subdomains(registry, shop_filing):
    # GIVEN shop.example.com is on a filing
    # WHEN the domain, a subdomain and a deeper one are looked up
    # THEN each finds the filing (a filing covers its subdomains)
    assert registry.lookup_domain("shop.example.com") == shop_filing
    assert registry.lookup_domain("WWW.Shop.Example.COM.") == shop_filing
    assert registry.lookup_domain("img.cdn.shop.example.com") == shop_filing

    # AND a look-alike or the parent is not covered
    assert registry.lookup_domain("notshop.example.com") is None
    assert registry.lookup_domain("example.com") is None
    assert registry.lookup_domain("") is None


def test_the_most_specific_active_filing_wins(registry, shop_filing):
    # GIVEN a separate filing for blog.shop.example.com, and an old deregistered one
    blog = RegistryRecordFactory(access_providers=["demo-cloud"])
    RegistryDomainFactory(record=blog, name="blog.shop.example.com")
    old = RegistryRecordFactory(status=RegistryRecord.Status.DEREGISTERED)
    RegistryDomainFactory(record=old, name="www.shop.example.com")

    # WHEN hosts under each are looked up
    # THEN the more specific filing covers its own hosts, and a deregistered filing
    # gives way to an active one covering the same host
    assert registry.lookup_domain("www.blog.shop.example.com") == blog
    assert registry.lookup_domain("www.shop.example.com") == shop_filing
    assert registry.lookup_domain("shop.example.com") == shop_filing


def test_an_internationalised_domain_is_looked_up_in_idna_form(registry):
    # GIVEN a filing for 例子.中国 (stored in IDNA form)
    record = RegistryRecordFactory()
    RegistryDomainFactory(record=record, name="xn--fsqu00a.xn--fiqs8s")

    # WHEN looked up by its unicode form, through a subdomain
    # THEN the filing is found
    assert registry.lookup_domain("www.例子.中国") == record


def test_is_accessed_by_the_providers_the_bureau_lists(registry, shop_filing, settings):
    # GIVEN a filing accessed through other-cloud
    settings.PROVIDER_CODE = "demo-cloud"

    # THEN it is accessed by other-cloud, not by this provider
    assert registry.is_accessed_by(shop_filing, "other-cloud") is True
    assert registry.is_accessed_by(shop_filing) is False

    # AND once accessed here too, this provider counts
    shop_filing.access_providers = ["other-cloud", "demo-cloud"]
    assert registry.is_accessed_by(shop_filing) is True

    # AND a deregistered filing is accessed by nobody
    shop_filing.status = RegistryRecord.Status.DEREGISTERED
    assert registry.is_accessed_by(shop_filing, "demo-cloud") is False


def test_submission_reference_is_deterministic_and_pending(registry):
    # GIVEN a saved application
    application = ApplicationFactory()

    # WHEN it is submitted twice
    reference = registry.submit(application)

    # THEN the same reference each time, and the bureau is still deciding
    assert reference == f"SIM-{application.pk}" == registry.submit(application)
    status = registry.status(reference)
    assert status.state == SubmissionState.PENDING
    assert status.is_final is False
    assert status.issued_numbers == {}


def test_an_unknown_reference_is_refused(registry):
    with pytest.raises(UnknownSubmission):
        registry.status("SIM-999999")
    with pytest.raises(UnknownSubmission):
        registry.status("not-a-reference")


def test_get_registry_imports_the_configured_adapter(settings):
    # GIVEN the default setting
    settings.REGISTRY_BACKEND = "filings.registry.simulator.SimulatorRegistry"

    # THEN the simulator, one per process
    assert isinstance(get_registry(), SimulatorRegistry)
    assert get_registry() is get_registry()

    # AND a path that is not an adapter stops with a clear message
    settings.REGISTRY_BACKEND = "filings.registry.nowhere.Registry"
    with pytest.raises(ImproperlyConfigured, match="cannot be imported"):
        get_registry()
    settings.REGISTRY_BACKEND = "filings.models.RegistryRecord"
    with pytest.raises(ImproperlyConfigured, match="not a RegistryAdapter"):
        get_registry()


def test_covering_names_go_from_the_host_to_its_registrable_parents():
    assert covering_names("a.b.Example.com.") == ["a.b.example.com", "b.example.com", "example.com"]
    assert covering_names("example.com") == ["example.com"]
    assert covering_names("localhost") == ["localhost"]
