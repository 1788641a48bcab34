"""Look-ups of a chunk: DNS against a real dnsmasq (and a silent server), RDAP against
the local stub, provider networks from the database; then the rules that read them."""

from __future__ import annotations

import asyncio
import datetime
import threading

import pytest

from filings.choices import MaterialKind
from filings.models import ProviderNetwork
from inspections.lookups import dns_names, gather, rdap_domains, run_async
from inspections.rules import Rule, Status, get_rule, run_rules
from inspections.snapshot import (
    DomainSnapshot,
    MaterialSnapshot,
    Snapshot,
    WebsiteSnapshot,
    load_snapshots,
)
from inspections.snapshot.parts import APPLICATION
from tests.factories import DomainFactory, ProviderNetworkFactory, WebsiteFactory

pytest_plugins = ["tests.dns_server", "tests.rdap_stub"]
pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)


class NeedsDns(Rule):
    code = "needs_dns"
    version = 1
    title = "Needs DNS"
    lookups = frozenset({"dns"})

    def check(self, snapshot):
        return self.passed()


class NeedsRegistrant(Rule):
    code = "needs_registrant"
    version = 1
    title = "Needs registrant"
    lookups = frozenset({"rdap"})

    def check(self, snapshot):
        return self.passed()


class NeedsNothing(Rule):
    code = "needs_nothing"
    version = 1
    title = "Needs nothing"

    def check(self, snapshot):
        return self.passed()


def site(*names: str, website_id: int = 1, **domain_fields) -> Snapshot:
    return Snapshot(
        as_of=AS_OF,
        website=WebsiteSnapshot(id=website_id, name=f"site {website_id}"),
        domains=tuple(DomainSnapshot(name=n, **domain_fields) for n in names),
    )


@pytest.fixture
def networks(db):
    ProviderNetworkFactory(cidr="192.0.2.0/24", kind="servers")
    ProviderNetworkFactory(cidr="2001:db8::/32", kind="cdn")
    ProviderNetworkFactory(cidr="198.18.0.0/15", kind="load_balancers", is_active=False)


@pytest.fixture
def dnsmasq(dns_server, settings):
    """dnsmasq with: our site (v4+v6, www by CNAME to our edge), a v6-only site, a
    site on a foreign address, a www CNAME to another provider's CDN; nx.example unknown."""
    dns_server.start(
        host_records=[
            "ours.example,192.0.2.10,2001:db8::10,300",
            "edge.ours.example,192.0.2.20,300",
            "v6.example,2001:db8::66,300",
            "www.v6.example,2001:db8::67,300",
            "foreign.example,203.0.113.7,300",
            "www.foreign.example,203.0.113.7,300",
            "cdn.example,192.0.2.30,300",
            "edge.othercdn.example,203.0.113.99,300",
        ],
        cnames=[
            "www.ours.example,edge.ours.example",
            "www.cdn.example,edge.othercdn.example",
        ],
    )
    settings.DNS_BACKEND = "resolvers"
    settings.DNS_RESOLVERS = [dns_server.address]
    settings.DNS_TIMEOUT_SECONDS = 1
    settings.DNS_ATTEMPTS = 1
    settings.RDAP_BASE_URL = ""
    return dns_server


def test_dns_names_are_each_domain_and_its_www_name():
    snapshot = site("Example.com.", "www.other.example")
    assert dns_names(snapshot) == ["example.com", "www.example.com", "www.other.example"]


def test_gather_resolves_a_chunk_against_dnsmasq_and_the_dns_rule_judges_it(
    dnsmasq, networks, django_assert_num_queries
):
    # GIVEN a chunk of five websites, two of which share a name
    chunk = [
        site("ours.example", website_id=1),
        site("v6.example", website_id=2),
        site("foreign.example", website_id=3),
        site("cdn.example", website_id=4),
        site("nx.example", "ours.example", website_id=5),
    ]

    # WHEN the look-ups are gathered (one query: the provider networks)
    with django_assert_num_queries(1):
        filled = gather(chunk, [NeedsDns()])

    # THEN each snapshot has its own names' answers and the active networks, sorted
    ours = filled[0].lookups
    assert set(ours["dns"]) == {"ours.example", "www.ours.example"}
    assert ours["provider_networks"] == [
        {"cidr": "192.0.2.0/24", "kind": "servers"},
        {"cidr": "2001:db8::/32", "kind": "cdn"},
    ]
    answer = ours["dns"]["ours.example"]
    assert answer["status"] == "ok"
    assert {a["ip"] for a in answer["addresses"]} == {"192.0.2.10", "2001:db8::10"}
    assert {a["ttl"] for a in answer["addresses"]} == {300}
    assert ours["dns"]["www.ours.example"]["cname_chain"] == ["edge.ours.example"]
    assert [a["ip"] for a in filled[1].lookups["dns"]["v6.example"]["addresses"]] == [
        "2001:db8::66"
    ]
    assert filled[4].lookups["dns"]["nx.example"]["status"] == "nxdomain"
    assert set(filled[4].lookups["dns"]) == {
        "nx.example",
        "www.nx.example",
        "ours.example",
        "www.ours.example",
    }

    # and the DNS rule judges from them: ours and IPv6 pass, a foreign address fails
    # blocking, a CNAME to another provider's CDN and NXDOMAIN go to staff
    rule = get_rule("dns_ip_ownership")
    outcomes = [run_rules(snapshot, [rule])[rule.code] for snapshot in filled]
    assert [o.status for o in outcomes] == [
        Status.PASS,
        Status.PASS,
        Status.FAIL,
        Status.CANNOT_TELL,
        Status.CANNOT_TELL,
    ]
    assert outcomes[2].is_blocking
    assert "203.0.113.7" in outcomes[2].message


