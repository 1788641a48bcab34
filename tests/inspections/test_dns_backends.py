"""DNS backends: a real dnsmasq on loopback, a silent socket, and zone files."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset
import pytest
from django.core.exceptions import ImproperlyConfigured

from inspections.dns import (
    MAX_CNAME_HOPS,
    Resolution,
    ResolverBackend,
    ZonefileBackend,
    get_dns_backend,
    parse_resolver,
    resolve_many,
)

pytest_plugins = ["tests.dns_server"]


def resolve(backend, name: str) -> Resolution:
    return asyncio.run(backend.resolve(name))


SHOP = ("shop.test", "192.0.2.10", "2001:db8::10", 300)


# --- one real resolver (dnsmasq) ---------------------------------------------------


def test_a_and_aaaa_of_a_name_with_their_ttl(dns_server):
    # GIVEN dnsmasq serving shop.test with an IPv4 and an IPv6 address, TTL 300
    dns_server.start(host_records=[SHOP])
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN the backend resolves it
    result = resolve(backend, "shop.test")

    # THEN both addresses come back with their TTL and no CNAME was followed
    assert result.status == "ok"
    assert result.addresses == [("192.0.2.10", 300), ("2001:db8::10", 300)]
    assert result.cname_chain == []
    assert result.disagreement is False
    answer = result.answers_by_resolver[dns_server.address]
    assert answer["status"] == "ok"
    assert answer["ttl"] == 300
    assert answer["at"].endswith("+00:00")


def test_names_from_a_hosts_file_are_answered_with_the_local_ttl(dns_server):
    # GIVEN names served from dnsmasq's hosts file (the benchmark's fast path)
    dns_server.start(
        hosts=[("192.0.2.40", "bulk.test"), ("2001:db8::40", "bulk.test")], local_ttl=120
    )
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN resolved
    result = resolve(backend, "bulk.test")

    # THEN both addresses, with the configured TTL
    assert result.addresses == [("192.0.2.40", 120), ("2001:db8::40", 120)]


def test_an_ipv6_only_name_answers_its_aaaa(dns_server):
    # GIVEN a name with only an IPv6 address
    dns_server.start(host_records=[("v6.test", "2001:db8::6", 60)])
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN resolved
    result = resolve(backend, "v6.test")

    # THEN the AAAA is the answer; the empty A does not make it fail
    assert result.status == "ok"
    assert result.ips == ["2001:db8::6"]


def test_a_cname_chain_of_three_hops_is_followed_and_recorded(dns_server):
    # GIVEN www.shop.test → edge.cdn.test → lb.cdn.test → origin.test (an address)
    dns_server.start(
        host_records=[("origin.test", "192.0.2.30", "2001:db8::30", 120)],
        cnames=[
            ("www.shop.test", "edge.cdn.test"),
            ("edge.cdn.test", "lb.cdn.test"),
            ("lb.cdn.test", "origin.test"),
        ],
    )
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN www.shop.test is resolved
    result = resolve(backend, "www.shop.test")

    # THEN the final addresses come back with the names followed, in order
    assert result.status == "ok"
    assert result.ips == ["192.0.2.30", "2001:db8::30"]
    assert result.cname_chain == ["edge.cdn.test", "lb.cdn.test", "origin.test"]
    evidence = result.to_evidence()
    assert evidence["answers_by_resolver"][dns_server.address]["cname_chain"] == [
        "edge.cdn.test",
        "lb.cdn.test",
        "origin.test",
    ]
    json.dumps(evidence)  # stored as JSON evidence


def test_an_unknown_name_is_nxdomain(dns_server):
    # GIVEN dnsmasq that knows only shop.test (every domain local: unknown → NXDOMAIN)
    dns_server.start(host_records=[SHOP])
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN an unknown name is resolved
    result = resolve(backend, "missing.test")

    # THEN the answer is NXDOMAIN, not a timeout
    assert result.status == "nxdomain"
    assert result.addresses == []


def test_a_cname_to_a_missing_name_is_nxdomain_with_its_chain(dns_server):
    # GIVEN an alias pointing at a name nobody serves
    dns_server.start(host_records=[SHOP], cnames=[("old.shop.test", "gone.elsewhere.test")])
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN resolved
    result = resolve(backend, "old.shop.test")

    # THEN NXDOMAIN, and the evidence shows where the alias pointed
    assert result.status == "nxdomain"
    assert result.cname_chain == ["gone.elsewhere.test"]


def test_a_refusing_server_is_servfail_never_ok(dns_server):
    # GIVEN dnsmasq without local domains, which answers REFUSED for names it lacks
    dns_server.start(host_records=[SHOP], local_only=False)
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN an unknown name is resolved
    result = resolve(backend, "missing.test")

    # THEN the failure is servfail with the server's reason
    assert result.status == "servfail"
    assert "REFUSED" in result.answers_by_resolver[dns_server.address]["reason"]


def test_a_silent_server_times_out_after_the_configured_attempts(silent_dns_server):
    # GIVEN a resolver that never answers, 0.3 s per try and 2 attempts
    backend = ResolverBackend([silent_dns_server.address], timeout=0.3, attempts=2)

    # WHEN a name is resolved
    started = time.monotonic()
    result = resolve(backend, "shop.test")
    elapsed = time.monotonic() - started

    # THEN it is a timeout (never ok), after two tries of A and of AAAA, concurrently
    assert result.status == "timeout"
    assert result.answers_by_resolver[silent_dns_server.address]["queries"] == 4
    assert sorted(silent_dns_server.received) == [
        ("shop.test", "A"),
        ("shop.test", "A"),
        ("shop.test", "AAAA"),
        ("shop.test", "AAAA"),
    ]
    assert 0.55 <= elapsed < 2.0


def test_new_records_after_a_restart_are_answered(dns_server):
    # GIVEN a server that answered one address
    dns_server.start(host_records=[("moved.test", "192.0.2.1")])
    backend = ResolverBackend([dns_server.address], timeout=2)
    assert resolve(backend, "moved.test").ips == ["192.0.2.1"]
    address = dns_server.address

    # WHEN it restarts with a new address for the name
    dns_server.restart(host_records=[("moved.test", "192.0.2.2")])

    # THEN the same address serves the new record, and the backend does not cache
    assert dns_server.address == address
    assert resolve(backend, "moved.test").ips == ["192.0.2.2"]


def test_a_backend_serves_one_event_loop_after_another(dns_server):
    # GIVEN one backend instance, as a worker process keeps it
    dns_server.start(host_records=[SHOP])
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN two chunks each run their own event loop
    first = resolve(backend, "shop.test")
    second = resolve(backend, "shop.test")

    # THEN both answer
    assert first.status == second.status == "ok"


class OneHopServer:
    """Answers each name with one CNAME hop only, like a server that does not chase."""

    def __init__(self, cnames: dict[str, str]):
        self.cnames = cnames
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                wire, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            name = query.question[0].name.to_text(omit_final_dot=True)
            target = self.cnames[name]
            response.answer.append(dns.rrset.from_text(f"{name}.", 30, "IN", "CNAME", f"{target}."))
            self.sock.sendto(response.to_wire(), peer)

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=2)
        self.sock.close()


def test_a_cname_loop_across_answers_is_servfail_with_reason():
    # GIVEN a server answering a.loop.test → b.loop.test and b.loop.test → a.loop.test,
    # one hop per answer
    server = OneHopServer({"a.loop.test": "b.loop.test", "b.loop.test": "a.loop.test"})
    try:
        backend = ResolverBackend([server.address], timeout=1)

        # WHEN a.loop.test is resolved
        result = resolve(backend, "a.loop.test")
    finally:
        server.close()

    # THEN the backend asked for the rest of the chain, saw the loop, and failed
    assert result.status == "servfail"
    answer = result.answers_by_resolver[server.address]
    assert answer["cname_chain"] == ["b.loop.test", "a.loop.test"]
    assert "loop" in answer["reason"]


class ScriptedServer:
    """A UDP (and TCP) DNS server on loopback whose replies a test writes:
    ``reply(query) -> list of wire messages`` sent back over UDP for each query;
    over TCP it answers ``tcp_answer(query)``."""

    def __init__(self, reply, tcp_answer=None):
        self.reply, self.tcp_answer = reply, tcp_answer
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.05)
        self.port = self.udp.getsockname()[1]
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(4)
        self.tcp.settimeout(0.05)
        self.address = f"127.0.0.1:{self.port}"
        self.tcp_queries = 0
        self.stopped = threading.Event()
        self.threads = [
            threading.Thread(target=self.serve_udp, daemon=True),
            threading.Thread(target=self.serve_tcp, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def serve_udp(self):
        while not self.stopped.is_set():
            try:
                wire, peer = self.udp.recvfrom(65535)
            except TimeoutError:
                continue
            for message in self.reply(dns.message.from_wire(wire)):
                self.udp.sendto(message, peer)

    def serve_tcp(self):
        while not self.stopped.is_set():
            try:
                connection, _peer = self.tcp.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                size = int.from_bytes(connection.recv(2), "big")
                query = dns.message.from_wire(connection.recv(size))
                self.tcp_queries += 1
                answer = self.tcp_answer(query).to_wire()
                connection.sendall(len(answer).to_bytes(2, "big") + answer)

    def close(self):
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=2)
        self.udp.close()
        self.tcp.close()


def _answer(query, address_of: dict[str, str]):
    response = dns.message.make_response(query)
    question = query.question[0]
    name = question.name.to_text(omit_final_dot=True)
    kind = dns.rdatatype.to_text(question.rdtype)
    if kind in address_of.get(name, {}):
        response.answer.append(
            dns.rrset.from_text(f"{name}.", 60, "IN", kind, address_of[name][kind])
        )
    return response


def test_stray_replies_are_dropped_and_the_real_one_is_taken():
    # GIVEN a server that first sends a reply with another query id, then one echoing
    # another question under the right id, and only then the real answer
    records = {"shop.test": {"A": "192.0.2.10", "AAAA": "2001:db8::10"}}

    def reply(query):
        real = _answer(query, records)
        stranger = dns.message.make_response(query)
        stranger.id = (query.id + 1) % 65536
        stranger.answer.append(dns.rrset.from_text("shop.test.", 60, "IN", "A", "203.0.113.66"))
        other = dns.message.make_query("evil.test", query.question[0].rdtype)
        other.id = query.id
        other.flags |= dns.flags.QR
        return [stranger.to_wire(), other.to_wire(), real.to_wire()]

    server = ScriptedServer(reply)
    try:
        # WHEN a name is resolved
        result = resolve(ResolverBackend([server.address], timeout=1), "shop.test")
    finally:
        server.close()

    # THEN only the real answer counts
    assert result.status == "ok"
    assert result.ips == ["192.0.2.10", "2001:db8::10"]


def test_a_truncated_reply_is_asked_again_over_tcp():
    # GIVEN a server whose UDP replies are truncated and whose TCP answers are whole
    records = {"big.test": {"A": "192.0.2.77", "AAAA": "2001:db8::77"}}

    def reply(query):
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.TC
        return [truncated.to_wire()]

    server = ScriptedServer(reply, tcp_answer=lambda query: _answer(query, records))
    try:
        # WHEN the name is resolved
        result = resolve(ResolverBackend([server.address], timeout=1), "big.test")
    finally:
        server.close()

    # THEN the addresses come from the TCP answers, one per query type
    assert result.status == "ok"
    assert result.ips == ["192.0.2.77", "2001:db8::77"]
    assert server.tcp_queries == 2


def test_a_closed_port_fails_at_once_as_servfail_not_a_timeout():
    # GIVEN a resolver address where nothing listens (the kernel answers ICMP)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    backend = ResolverBackend([address], timeout=2, attempts=2)

    # WHEN a name is resolved
    started = time.monotonic()
    result = resolve(backend, "shop.test")

    # THEN it fails with the reason, without waiting out the timeouts
    assert result.status == "servfail"
    assert "refused" in result.answers_by_resolver[address]["reason"].lower()
    assert time.monotonic() - started < 1.5


def test_many_names_share_one_socket_per_server(dns_server):
    # GIVEN a server with 300 names
    records = [(f"n{i}.test", f"192.0.2.{i % 250 + 1}") for i in range(300)]
    dns_server.start(host_records=records)
    backend = ResolverBackend([dns_server.address], timeout=2)
    opened = []

    async def resolve_all():
        loop = asyncio.get_running_loop()
        original = loop.create_datagram_endpoint

        async def counting(*args, **kwargs):
            opened.append(kwargs.get("remote_addr"))
            return await original(*args, **kwargs)

        loop.create_datagram_endpoint = counting
        return await resolve_many(backend, [name for name, _ip in records], concurrency=64)

    # WHEN they are resolved with 64 names in flight
    answers = asyncio.run(resolve_all())

    # THEN every answer is its own name's, over one socket
    assert [answers[name].ips for name, _ip in records] == [[ip] for _name, ip in records]
    assert len(opened) == 1


# --- several resolvers: the disagreement policy -----------------------------------


def test_agreeing_resolvers_answer_ok_without_disagreement(dns_server_factory):
    # GIVEN two servers with the same records
    one = dns_server_factory().start(host_records=[SHOP])
    two = dns_server_factory().start(host_records=[SHOP])
    backend = ResolverBackend([one.address, two.address], timeout=2)

    # WHEN resolved over both
    result = resolve(backend, "shop.test")

    # THEN ok, one set of addresses, both answers kept
    assert result.status == "ok"
    assert result.ips == ["192.0.2.10", "2001:db8::10"]
    assert result.disagreement is False
    assert set(result.answers_by_resolver) == {one.address, two.address}


def test_disagreeing_resolvers_give_the_union_and_flag_it(dns_server_factory):
    # GIVEN two servers answering different addresses for the same name
    one = dns_server_factory().start(host_records=[("shop.test", "192.0.2.10", 60)])
    two = dns_server_factory().start(host_records=[("shop.test", "198.51.100.7", 60)])
    backend = ResolverBackend([one.address, two.address], timeout=2)

    # WHEN resolved over both
    result = resolve(backend, "shop.test")

    # THEN the union of addresses, marked as a disagreement, with each server's answer
    assert result.status == "ok"
    assert result.ips == ["192.0.2.10", "198.51.100.7"]
    assert result.disagreement is True
    assert result.answers_by_resolver[one.address]["addresses"] == [{"ip": "192.0.2.10", "ttl": 60}]
    assert result.answers_by_resolver[two.address]["addresses"] == [
        {"ip": "198.51.100.7", "ttl": 60}
    ]


def test_nxdomain_from_one_and_addresses_from_another_is_a_disagreement(dns_server_factory):
    # GIVEN one server that knows the name and one that does not
    knows = dns_server_factory().start(host_records=[SHOP])
    lacks = dns_server_factory().start(host_records=[("other.test", "192.0.2.99")])
    backend = ResolverBackend([lacks.address, knows.address], timeout=2)

    # WHEN resolved over both
    result = resolve(backend, "shop.test")

    # THEN the answers win, flagged as a disagreement
    assert result.status == "ok"
    assert result.ips == ["192.0.2.10", "2001:db8::10"]
    assert result.disagreement is True
    assert result.answers_by_resolver[lacks.address]["status"] == "nxdomain"


def test_a_failing_resolver_is_recorded_and_the_others_answer(dns_server, silent_dns_server):
    # GIVEN one working server and one that never answers
    dns_server.start(host_records=[SHOP])
    backend = ResolverBackend(
        [silent_dns_server.address, dns_server.address], timeout=0.3, attempts=1
    )

    # WHEN resolved over both
    result = resolve(backend, "shop.test")

    # THEN the working server's answer, with the failure kept per resolver
    assert result.status == "ok"
    assert result.ips == ["192.0.2.10", "2001:db8::10"]
    assert result.disagreement is False
    assert result.answers_by_resolver[silent_dns_server.address]["status"] == "timeout"


def test_nxdomain_from_every_resolver_is_nxdomain(dns_server_factory):
    # GIVEN two servers, neither of which knows the name
    one = dns_server_factory().start(host_records=[SHOP])
    two = dns_server_factory().start(host_records=[SHOP])
    backend = ResolverBackend([one.address, two.address], timeout=2)

    # WHEN resolved
    result = resolve(backend, "missing.test")

    # THEN nxdomain, agreed
    assert result.status == "nxdomain"
    assert result.disagreement is False


def test_every_resolver_failing_is_a_timeout(silent_dns_server):
    # GIVEN the only configured servers never answer
    backend = ResolverBackend(
        [silent_dns_server.address, silent_dns_server.address], timeout=0.3, attempts=1
    )

    # WHEN resolved
    result = resolve(backend, "shop.test")

    # THEN timeout, with the reason naming the resolvers
    assert result.status == "timeout"
    assert silent_dns_server.address in result.reason


# --- the zone file backend -----------------------------------------------------------


ZONE = """\
$ORIGIN .
$TTL 300
shop.example.com.      A      192.0.2.10
shop.example.com.      AAAA   2001:db8::10
www.shop.example.com.  CNAME  edge.cdn.example.net.
mail.shop.example.com. MX     10 shop.example.com.
old.shop.example.com.  CNAME  gone.example.org.
loop-a.example.com.    CNAME  loop-b.example.com.
loop-b.example.com.    CNAME  loop-a.example.com.
$ORIGIN example.net.
edge.cdn    60  CNAME  origin.cdn
origin.cdn  60  A      192.0.2.20
v6          AAAA       2001:db8::6
"""


@pytest.fixture
def zonefile(tmp_path):
    path = tmp_path / "demo.zone"
    path.write_text(ZONE)
    return path


def test_zonefile_answers_a_and_aaaa_with_ttls(zonefile):
    # GIVEN a zone file with an IPv4 and an IPv6 address for shop.example.com
    backend = ZonefileBackend(zonefile)

    # WHEN resolved
    result = resolve(backend, "Shop.Example.com.")

    # THEN both addresses with the file's TTL, answered by the zone file
    assert result.status == "ok"
    assert result.addresses == [("192.0.2.10", 300), ("2001:db8::10", 300)]
    assert list(result.answers_by_resolver) == ["zonefile"]


def test_zonefile_follows_a_cname_chain_across_origins(zonefile):
    # GIVEN www.shop.example.com → edge.cdn.example.net → origin.cdn.example.net
    backend = ZonefileBackend(zonefile)

    # WHEN resolved
    result = resolve(backend, "www.shop.example.com")

    # THEN the chain is followed and recorded, with the smallest TTL on the way
    assert result.status == "ok"
    assert result.ips == ["192.0.2.20"]
    assert result.cname_chain == ["edge.cdn.example.net", "origin.cdn.example.net"]
    assert result.answers_by_resolver["zonefile"]["ttl"] == 60


def test_zonefile_ipv6_only_and_missing_names(zonefile):
    backend = ZonefileBackend(zonefile)

    # GIVEN/WHEN an IPv6-only name, an absent name, a name without addresses,
    # and an alias to an absent name
    v6 = resolve(backend, "v6.example.net")
    absent = resolve(backend, "nowhere.example.com")
    no_address = resolve(backend, "mail.shop.example.com")
    dangling = resolve(backend, "old.shop.example.com")

    # THEN each gets its own status
    assert (v6.status, v6.ips) == ("ok", ["2001:db8::6"])
    assert absent.status == "nxdomain"
    assert no_address.status == "no_answer"
    assert (dangling.status, dangling.cname_chain) == ("nxdomain", ["gone.example.org"])


def test_zonefile_cname_loop_is_servfail_with_reason(zonefile):
    # GIVEN two aliases pointing at each other
    backend = ZonefileBackend(zonefile)

    # WHEN one is resolved
    result = resolve(backend, "loop-a.example.com")

    # THEN it is a failure (never ok) whose reason names the loop
    assert result.status == "servfail"
    assert "loop" in result.answers_by_resolver["zonefile"]["reason"]


def test_zonefile_chain_longer_than_eight_hops_is_servfail(tmp_path):
    # GIVEN a chain of 9 aliases before an address
    hops = MAX_CNAME_HOPS + 1
    lines = ["$ORIGIN example.com.", "$TTL 60"]
    lines += [f"h{i} CNAME h{i + 1}" for i in range(hops)]
    lines.append(f"h{hops} A 192.0.2.1")
    path = tmp_path / "long.zone"
    path.write_text("\n".join(lines) + "\n")

    # WHEN the first alias is resolved
    result = resolve(ZonefileBackend(path), "h0.example.com")

    # THEN it stops at 8 hops and fails
    assert result.status == "servfail"
    assert "longer than 8" in result.answers_by_resolver["zonefile"]["reason"]


@pytest.mark.parametrize("name", ["", "a" * 64 + ".example.com", "bad..example.com"])
def test_a_malformed_name_is_a_failure_not_a_crash(zonefile, name):
    for backend in (ZonefileBackend(zonefile), ResolverBackend(["127.0.0.1:9"], timeout=0.3)):
        result = resolve(backend, name)
        assert result.status == "servfail"
        assert result.reason.startswith("not a domain name")


def test_a_missing_zone_file_stops_with_a_clear_message(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="zone file"):
        ZonefileBackend(tmp_path / "absent.zone")


# --- resolve_many, settings ------------------------------------------------------------


class CountingBackend:
    """Answers after a short wait, remembering how many lookups ran at once."""

    def __init__(self):
        self.in_flight = 0
        self.most_in_flight = 0
        self.calls: list[str] = []

    async def resolve(self, name: str) -> Resolution:
        self.calls.append(name)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return Resolution(name=name, status="ok", addresses=[("192.0.2.1", 60)])


def test_resolve_many_never_exceeds_its_concurrency():
    # GIVEN 20 names (one repeated) and a bound of 3
    backend = CountingBackend()
    names = [f"site{i}.test" for i in range(20)] + ["site0.test"]

    # WHEN resolved together
    results = asyncio.run(resolve_many(backend, names, concurrency=3))

    # THEN every name has its answer, at most 3 ran at once, and the repeat ran once
    assert set(results) == set(names)
    assert results["site7.test"].name == "site7.test"
    assert backend.most_in_flight == 3
    assert len(backend.calls) == 20


def test_resolve_many_against_dnsmasq(dns_server):
    # GIVEN a real server with several names
    dns_server.start(host_records=[(f"n{i}.test", f"192.0.2.{i + 1}") for i in range(10)])
    backend = ResolverBackend([dns_server.address], timeout=2)

    # WHEN they are resolved with a bound of 4
    results = asyncio.run(resolve_many(backend, [f"n{i}.test" for i in range(10)], 4))

    # THEN each has its own address
    assert {name: r.ips for name, r in results.items()} == {
        f"n{i}.test": [f"192.0.2.{i + 1}"] for i in range(10)
    }


def test_get_dns_backend_follows_the_settings_and_is_kept_per_process(settings, zonefile):
    # GIVEN the zone-file backend configured
    settings.DNS_BACKEND = "zonefile"
    settings.DNS_ZONEFILE = str(zonefile)

    # WHEN asked twice
    first, second = get_dns_backend(), get_dns_backend()

    # THEN one instance of the zone-file backend
    assert isinstance(first, ZonefileBackend)
    assert first is second

    # AND switching to resolvers gives a resolver backend with their timeout
    settings.DNS_BACKEND = "resolvers"
    settings.DNS_RESOLVERS = ["127.0.0.1:5353", "192.0.2.53"]
    settings.DNS_TIMEOUT_SECONDS = 2
    backend = get_dns_backend()
    assert isinstance(backend, ResolverBackend)
    assert backend.timeout == 2.0
    assert backend.attempts == 2


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("2001:db8::53", ("2001:db8::53", 53)),
        ("[2001:db8::53]:5300", ("2001:db8::53", 5300)),
    ],
)
def test_resolver_addresses_with_and_without_port(spec, expected):
    assert parse_resolver(spec) == expected


def test_a_bad_resolver_port_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ip:port"):
        parse_resolver("127.0.0.1:dns")
