"""Looking up the addresses a website's domain points to, for the DNS-ownership rule.

Every backend answers ``await backend.resolve(name)`` with a :class:`Resolution`: the
A and AAAA addresses of the name, after following CNAMEs (at most 8 hops; a loop or
a longer chain is a ``servfail`` with its reason), plus what each resolver said.

``zonefile`` (the embedded default) answers from one master file read with
dnspython's zone parser. The file's names are absolute, or relative to a ``$ORIGIN``
line; the zone origin is the root, so one file holds names of any domain and needs
no SOA or NS record, but a ``$TTL`` line (or a TTL on every record)::

    $ORIGIN .
    $TTL 300
    shop.example.com.      A      192.0.2.10
    shop.example.com.      AAAA   2001:db8::10
    www.shop.example.com.  CNAME  cdn.example.net.
    $ORIGIN example.net.
    cdn                    A      192.0.2.20

A name with no node in the file is ``nxdomain`` (so is an empty non-terminal such as
``example.com`` above: the demo needs no finer answer); a node without A/AAAA is
``no_answer``.

``resolvers`` asks each configured server (``ip`` or ``ip:port``; ``[v6]:port``) on
its own, A and AAAA concurrently, sending a query up to ``attempts`` times while it times out.
A chunk's queries to one server share one UDP socket (random query ids, replies
matched by id and question); a truncated reply is asked again over TCP.
A server that returns only part of a CNAME chain is asked for the rest. One server's
answer is ``timeout``/``servfail`` when either query failed (a missing AAAA could
hide a foreign address), else ``ok`` when it has addresses, else ``nxdomain`` or
``no_answer``. The answers of several servers are then combined by this policy:

- every server answers and all agree → ``ok`` with those addresses;
- the servers' addresses (or CNAME chains) differ → ``ok`` with the union of their
  addresses and ``disagreement=True``: the rule then requires every address of the
  union to be the provider's;
- some servers fail and others answer → the answers; the failures stay in
  ``answers_by_resolver``;
- every server fails → ``timeout`` when all timed out, else ``servfail``;
- NXDOMAIN from every answering server → ``nxdomain``;
- NXDOMAIN (or no data) from some and addresses from others → ``ok`` with the
  addresses and ``disagreement=True``;
- no server has addresses, some say NXDOMAIN and some no data → ``no_answer`` with
  ``disagreement=True``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
import struct
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAX_CNAME_HOPS = 8
ADDRESS_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)


class ResolutionStatus(StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"
    NO_ANSWER = "no_answer"
    SERVFAIL = "servfail"
    TIMEOUT = "timeout"


FAILED = (ResolutionStatus.SERVFAIL, ResolutionStatus.TIMEOUT)


@dataclass
class Resolution:
    """What DNS says about one name: its addresses, the CNAMEs followed, and who said it."""

    name: str
    status: str
    addresses: list[tuple[str, int]] = field(default_factory=list)
    cname_chain: list[str] = field(default_factory=list)
    # resolver → {status, addresses, cname_chain, ttl, at, queries, reason}
    answers_by_resolver: dict[str, dict] = field(default_factory=dict)
    disagreement: bool = False
    reason: str = ""

    @property
    def ips(self) -> list[str]:
        return [ip for ip, _ttl in self.addresses]

    def to_evidence(self) -> dict:
        """A JSON-ready record of the answer, kept as the rule's evidence."""
        return {
            "name": self.name,
            "status": str(self.status),
            "addresses": [{"ip": ip, "ttl": ttl} for ip, ttl in self.addresses],
            "cname_chain": list(self.cname_chain),
            "disagreement": self.disagreement,
            "reason": self.reason,
            "answers_by_resolver": self.answers_by_resolver,
        }


class DnsBackend(Protocol):
    async def resolve(self, name: str) -> Resolution: ...


