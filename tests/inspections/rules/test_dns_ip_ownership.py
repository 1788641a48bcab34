"""Rule 4, DNS-resolved IP ownership: every address of every domain and www name is ours."""

from __future__ import annotations

import asyncio
import datetime

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from filings.demo import DELIBERATE_PROBLEMS
from filings.demo.builder import seed_demo
from filings.demo.zone import render_zone
from filings.models import ProviderNetwork, Website
from inspections.dns import Resolution, ResolverBackend, ZonefileBackend, resolve_many
from inspections.rules import Severity, Status, get_rule
from inspections.rules.dns_ip_ownership import NetworkIndex, provider_index
from inspections.snapshot import DomainSnapshot, Snapshot, load_snapshots
from inspections.snapshot.parts import APPLICATION
from tests.factories import DomainFactory, ProviderNetworkFactory, WebsiteFactory

pytest_plugins = ["tests.dns_server"]

AS_OF = datetime.date(2026, 6, 1)
NETWORKS = [
    {"cidr": "192.0.2.0/24", "kind": "servers"},
    {"cidr": "198.51.100.0/25", "kind": "load_balancers"},
    {"cidr": "198.51.100.128/25", "kind": "cdn"},
    {"cidr": "2001:db8:1::/48", "kind": "servers"},
]


@pytest.fixture
def rule():
    return get_rule("dns_ip_ownership")


def answer(name, status="ok", ips=(), chain=(), *, disagreement=False, by_resolver=None):
    """The lookup data the engine stores for one name: a real Resolution's evidence."""
    addresses = [(ip, 300) for ip in ips]
    resolvers = by_resolver or {
        "192.0.2.53": {
            "status": status,
            "addresses": [{"ip": ip, "ttl": 300} for ip in ips],
            "cname_chain": list(chain),
            "ttl": 300,
            "at": "2026-06-01T02:00:00.000+00:00",
            "queries": 2,
            "reason": "",
        }
    }
    return Resolution(
        name=name,
        status=status,
        addresses=addresses,
        cname_chain=list(chain),
        answers_by_resolver=resolvers,
        disagreement=disagreement,
    ).to_evidence()


def snapshot(*domains, dns=None, networks=NETWORKS, source="live"):
    lookups = {}
    if dns is not None:
        lookups = {"dns": {a["name"]: a for a in dns}, "provider_networks": networks}
    return Snapshot(
        as_of=AS_OF,
        domains=tuple(DomainSnapshot(name=d) for d in domains),
        lookups=lookups,
        source=source,
    )


def problems(outcome):
    return [(p["code"], p["kind"]) for p in outcome.evidence["problems"]]


# ---- passing -------------------------------------------------------------------------


def test_a_domain_and_its_www_on_our_servers_pass_with_the_matching_network(rule):
    # GIVEN alpha.example and its www on our servers, in IPv4 and IPv6
    dns = [
        answer("alpha.example", ips=["192.0.2.10", "2001:db8:1::a"]),
        answer("www.alpha.example", ips=["192.0.2.10"]),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("alpha.example", dns=dns))
    # THEN it passes and says which network each address lies in
    assert outcome.status == Status.PASS
    addresses = outcome.evidence["names"]["alpha.example"]["addresses"]
    assert addresses == [
        {
            "ip": "192.0.2.10",
            "ttl": 300,
            "verdict": "ours",
            "network": "192.0.2.0/24",
            "kind": "servers",
        },
        {
            "ip": "2001:db8:1::a",
            "ttl": 300,
            "verdict": "ours",
            "network": "2001:db8:1::/48",
            "kind": "servers",
        },
    ]


def test_a_cname_chain_that_ends_in_our_cdn_passes(rule):
    # GIVEN a two-hop CNAME chain into our own CDN
    chain = ["shop.cdn.democloud.example", "edge.cdn.democloud.example"]
    dns = [
        answer("shop.example", ips=["198.51.100.140"], chain=chain),
        answer("www.shop.example", ips=["198.51.100.140"], chain=chain),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("shop.example", dns=dns))
    # THEN it passes; the evidence keeps the chain and the CDN network
    assert outcome.status == Status.PASS
    name = outcome.evidence["names"]["shop.example"]
    assert name["cname_chain"] == chain
    assert name["addresses"][0]["kind"] == "cdn"


