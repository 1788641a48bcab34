"""Registrant sources: registrar data, the domain certificate, and RDAP over a local stub."""

from __future__ import annotations

import itertools
import json
import time
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from icpportal.crypto import keyed_hash
from inspections.registrants import (
    ChainedRegistrantSource,
    DomainCertificateSource,
    LookupUnavailable,
    RdapSource,
    RegistrarRecordSource,
    get_registrant_source,
    registrar_record,
)
from tests.factories import DomainFactory

pytest_plugins = ["tests.rdap_stub"]

ALPHA = "北京阿尔法科技有限公司"
REGISTRAR_RECORD = {
    "registrar": "Demo Registrar",
    "registrant_name": ALPHA,
    "registrant_id_type": "uscc",
    "registrant_id_hash": "f" * 64,
    "real_name_status": "verified",
}
EMPTY_RECORD = {
    "registrar": "Demo Registrar",
    "registrant_name": "",
    "registrant_id_type": "",
    "registrant_id_hash": "",
    "real_name_status": "unknown",
}


@pytest.fixture
def private_cache():
    """A cache of this test's own, so no earlier run answers from memory."""
    return LocMemCache(f"rdap-{uuid.uuid4()}", {})


@pytest.fixture
def rdap(rdap_stub, private_cache):
    return RdapSource(rdap_stub.base_url, timeout=1, min_interval=0, cache=private_cache)


@pytest.fixture
def chain(rdap):
    return ChainedRegistrantSource([RegistrarRecordSource(), DomainCertificateSource(), rdap])


def test_the_registrar_record_wins(chain, rdap_stub):
    # GIVEN registrar data, a certificate holder and an RDAP answer for the domain
    rdap_stub.serve("alpha.com", org="Someone Else Ltd")

    # WHEN the chain is asked
    info = chain.lookup("alpha.com", record=REGISTRAR_RECORD, certificate_holder="Other Holder")

    # THEN the registrar's answer, with its ID hash and real-name status; RDAP not asked
    assert info.source == "registrar"
    assert (info.name, info.id_hash, info.real_name_status) == (ALPHA, "f" * 64, "verified")
    assert info.evidence["sources"] == [{"source": "registrar", "answer": ALPHA, "redacted": False}]
    assert rdap_stub.requests == []


def test_the_certificate_holder_is_next_when_the_registrar_has_nothing(chain, rdap_stub):
    # GIVEN an empty registrar record and a domain certificate held by Alpha
    # WHEN the chain is asked
    info = chain.lookup("alpha.com", record=EMPTY_RECORD, certificate_holder=f"  {ALPHA} ")

    # THEN the holder's name, real-name status unknown, and what the registrar said
    assert info.source == "domain_certificate"
    assert info.name == ALPHA
    assert info.real_name_status == "unknown"
    assert info.id_hash is None
    assert [s["source"] for s in info.evidence["sources"]] == ["registrar", "domain_certificate"]
    assert info.evidence["sources"][0]["answer"] is None
    assert rdap_stub.requests == []


def test_rdap_is_last_and_reads_the_registrant_organisation(chain, rdap_stub):
    # GIVEN no registrar data, no certificate, and an RDAP record with a registrant
    rdap_stub.serve("alpha.com", fn="Zhang San", org=ALPHA)

    # WHEN the chain is asked
    info = chain.lookup("Alpha.com.", record=None, certificate_holder=None)

    # THEN RDAP's registrant organisation, not redacted, real-name status unknown
    assert info.source == "rdap"
    assert info.name == ALPHA
    assert info.redacted is False
    assert info.real_name_status == "unknown"
    assert info.evidence["registrant"] == {"fn": "Zhang San", "org": ALPHA}
    assert [s["source"] for s in info.evidence["sources"]] == [
        "registrar",
        "domain_certificate",
        "rdap",
    ]
    assert rdap_stub.requests_for("alpha.com") == 1
    json.dumps(info.to_evidence())


def test_an_individual_registrant_is_read_from_the_full_name(rdap, rdap_stub):
    rdap_stub.serve("zhang.net", fn="张三")

    info = rdap.lookup("zhang.net")

    assert (info.name, info.redacted) == ("张三", False)


def test_a_redacted_rdap_record_is_marked_redacted(rdap, rdap_stub):
    # GIVEN an ICANN-style answer: name removed (RFC 9537), organisation a placeholder
    rdap_stub.serve_redacted("hidden.com")

    # WHEN looked up
    info = rdap.lookup("hidden.com")

    # THEN an answer, flagged redacted, with no usable name, and why
    assert info is not None
    assert info.redacted is True
    assert info.name == ""
    assert info.evidence["redacted_fields"] == ["Registrant Name"]
    assert info.evidence["placeholder_fields"] == ["org"]


@pytest.mark.parametrize("placeholder", ["REDACTED FOR PRIVACY", "Redacted", "Data Protected"])
def test_placeholder_values_alone_mean_redacted(rdap, rdap_stub, placeholder):
    # GIVEN a registrant whose name is a placeholder, without an RFC 9537 member
    rdap_stub.serve("masked.com", fn=placeholder)

    # WHEN looked up
    info = rdap.lookup("masked.com")

    # THEN it is redacted
    assert info.redacted is True
    assert info.name == ""


def test_a_domain_rdap_does_not_know_is_none(chain, rdap_stub):
    # GIVEN the RDAP service answers 404 and no other source has data
    # WHEN the chain is asked
    info = chain.lookup("unknown.com", record=EMPTY_RECORD, certificate_holder="")

    # THEN nobody knows the registrant
    assert info is None
    assert rdap_stub.requests_for("unknown.com") == 1