@dataclass
class _Answer:
    """One server's (or the zone file's) answer, for one or both address types."""

    status: ResolutionStatus
    addresses: list[tuple[str, int]] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    ttl: int | None = None
    # Queries sent to get this answer: retries and follow-ups along a chain included.
    queries: int = 0
    reason: str = ""

    def as_json(self, at: str) -> dict:
        return {
            "status": str(self.status),
            "addresses": [{"ip": ip, "ttl": ttl} for ip, ttl in self.addresses],
            "cname_chain": list(self.chain),
            "ttl": self.ttl,
            "at": at,
            "queries": self.queries,
            "reason": self.reason,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _qname(name: str) -> dns.name.Name:
    cleaned = name.strip().rstrip(".").lower()
    if not cleaned:
        raise ValueError("An empty name cannot be resolved.")
    return dns.name.from_text(cleaned)


def _not_a_name(name: str, exc: Exception) -> Resolution:
    # One malformed name must not stop a whole chunk of websites.
    return Resolution(
        name=name, status=ResolutionStatus.SERVFAIL, reason=f"not a domain name: {exc}"
    )


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True)


def _min_ttl(*ttls: int | None) -> int | None:
    present = [t for t in ttls if t is not None]
    return min(present) if present else None


def _merge_types(first: _Answer, second: _Answer) -> _Answer:
    """One server's verdict from its A and AAAA answers."""
    parts = (first, second)
    statuses = {p.status for p in parts}
    if ResolutionStatus.SERVFAIL in statuses:
        status = ResolutionStatus.SERVFAIL
    elif ResolutionStatus.TIMEOUT in statuses:
        status = ResolutionStatus.TIMEOUT
    elif first.addresses or second.addresses:
        status = ResolutionStatus.OK
    elif ResolutionStatus.NXDOMAIN in statuses:
        status = ResolutionStatus.NXDOMAIN
    else:
        status = ResolutionStatus.NO_ANSWER
    return _Answer(
        status=status,
        addresses=first.addresses + second.addresses,
        chain=max((p.chain for p in parts), key=len),
        ttl=_min_ttl(first.ttl, second.ttl),
        queries=first.queries + second.queries,
        reason="; ".join(dict.fromkeys(p.reason for p in parts if p.reason)),
    )


def _decide(name: str, answers: dict[str, _Answer], at: str) -> Resolution:
    """Combine the servers' answers by the policy in the module docstring."""
    result = Resolution(
        name=name,
        status=ResolutionStatus.SERVFAIL,
        answers_by_resolver={label: answer.as_json(at) for label, answer in answers.items()},
    )
    definitive = [a for a in answers.values() if a.status not in FAILED]
    if not definitive:
        if all(a.status == ResolutionStatus.TIMEOUT for a in answers.values()):
            result.status = ResolutionStatus.TIMEOUT
        result.reason = "no resolver answered: " + "; ".join(
            f"{label}: {a.reason or a.status}" for label, a in answers.items()
        )
        return result
    statuses = {a.status for a in definitive}
    answered = [a for a in definitive if a.status == ResolutionStatus.OK]
    differ = False
    if answered:
        union: dict[str, int] = {}
        for answer in answered:
            for ip, ttl in answer.addresses:
                union[ip] = min(ttl, union.get(ip, ttl))
        result.status, result.addresses = ResolutionStatus.OK, list(union.items())
        result.cname_chain = list(answered[0].chain)
        differ = (
            len({frozenset(ip for ip, _ in a.addresses) for a in answered}) > 1
            or len({tuple(a.chain) for a in answered}) > 1
        )
    else:
        nxdomain = statuses == {ResolutionStatus.NXDOMAIN}
        result.status = ResolutionStatus.NXDOMAIN if nxdomain else ResolutionStatus.NO_ANSWER
        result.cname_chain = list(max((a.chain for a in definitive), key=len))
    result.disagreement = differ or len(statuses) > 1
    result.reason = "resolvers disagree" if result.disagreement else ""
    return result