def test_a_silent_resolver_is_a_timeout_and_the_rule_says_error(
    silent_dns_server, networks, settings
):
    # GIVEN a resolver that never answers
    settings.DNS_BACKEND = "resolvers"
    settings.DNS_RESOLVERS = [silent_dns_server.address]
    settings.DNS_TIMEOUT_SECONDS = 1
    settings.DNS_ATTEMPTS = 1

    # WHEN a chunk is looked up
    [filled] = gather([site("slow.example")], [NeedsDns()])

    # THEN the answers are timeouts (the query was sent), and the rule answers error
    assert filled.lookups["dns"]["slow.example"]["status"] == "timeout"
    assert ("slow.example", "A") in silent_dns_server.received
    rule = get_rule("dns_ip_ownership")
    assert run_rules(filled, [rule])[rule.code].status == Status.ERROR


def test_a_broken_dns_backend_does_not_raise_out_of_the_chunk(networks, settings, tmp_path):
    # GIVEN a zone file that does not exist
    settings.DNS_BACKEND = "zonefile"
    settings.DNS_ZONEFILE = str(tmp_path / "missing.zone")

    # WHEN a chunk is looked up
    [filled] = gather([site("a.example")], [NeedsDns()])

    # THEN every name carries the failure, which the rule turns into an error
    answer = filled.lookups["dns"]["a.example"]
    assert answer["status"] == "servfail" and "lookup failed" in answer["reason"]


def test_lookups_run_in_a_fresh_thread_when_an_event_loop_is_running():
    # GIVEN code that already runs an event loop (asyncio.run cannot nest)
    async def which_thread():
        await asyncio.sleep(0)
        return threading.get_ident()

    # WHEN it runs the chunk's look-ups
    other = asyncio.run(_in_loop(lambda: run_async(which_thread)))

    # THEN they ran to the end in another thread; without a loop, in this one
    assert other != threading.get_ident()
    assert run_async(which_thread) == threading.get_ident()


async def _in_loop(call):
    asyncio.get_running_loop()  # a loop is running here
    return call()


def test_no_lookup_unless_a_rule_declares_it(django_assert_num_queries, settings):
    settings.RDAP_BASE_URL = "http://127.0.0.1:9/"
    snapshot = site("a.example")
    with django_assert_num_queries(0):
        assert gather([snapshot], [NeedsNothing()]) == [snapshot]