def test_a_missing_www_beside_a_served_domain_is_no_finding(rule):
    # GIVEN a domain on our servers whose www name does not exist
    dns = [answer("alpha.example", ips=["192.0.2.10"]), answer("www.alpha.example", "nxdomain")]
    # WHEN the rule runs
    outcome = rule.check(snapshot("alpha.example", dns=dns))
    # THEN nothing is served from elsewhere: it passes, and the evidence says why
    assert outcome.status == Status.PASS
    assert outcome.evidence["names"]["www.alpha.example"]["served_by_other_name"] is True


def test_a_www_domain_is_checked_without_another_www(rule):
    # GIVEN a filing whose domain is itself a www name
    dns = [answer("www.alpha.example", ips=["192.0.2.10"])]
    # WHEN the rule runs
    outcome = rule.check(snapshot("www.alpha.example", dns=dns))
    # THEN only that name is looked at
    assert outcome.status == Status.PASS
    assert list(outcome.evidence["names"]) == ["www.alpha.example"]


# ---- failing ---------------------------------------------------------------------------


def test_a_reserved_address_fails_blocking(rule):
    # GIVEN a staging domain pointing at a private address
    dns = [
        answer("alpha-staging.example", ips=["10.0.0.8"]),
        answer("www.alpha-staging.example", ips=["10.0.0.8"]),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("alpha-staging.example", dns=dns))
    # THEN it is a blocking failure naming the address, next to the domain field
    assert outcome.status == Status.FAIL and outcome.severity == Severity.BLOCKING
    assert "alpha-staging.example resolves to a reserved address 10.0.0.8." in outcome.message
    assert outcome.fields == ("domains.0.name",)
    assert problems(outcome) == [("reserved_address", "blocking")] * 2
    address = outcome.evidence["names"]["alpha-staging.example"]["addresses"][0]
    assert address["verdict"] == "reserved" and address["network"] == "10.0.0.0/8"


def test_an_address_outside_our_networks_fails_blocking(rule):
    # GIVEN a mirror served from another provider's address
    dns = [
        answer("alpha-mirror.example", ips=["203.0.113.7"]),
        answer("www.alpha-mirror.example", ips=["192.0.2.10"]),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("alpha-mirror.example", dns=dns))
    # THEN it fails blocking with the address in the message; what each resolver
    # said is kept for the failing name only
    assert outcome.is_blocking
    assert outcome.message == (
        "alpha-mirror.example resolves to 203.0.113.7, which is not an address of this provider."
    )
    names = outcome.evidence["names"]
    assert names["alpha-mirror.example"]["answers_by_resolver"]["192.0.2.53"]["at"]
    assert "answers_by_resolver" not in names["www.alpha-mirror.example"]


def test_an_ipv6_address_outside_our_networks_fails(rule):
    # GIVEN an AAAA record in the documentation block but outside our /48
    dns = [
        answer("v6.example", ips=["2001:db8:1::1", "2001:db8:2::1"]),
        answer("www.v6.example", ips=["2001:db8:1::1"]),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("v6.example", dns=dns))
    # THEN the foreign IPv6 address fails it
    assert outcome.is_blocking
    assert "2001:db8:2::1" in outcome.message
    assert "2001:db8:1::1," not in outcome.message


def test_a_cname_to_another_providers_cdn_cannot_be_told(rule):
    # GIVEN a CNAME into a CDN that is not ours
    chain = ["alpha-datahub.othercdn.example.net"]
    dns = [
        answer("alpha-datahub.example", ips=["203.0.113.80"], chain=chain),
        answer("www.alpha-datahub.example", ips=["203.0.113.80"], chain=chain),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("alpha-datahub.example", dns=dns))
    # THEN staff decide: cannot tell, naming the CDN
    assert outcome.status == Status.CANNOT_TELL
    assert (
        "alpha-datahub.example points to another provider's CDN "
        "(alpha-datahub.othercdn.example.net); staff will check it." in outcome.message
    )
    assert problems(outcome) == [("foreign_cname", "cannot_tell")] * 2