class ZonefileBackend:
    """Answers from one zone file (the demo DNS); the file is read once per backend."""

    label = "zonefile"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._zone = dns.zone.from_file(
                str(self.path), origin=dns.name.root, relativize=False, check_origin=False
            )
        except (OSError, dns.exception.DNSException) as exc:
            raise ImproperlyConfigured(f"Cannot read the DNS zone file {self.path}: {exc}") from exc

    async def resolve(self, name: str) -> Resolution:
        at = _now()
        try:
            qname = _qname(name)
        except (ValueError, dns.exception.DNSException) as exc:
            return _not_a_name(name, exc)
        return _decide(name, {self.label: self._chase(qname)}, at)

    def _chase(self, qname: dns.name.Name) -> _Answer:
        result, current, seen = _Answer(ResolutionStatus.SERVFAIL), qname, {qname}
        while True:
            node = self._zone.get_node(current)
            if node is None:
                result.status = ResolutionStatus.NXDOMAIN
                return result
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if not cname:
                break
            current = cname[0].target
            if not _follow(result, current, cname.ttl, seen):
                return result
        for rdtype in ADDRESS_TYPES:
            rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if rdataset:
                result.addresses += [(rdata.address, rdataset.ttl) for rdata in rdataset]
                result.ttl = _min_ttl(result.ttl, rdataset.ttl)
        result.status = ResolutionStatus.OK if result.addresses else ResolutionStatus.NO_ANSWER
        return result


def _follow(result: _Answer, target: dns.name.Name, ttl: int, seen: set) -> bool:
    """Record one CNAME hop; False, with the reason, on a loop or a chain too long."""
    result.chain.append(_text(target))
    if target in seen:
        result.reason = f"CNAME loop at {_text(target)}"
        return False
    if len(result.chain) > MAX_CNAME_HOPS:
        result.reason = f"CNAME chain longer than {MAX_CNAME_HOPS} hops"
        return False
    seen.add(target)
    result.ttl = _min_ttl(result.ttl, ttl)
    return True


def parse_resolver(spec: str) -> tuple[str, int]:
    """``"192.0.2.53"``, ``"192.0.2.53:5353"``, ``"2001:db8::53"`` or ``"[2001:db8::53]:53"``."""
    spec = spec.strip()
    if spec.startswith("["):
        host, _, port = spec[1:].partition("]")
        port = port.lstrip(":")
    elif spec.count(":") == 1:
        host, _, port = spec.partition(":")
    else:
        host, port = spec, ""
    try:
        return host, int(port) if port else 53
    except ValueError:
        raise ImproperlyConfigured(f"DNS resolver {spec!r} is not ip or ip:port.") from None


class _Channel(asyncio.DatagramProtocol):
    """One UDP socket to one server for one event loop, many queries in flight on it.

    A reply is matched to its query by the query id (random, unique among the queries
    in flight) and by the question it echoes; anything else (late replies, strangers)
    is dropped. An ICMP error on the socket fails the queries in flight with it.
    """

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        # query id → (question section, future of the reply)
        self.pending: dict[int, tuple[bytes, asyncio.Future]] = {}

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        if len(data) < _HEADER.size:
            return
        entry = self.pending.get(int.from_bytes(data[:2], "big"))
        if entry is None:
            return
        question, future = entry
        echoed = data[_HEADER.size : _HEADER.size + len(question)]
        if not future.done() and echoed.lower() == question:
            future.set_result(data)

    def error_received(self, exc: Exception) -> None:
        for _question, future in list(self.pending.values()):
            if not future.done():
                future.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.error_received(exc or ConnectionError("the DNS socket was closed"))

    def new_id(self) -> int:
        while True:
            query_id = secrets.randbelow(0x10000)
            if query_id not in self.pending:
                return query_id


# Query header: id, flags (RD), one question, no other records.
_HEADER = struct.Struct("!HHHHHH")
_RECURSION_DESIRED = 0x0100
_IN = struct.pack("!H", dns.rdataclass.IN)