def test_rdap_is_asked_only_for_domains_without_registrar_or_certificate(
    rdap_stub, settings, django_assert_num_queries
):
    # GIVEN RDAP configured, and domains with and without an earlier registrant source
    settings.RDAP_BASE_URL = rdap_stub.base_url
    settings.RDAP_MIN_INTERVAL_MS = 0
    settings.RDAP_CACHE_SECONDS = 0
    rdap_stub.serve("open.example", org="北京贝塔科技有限公司")
    rdap_stub.serve_redacted("hidden.example")
    rdap_stub.domains["down.example"] = 503
    certificate = MaterialSnapshot(
        id=7, kind=MaterialKind.DOMAIN_CERTIFICATE, owner="website", holder_name="贝塔",
        document_number="certified.example",
    )  # fmt: skip
    chunk = [
        site("open.example", "hidden.example", "down.example", "unknown.example", website_id=1),
        site("registered.example", registrant_name="北京贝塔科技有限公司", website_id=2),
        Snapshot(
            as_of=AS_OF,
            website=WebsiteSnapshot(id=3),
            domains=(DomainSnapshot(name="certified.example"),),
            materials=(certificate,),
        ),
        site("beta.cn", website_id=4),
    ]
    assert rdap_domains(chunk[1]) == [] and rdap_domains(chunk[2]) == []

    # WHEN the chunk is looked up for a rule that reads registrants (no DNS: no query)
    with django_assert_num_queries(0):
        filled = gather(chunk, [NeedsRegistrant()])

    # THEN RDAP answered per domain, and nobody was asked about the others
    rdap = filled[0].lookups["rdap"]
    assert rdap["open.example"]["status"] == "ok"
    assert rdap["open.example"]["info"]["name"] == "北京贝塔科技有限公司"
    assert rdap["open.example"]["info"]["source"] == "rdap"
    assert rdap["hidden.example"]["info"]["redacted"] is True
    assert rdap["down.example"]["status"] == "unavailable"
    assert "503" in rdap["down.example"]["error"]
    assert rdap["unknown.example"] == {"status": "not_found", "info": None, "error": ""}
    assert filled[1].lookups["rdap"] == {} and filled[2].lookups["rdap"] == {}
    assert filled[3].lookups["rdap"]["beta.cn"]["status"] == "not_found"  # .cn: no RDAP
    assert rdap_stub.requests_for("registered.example") == 0
    assert rdap_stub.requests_for("certified.example") == 0
    assert rdap_stub.requests_for("beta.cn") == 0
    assert "dns" not in filled[0].lookups


def test_rdap_stops_when_the_chunk_budget_is_spent(rdap_stub, settings):
    settings.RDAP_BASE_URL = rdap_stub.base_url
    settings.RDAP_CACHE_SECONDS = 0
    rdap_stub.serve("open.example", org="x")
    [filled] = gather([site("open.example")], [NeedsRegistrant()], budget=0)
    entry = filled.lookups["rdap"]["open.example"]
    assert entry["status"] == "unavailable" and "budget" in entry["error"]
    assert rdap_stub.requests_for("open.example") == 0


def test_without_rdap_configured_there_is_no_rdap_lookup(settings):
    settings.RDAP_BASE_URL = ""
    snapshot = site("open.example")
    assert gather([snapshot], [NeedsRegistrant()]) == [snapshot]


def test_live_snapshots_through_the_real_rules(dnsmasq, networks, rdap_stub, settings):
    # GIVEN two filed websites from the database: one served from our network, one
    # whose domain has no registrar data and a redacted RDAP record
    settings.RDAP_BASE_URL = rdap_stub.base_url
    settings.RDAP_CACHE_SECONDS = 0
    settings.RDAP_MIN_INTERVAL_MS = 0
    ours = WebsiteFactory()
    DomainFactory(website=ours, name="ours.example")
    hidden = WebsiteFactory()
    DomainFactory(website=hidden, name="foreign.example", registrant_name="")
    rdap_stub.serve_redacted("foreign.example")
    rules = [get_rule("dns_ip_ownership"), get_rule("domain_owner")]

    # WHEN their snapshots are loaded and looked up like a chunk
    filled = gather(load_snapshots([ours.pk, hidden.pk]), rules)
    outcomes = [run_rules(snapshot, rules) for snapshot in filled]

    # THEN the DNS rule passes ours and fails the foreign one; the owner rule passes the
    # registrar's data and cannot tell behind the redacted record
    assert outcomes[0]["dns_ip_ownership"].status == Status.PASS
    assert outcomes[1]["dns_ip_ownership"].status == Status.FAIL
    assert outcomes[0]["domain_owner"].status == Status.PASS
    assert outcomes[1]["domain_owner"].status == Status.CANNOT_TELL
    assert filled[0].lookups["rdap"] == {}


def test_a_draft_without_lookups_is_not_applicable_for_the_dns_rule():
    draft = Snapshot(as_of=AS_OF, domains=(DomainSnapshot(name="a.example"),), source=APPLICATION)
    rule = get_rule("dns_ip_ownership")
    assert run_rules(draft, [rule])[rule.code].status == Status.NOT_APPLICABLE


def test_inactive_networks_are_left_out(networks, settings, tmp_path):
    zone = tmp_path / "empty.zone"
    zone.write_text("$ORIGIN .\n$TTL 60\n")
    settings.DNS_BACKEND = "zonefile"
    settings.DNS_ZONEFILE = str(zone)
    [filled] = gather([site("a.example")], [NeedsDns()])
    assert "198.18.0.0/15" not in {n["cidr"] for n in filled.lookups["provider_networks"]}
    assert ProviderNetwork.objects.filter(is_active=False).exists()