def test_disagreeing_resolvers_are_judged_on_the_union_of_their_addresses(rule):
    # GIVEN two resolvers: one sees our address, the other a foreign one
    at = "2026-06-01T02:00:00.000+00:00"
    by_resolver = {
        "192.0.2.53": {"status": "ok", "addresses": [{"ip": "192.0.2.10", "ttl": 60}], "at": at},
        "192.0.2.54": {"status": "ok", "addresses": [{"ip": "203.0.113.9", "ttl": 60}], "at": at},
    }
    dns = [
        answer(
            "split.example",
            ips=["192.0.2.10", "203.0.113.9"],
            disagreement=True,
            by_resolver=by_resolver,
        ),
        answer("www.split.example", ips=["192.0.2.10"]),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("split.example", dns=dns))
    # THEN the foreign address in the union fails it, and the disagreement is noted
    assert outcome.is_blocking
    assert "203.0.113.9" in outcome.message
    assert outcome.evidence["disagreements"] == ["split.example"]
    assert set(outcome.evidence["names"]["split.example"]["answers_by_resolver"]) == {
        "192.0.2.53",
        "192.0.2.54",
    }


@pytest.mark.parametrize(
    ("status", "code", "text"),
    [
        ("nxdomain", "nxdomain", "does not exist in DNS (NXDOMAIN)"),
        ("no_answer", "no_answer", "has no address in DNS"),
    ],
)
def test_a_domain_with_no_address_at_all_goes_to_staff(rule, status, code, text):
    # GIVEN a domain that neither it nor its www resolves
    dns = [answer("alpha-legacy.example", status), answer("www.alpha-legacy.example", status)]
    # WHEN the rule runs
    outcome = rule.check(snapshot("alpha-legacy.example", dns=dns))
    # THEN staff triage it: cannot tell, never a pass
    assert outcome.status == Status.CANNOT_TELL
    assert f"alpha-legacy.example {text}" in outcome.message
    assert problems(outcome) == [(code, "cannot_tell")] * 2


@pytest.mark.parametrize("status", ["servfail", "timeout"])
def test_a_failed_lookup_is_an_error_never_a_pass(rule, status):
    # GIVEN a www name that resolves to ours and a domain whose lookup failed
    dns = [answer("flaky.example", status), answer("www.flaky.example", ips=["192.0.2.10"])]
    # WHEN the rule runs
    outcome = rule.check(snapshot("flaky.example", dns=dns))
    # THEN it is an error (retried, no case)
    assert outcome.status == Status.ERROR
    assert f"The DNS lookup of flaky.example failed ({status})" in outcome.message


def test_the_worst_problem_of_several_domains_decides_and_every_one_is_listed(rule):
    # GIVEN one domain timing out, one behind a foreign CDN and one on a foreign address
    chain = ["x.othercdn.example.net"]
    dns = [
        answer("a.example", "timeout"),
        answer("www.a.example", ips=["192.0.2.1"]),
        answer("b.example", ips=["203.0.113.1"], chain=chain),
        answer("www.b.example", ips=["192.0.2.1"]),
        answer("c.example", ips=["192.0.2.1"]),
        answer("www.c.example", ips=["203.0.113.2"]),
    ]
    # WHEN the rule runs
    outcome = rule.check(snapshot("a.example", "b.example", "c.example", dns=dns))
    # THEN the blocking failure wins and every problem is in the evidence
    assert outcome.is_blocking
    assert outcome.message.startswith("www.c.example resolves to 203.0.113.2")
    assert problems(outcome) == [
        ("foreign_address", "blocking"),
        ("dns_failed", "error"),
        ("foreign_cname", "cannot_tell"),
    ]
    assert outcome.fields == ("domains.2.name", "domains.0.name", "domains.1.name")


def test_a_live_website_without_domains_fails_blocking(rule):
    # GIVEN a live website with no domain at all
    outcome = rule.check(snapshot(dns=[]))
    # THEN the filing is incomplete: blocking
    assert outcome.is_blocking
    assert outcome.fields == ("domains",)


# ---- missing look-ups -----------------------------------------------------------------


def test_a_draft_without_dns_answers_is_not_applicable(rule):
    # GIVEN an application's draft (nothing is served here yet)
    outcome = rule.check(snapshot("new.example", source=APPLICATION))
    # THEN the rule does not apply
    assert outcome.status == Status.NOT_APPLICABLE


def test_a_live_website_without_dns_answers_is_an_error(rule):
    # GIVEN a live snapshot the worker did not resolve
    outcome = rule.check(snapshot("alpha.example"))
    # THEN the lookup is missing: error, retried
    assert outcome.status == Status.ERROR
    assert "lookup missing" in outcome.message.lower()
    assert outcome.evidence == {"reason": "lookup missing", "lookup": "dns"}