class ResolverBackend:
    """Asks real DNS servers over UDP (TCP when a reply is truncated).

    Per event loop, each server gets one UDP socket on which all of a chunk's queries
    to it are in flight at once, matched by id and question (``_Channel``); messages
    are built and read with dnspython. This costs a fraction of a resolver object per
    query (a socket of its own, a nameserver rotation and a cache for each) and is what
    lets one worker process keep up with a DNS server. ``resolve_many`` keeps the
    sockets open for all of its names; a lone ``resolve()`` opens its own.
    """

    def __init__(self, resolvers: Sequence[str], timeout: float, attempts: int = 2):
        if not resolvers:
            raise ImproperlyConfigured("The resolvers DNS backend needs at least one resolver.")
        if attempts < 1:
            raise ImproperlyConfigured("DNS attempts must be at least 1.")
        self.timeout = float(timeout)
        self.attempts = attempts
        self._servers = [(spec, *parse_resolver(spec)) for spec in resolvers]
        # The open sockets of each event loop: loop → one channel per server.
        self._channels: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        # A name costs an A and an AAAA query at every server (more along CNAME chains).
        self.queries_per_name = len(ADDRESS_TYPES) * len(self._servers)

    @contextlib.asynccontextmanager
    async def session(self):
        """Keep one socket per server open for the queries of this event loop."""
        loop = asyncio.get_running_loop()
        if loop in self._channels:  # an enclosing session has them open
            yield
            return
        channels = []
        try:
            for _spec, host, port in self._servers:
                _transport, channel = await loop.create_datagram_endpoint(
                    _Channel, remote_addr=(host, port)
                )
                channels.append(channel)
            self._channels[loop] = channels
            yield
        finally:
            self._channels.pop(loop, None)
            for channel in channels:
                channel.transport.close()

    async def resolve(self, name: str) -> Resolution:
        channels = self._channels.get(asyncio.get_running_loop())
        if channels is None:
            async with self.session():
                return await self.resolve(name)
        at = _now()
        try:
            qname = _qname(name)
        except (ValueError, dns.exception.DNSException) as exc:
            return _not_a_name(name, exc)
        if len(self._servers) == 1:  # the common case: no task to wait on one server
            spec, host, port = self._servers[0]
            return _decide(name, {spec: await self._ask(channels[0], host, port, qname)}, at)
        answers = await asyncio.gather(
            *(
                self._ask(channel, host, port, qname)
                for channel, (_spec, host, port) in zip(channels, self._servers, strict=True)
            )
        )
        specs = (spec for spec, _host, _port in self._servers)
        return _decide(name, dict(zip(specs, answers, strict=True)), at)

    async def _ask(self, channel: _Channel, host: str, port: int, qname) -> _Answer:
        # A and AAAA at once: the A query in a task of its own, AAAA in this one.
        server = (channel, host, port)
        first = asyncio.ensure_future(self._query(server, qname, dns.rdatatype.A))
        try:
            second = await self._query(server, qname, dns.rdatatype.AAAA)
        except BaseException:
            first.cancel()
            raise
        return _merge_types(await first, second)

    async def _query(self, server: tuple, qname: dns.name.Name, rdtype) -> _Answer:
        result, current, seen = _Answer(ResolutionStatus.SERVFAIL), qname, {qname}
        while True:
            try:
                response = await self._exchange(server, current, rdtype, result)
            except dns.exception.Timeout:
                result.status = ResolutionStatus.TIMEOUT
                result.reason = f"no answer within {self.timeout:g}s, {self.attempts} attempts"
                return result
            except (dns.exception.DNSException, OSError) as exc:
                result.reason = f"{server[1]}:{server[2]}: {exc or type(exc).__name__}"
                return result
            rcode = response.rcode()
            if rcode == dns.rcode.NXDOMAIN:
                result.chain += _cnames_in(response)
                result.status = ResolutionStatus.NXDOMAIN
                return result
            if rcode != dns.rcode.NOERROR:
                # SERVFAIL, REFUSED, FORMERR, NOTIMP: this server gives no answer.
                result.reason = (
                    f"{server[1]}:{server[2]} answered {dns.rcode.to_text(rcode)} "
                    f"for {_text(current)} {dns.rdatatype.to_text(rdtype)}"
                )
                return result
            try:
                chaining = response.resolve_chaining()
            except dns.exception.DNSException as exc:
                result.reason = f"unusable answer for {_text(current)}: {exc}"
                return result
            for cname in chaining.cnames:
                if not _follow(result, cname[0].target, cname.ttl, seen):
                    return result
            if chaining.answer is not None:
                ttl = chaining.answer.ttl
                result.addresses = [(rdata.address, ttl) for rdata in chaining.answer]
                result.ttl = _min_ttl(result.ttl, ttl)
                result.status = ResolutionStatus.OK
                return result
            if chaining.canonical_name == current:
                result.status = ResolutionStatus.NO_ANSWER
                return result
            # The server stopped part-way along the chain: ask for the rest ourselves.
            current = chaining.canonical_name

    async def _exchange(self, server: tuple, qname: dns.name.Name, rdtype, result: _Answer):
        """The server's reply to one question, sent up to ``attempts`` times while it
        times out; over TCP when the UDP reply is truncated."""
        channel, host, port = server
        question = qname.to_wire() + struct.pack("!H", rdtype) + _IN
        loop = asyncio.get_running_loop()
        for attempt in range(1, self.attempts + 1):
            result.queries += 1
            query_id = channel.new_id()
            future = loop.create_future()
            channel.pending[query_id] = (question.lower(), future)
            expiry = loop.call_later(self.timeout, _expire, future)
            try:
                channel.transport.sendto(
                    _HEADER.pack(query_id, _RECURSION_DESIRED, 1, 0, 0, 0) + question
                )
                wire = await future
            except TimeoutError:
                if attempt == self.attempts:
                    raise dns.exception.Timeout(timeout=self.timeout) from None
                continue
            finally:
                expiry.cancel()
                channel.pending.pop(query_id, None)
            response = dns.message.from_wire(wire)
            if response.flags & dns.flags.TC:
                query = dns.message.make_query(qname, rdtype)
                response = await dns.asyncquery.tcp(query, host, timeout=self.timeout, port=port)
            return response
        raise AssertionError("unreachable")  # pragma: no cover


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _cnames_in(response) -> list[str]:
    """The CNAME targets a negative response carried before its NXDOMAIN."""
    if response is None:
        return []
    try:
        return [_text(c[0].target) for c in response.resolve_chaining().cnames]
    except dns.exception.DNSException:
        return []