def test_a_failing_rdap_service_is_unavailable_and_not_cached(chain, rdap_stub):
    # GIVEN the RDAP service answers 503
    rdap_stub.domains["flaky.com"] = 503

    # WHEN the chain is asked
    with pytest.raises(LookupUnavailable) as raised:
        chain.lookup("flaky.com", record=None, certificate_holder=None)

    # THEN the rule is told to retry, with what each source said
    assert raised.value.evidence["http_status"] == 503
    assert [s["answer"] for s in raised.value.evidence["sources"]] == [None, None, "unavailable"]

    # AND once the service recovers, the next lookup asks again
    rdap_stub.serve("flaky.com", org=ALPHA)
    assert chain.lookup("flaky.com").name == ALPHA
    assert rdap_stub.requests_for("flaky.com") == 2


def test_a_slow_rdap_service_is_unavailable(rdap_stub, private_cache):
    # GIVEN a service slower than the client's timeout
    rdap_stub.serve("slow.com", org=ALPHA)
    rdap_stub.delay = 0.5
    source = RdapSource(rdap_stub.base_url, timeout=0.2, min_interval=0, cache=private_cache)

    # WHEN looked up
    # THEN unavailable, not "no registrant"
    with pytest.raises(LookupUnavailable, match="unreachable"):
        source.lookup("slow.com")


@pytest.mark.parametrize("name", ["alpha.cn", "www.alpha.com.cn", "xn--fiqs8s", "例子.xn--fiqs8s"])
def test_cn_domains_are_not_asked(rdap, rdap_stub, name):
    # GIVEN a .cn (or .中国) domain: no public RDAP service
    rdap_stub.serve(name, org=ALPHA)

    # WHEN looked up
    # THEN no answer, and no request was sent
    assert rdap.lookup("alpha.cn" if name == "xn--fiqs8s" else name) is None
    assert rdap_stub.requests == []


def test_a_cached_answer_avoids_a_second_request(rdap_stub, private_cache):
    # GIVEN one answer and one 404 already looked up
    rdap_stub.serve("alpha.com", org=ALPHA)
    first = RdapSource(rdap_stub.base_url, min_interval=0, cache=private_cache)
    assert first.lookup("alpha.com").name == ALPHA
    assert first.lookup("unknown.com") is None

    # WHEN another source in the same process asks again (sharing the cache)
    again = RdapSource(rdap_stub.base_url, min_interval=0, cache=private_cache)
    info = again.lookup("alpha.com")

    # THEN the cached answers, without a second request
    assert info.name == ALPHA
    assert info.source == "rdap"
    assert again.lookup("unknown.com") is None
    assert rdap_stub.requests_for("alpha.com") == 1
    assert rdap_stub.requests_for("unknown.com") == 1


def test_the_project_cache_keeps_rdap_answers(rdap_stub):
    # GIVEN the configured Django cache (Redis in CI) and a name never asked before
    name = f"cache-{uuid.uuid4().hex[:12]}.com"
    rdap_stub.serve(name, org=ALPHA)
    assert RdapSource(rdap_stub.base_url, min_interval=0).lookup(name).name == ALPHA

    # WHEN a fresh source looks it up again
    info = RdapSource(rdap_stub.base_url, min_interval=0).lookup(name)

    # THEN the answer comes from the cache
    assert info.name == ALPHA
    assert rdap_stub.requests_for(name) == 1


def test_requests_are_spaced_by_the_minimum_interval(rdap_stub, private_cache):
    # GIVEN a source allowed one request per 0.2 s
    source = RdapSource(rdap_stub.base_url, min_interval=0.2, cache=private_cache)

    # WHEN three domains are looked up back to back
    started = time.monotonic()
    for name in ("a.com", "b.com", "c.com"):
        source.lookup(name)
    elapsed = time.monotonic() - started

    # THEN they took at least two intervals, and the service saw them spaced out
    # (arrival times jitter by a few milliseconds around the client's spacing)
    assert elapsed >= 0.4
    times = [at for at, _path in rdap_stub.requests]
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.15, gaps


@pytest.mark.django_db
def test_the_registrar_record_of_a_domain_row():
    # GIVEN a domain whose registrar data names its entity, real-name verified
    domain = DomainFactory()

    # WHEN the registrar source reads the row's record
    info = RegistrarRecordSource().lookup(domain.name, record=registrar_record(domain))

    # THEN the entity's name and the keyed hash of its ID, never the ID itself
    assert info.name == domain.website.entity.name
    assert info.id_hash == keyed_hash(domain.website.entity.id_number)
    assert info.real_name_status == "verified"
    assert domain.website.entity.id_number not in json.dumps(info.to_evidence())
    assert info.to_evidence()["has_id"] is True


def test_get_registrant_source_follows_the_settings(settings, rdap_stub):
    # GIVEN no RDAP service configured (the embedded default)
    settings.RDAP_BASE_URL = ""
    local = get_registrant_source()

    # THEN only the local sources, in DOMAIN.md order
    assert [s.source for s in local.sources] == ["registrar", "domain_certificate"]

    # AND with an RDAP service, it comes last, one instance per process
    settings.RDAP_BASE_URL = rdap_stub.base_url
    settings.RDAP_MIN_INTERVAL_MS = 250
    with_rdap = get_registrant_source()
    assert [s.source for s in with_rdap.sources] == ["registrar", "domain_certificate", "rdap"]
    assert with_rdap.sources[2].min_interval == 0.25
    assert get_registrant_source() is with_rdap