def test_a_name_missing_from_the_answers_is_an_error(rule):
    # GIVEN answers for the domain but not for its www name
    outcome = rule.check(
        snapshot("alpha.example", dns=[answer("alpha.example", ips=["192.0.2.1"])])
    )
    # THEN that name is an error, not a pass
    assert outcome.status == Status.ERROR
    assert problems(outcome) == [("lookup_missing", "error")]


def test_no_provider_networks_is_an_error_not_a_wave_of_failures(rule):
    # GIVEN an empty provider-network table (a misconfiguration)
    dns = [answer("a.example", ips=["192.0.2.1"]), answer("www.a.example", ips=["192.0.2.1"])]
    outcome = rule.check(snapshot("a.example", dns=dns, networks=[]))
    # THEN nothing is blamed on the customer
    assert outcome.status == Status.ERROR


def test_reserved_networks_come_from_the_setting(rule, settings):
    # GIVEN a deployment that also reserves 203.0.113.0/24
    settings.RESERVED_NETWORKS = [*settings.RESERVED_NETWORKS, "203.0.113.0/24"]
    dns = [answer("a.example", ips=["203.0.113.5"]), answer("www.a.example", ips=["192.0.2.1"])]
    # WHEN the rule runs
    outcome = rule.check(snapshot("a.example", dns=dns))
    # THEN the address counts as reserved
    assert problems(outcome) == [("reserved_address", "blocking")]


# ---- the network index ----------------------------------------------------------------


def test_nested_networks_match_the_most_specific_one():
    # GIVEN a /16 of servers with a /24 of CDN inside it, and a separate /24
    index = NetworkIndex(
        [("10.1.0.0/16", "servers"), ("10.1.5.0/24", "cdn"), ("10.3.0.0/24", "servers")]
    )
    import ipaddress

    def kind(ip):
        block = index.match(ipaddress.ip_address(ip))
        return block and (block.cidr, block.kind)

    # THEN each address finds its most specific network, or none
    assert kind("10.1.5.7") == ("10.1.5.0/24", "cdn")
    assert kind("10.1.200.1") == ("10.1.0.0/16", "servers")
    assert kind("10.3.0.255") == ("10.3.0.0/24", "servers")
    assert kind("10.2.0.1") is None
    assert kind("2001:db8::1") is None


def test_the_provider_networks_are_parsed_once_per_distinct_list():
    # GIVEN the same list twice (as every website of a chunk has it)
    key = tuple((n["cidr"], n["kind"]) for n in NETWORKS)
    # THEN the parsed index is shared
    assert provider_index(key) is provider_index(tuple(key))


# ---- through load_snapshots and real resolvers -----------------------------------------

ZONE = """$ORIGIN .
$TTL 300
ours.example.          A      192.0.2.10
ours.example.          AAAA   2001:db8:1::a
www.ours.example.      A      192.0.2.10
mirror.example.        A      203.0.113.7
www.mirror.example.    A      203.0.113.7
cdn-site.example.      CNAME  cdn-site.othercdn.example.net.
www.cdn-site.example.  CNAME  cdn-site.othercdn.example.net.
cdn-site.othercdn.example.net. A 203.0.113.80
"""


def provider_networks():
    # What the engine puts in the lookups: the active rows, sorted by cidr.
    rows = ProviderNetwork.objects.filter(is_active=True).order_by("cidr")
    return [{"cidr": r.cidr, "kind": r.kind} for r in rows]


def with_dns(snapshots, backend):
    names = [n for s in snapshots for d in s.domains for n in (d.name, f"www.{d.name}")]
    answers = asyncio.run(resolve_many(backend, names))
    networks = provider_networks()
    return [
        s.with_lookups(
            {
                "dns": {
                    n: answers[n].to_evidence()
                    for d in s.domains
                    for n in (d.name, f"www.{d.name}")
                },
                "provider_networks": networks,
            }
        )
        for s in snapshots
    ]