def names_in_flight(backend: DnsBackend, queries: int) -> int:
    """How many names to resolve at once so that about ``queries`` DNS queries are in flight."""
    return max(1, queries // getattr(backend, "queries_per_name", 1))


async def resolve_many(
    backend: DnsBackend, names: Iterable[str], concurrency: int = 64
) -> dict[str, Resolution]:
    """Resolve many names at once, never more than ``concurrency`` names in flight.

    ``concurrency`` resolvers take the next name as they finish one: a task per
    resolver, not per name.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    unique = list(dict.fromkeys(names))
    pending = iter(unique)
    resolved: dict[str, Resolution] = {}

    async def resolver() -> None:
        for name in pending:
            resolved[name] = await backend.resolve(name)

    session = getattr(backend, "session", None)
    async with session() if session else contextlib.nullcontext():
        await asyncio.gather(*(resolver() for _ in range(min(concurrency, len(unique)))))
    return {name: resolved[name] for name in unique}


def get_dns_backend() -> DnsBackend:
    """The backend the settings name; one instance per process and configuration."""
    kind = settings.DNS_BACKEND
    if kind == "zonefile":
        return _zonefile_backend(str(settings.DNS_ZONEFILE))
    if kind == "resolvers":
        return _resolver_backend(
            tuple(settings.DNS_RESOLVERS),
            float(settings.DNS_TIMEOUT_SECONDS),
            int(getattr(settings, "DNS_ATTEMPTS", 2)),
        )
    raise ImproperlyConfigured(f"Unknown DNS_BACKEND {kind!r}: expected zonefile or resolvers.")


@functools.cache
def _zonefile_backend(path: str) -> ZonefileBackend:
    return ZonefileBackend(path)


@functools.cache
def _resolver_backend(resolvers: tuple[str, ...], timeout: float, attempts: int) -> ResolverBackend:
    return ResolverBackend(resolvers, timeout, attempts)