@pytest.mark.django_db
def test_live_websites_from_the_database_through_a_zone_file(rule, tmp_path):
    # GIVEN our networks, and websites on our servers, on a foreign address, behind a
    # foreign CDN, and not in DNS at all
    ProviderNetworkFactory(cidr="192.0.2.0/24", kind=ProviderNetwork.Kind.SERVERS)
    ProviderNetworkFactory(cidr="2001:db8:1::/48", kind=ProviderNetwork.Kind.SERVERS)
    sites = {}
    for name in ("ours.example", "mirror.example", "cdn-site.example", "gone.example"):
        sites[name] = DomainFactory(name=name).website_id
    bare = WebsiteFactory()
    zone = tmp_path / "demo.zone"
    zone.write_text(ZONE)
    # WHEN the worker's snapshots get their DNS answers and the rule runs
    snapshots = with_dns(
        load_snapshots([*sites.values(), bare.pk], as_of=AS_OF), ZonefileBackend(zone)
    )
    outcomes = {s.website.id: rule.check(s) for s in snapshots}
    # THEN each website gets the verdict its DNS explains
    assert outcomes[sites["ours.example"]].status == Status.PASS
    assert outcomes[sites["mirror.example"]].is_blocking
    assert "203.0.113.7" in outcomes[sites["mirror.example"]].message
    assert outcomes[sites["cdn-site.example"]].status == Status.CANNOT_TELL
    assert outcomes[sites["gone.example"]].status == Status.CANNOT_TELL
    assert outcomes[bare.pk].is_blocking and outcomes[bare.pk].fields == ("domains",)


@pytest.mark.django_db
def test_live_websites_against_dnsmasq_and_a_silent_resolver(rule, dns_server, silent_dns_server):
    # GIVEN dnsmasq serving an IPv6-only site of ours and a CNAME into our CDN, and a
    # site whose only resolver never answers
    ProviderNetworkFactory(cidr="198.51.100.128/25", kind=ProviderNetwork.Kind.CDN)
    ProviderNetworkFactory(cidr="2001:db8:1::/48", kind=ProviderNetwork.Kind.SERVERS)
    dns_server.start(
        host_records=[
            ("v6.example", "2001:db8:1::c", 300),
            ("www.v6.example", "2001:db8:1::c", 300),
            ("edge.cdn.democloud.example", "198.51.100.140", 300),
        ],
        cnames=[
            ("mall.example", "edge.cdn.democloud.example"),
            ("www.mall.example", "edge.cdn.democloud.example"),
        ],
    )
    v6 = DomainFactory(name="v6.example").website_id
    mall = DomainFactory(name="mall.example").website_id
    slow = DomainFactory(name="slow.example").website_id
    live = ResolverBackend([dns_server.address], timeout=1, attempts=1)
    silent = ResolverBackend([silent_dns_server.address], timeout=0.2, attempts=1)
    # WHEN the rule runs on the answers
    first = with_dns(load_snapshots([v6, mall], as_of=AS_OF), live)
    last = with_dns(load_snapshots([slow], as_of=AS_OF), silent)
    outcomes = {s.website.id: rule.check(s) for s in first + last}
    # THEN IPv6 and the CNAME into our CDN pass, and the timeout is an error
    assert outcomes[v6].status == Status.PASS
    assert outcomes[mall].status == Status.PASS
    assert outcomes[mall].evidence["names"]["mall.example"]["cname_chain"] == [
        "edge.cdn.democloud.example"
    ]
    assert outcomes[slow].status == Status.ERROR
    assert "timeout" in outcomes[slow].message


# ---- the demo data's deliberate problems -----------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for this module, rolled back at its end."""
    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo-media"))},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES={**settings.STORAGES, "default": storage}),
        transaction.atomic(),
    ):
        seed_demo()
        yield
        transaction.set_rollback(True)


def test_the_demo_websites_fail_exactly_where_the_dataset_says(rule, demo, db, tmp_path):
    # GIVEN the seeded demo and its DNS zone
    zone = tmp_path / "demo.zone"
    zone.write_text(render_zone())
    ids = list(Website.objects.values_list("id", flat=True))
    # WHEN every demo website is inspected by this rule
    snapshots = with_dns(load_snapshots(ids), ZonefileBackend(zone))
    outcomes = {s.website.name: rule.check(s) for s in snapshots}
    # THEN exactly the deliberate problems of this rule do not pass, each as described
    problems = {name for code, name, _ in DELIBERATE_PROBLEMS if code == rule.code}
    failing = {name for name, outcome in outcomes.items() if outcome.status != Status.PASS}
    assert failing == problems
    by_status = {name: (outcomes[name].status, outcomes[name].severity) for name in problems}
    assert by_status == {
        "阿尔法镜像站": (Status.FAIL, Severity.BLOCKING),  # 203.0.113.7
        "阿尔法测试环境": (Status.FAIL, Severity.BLOCKING),  # 10.0.0.8
        "阿尔法数据中台": (Status.CANNOT_TELL, None),  # another provider's CDN
        "阿尔法旧版官网": (Status.CANNOT_TELL, None),  # NXDOMAIN
    }
