"""Rule 4 of the special inspection: every address a website's domains resolve to is ours.

The worker resolves each domain and its ``www.`` name before the rules run
(``snapshot.lookups["dns"]``, :meth:`inspections.dns.Resolution.to_evidence`) and adds
the provider's active networks (``snapshot.lookups["provider_networks"]``). Every
address, IPv4 and IPv6, must lie in one of those networks; when resolvers disagree
the union of their addresses is judged (the policy of :mod:`inspections.dns`).
"""

from __future__ import annotations

import functools
import ipaddress
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from filings.payloads import field_path
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import APPLICATION, Snapshot

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# What each resolver said, trimmed of counters that explain nothing to a reader.
_RESOLVER_KEYS = ("status", "addresses", "cname_chain", "ttl", "at", "reason")


@dataclass(frozen=True, slots=True)
class Block:
    """One network as an interval of integers, with what it is."""

    first: int
    last: int
    cidr: str
    kind: str


class NetworkIndex:
    """Networks as sorted intervals: which one (the most specific) holds an address."""

    def __init__(self, networks: Iterable[tuple[str, str]]):
        blocks: dict[int, list[Block]] = {4: [], 6: []}
        for cidr, kind in networks:
            net = ipaddress.ip_network(cidr, strict=False)
            first, last = int(net.network_address), int(net.broadcast_address)
            blocks[net.version].append(Block(first, last, str(net), kind))
        self._blocks, self._starts, self._reach = {}, {}, {}
        for version, items in blocks.items():
            items.sort(key=lambda b: (b.first, -b.last))
            reach, furthest = [], -1
            for block in items:
                furthest = max(furthest, block.last)
                reach.append(furthest)
            self._blocks[version] = items
            self._starts[version] = [b.first for b in items]
            # reach[i]: the highest address any of the first i+1 blocks covers.
            self._reach[version] = reach

    def __len__(self) -> int:
        return sum(len(items) for items in self._blocks.values())

    def match(self, address: IpAddress) -> Block | None:
        blocks, reach = self._blocks[address.version], self._reach[address.version]
        value = int(address)
        best = None
        i = bisect_right(self._starts[address.version], value) - 1
        # Nested networks: walk back only while an earlier block can still reach here.
        while i >= 0 and reach[i] >= value:
            block = blocks[i]
            if block.last >= value and (
                best is None or block.last - block.first < best.last - best.first
            ):
                best = block
            i -= 1
        return best


@functools.lru_cache(maxsize=32)
def provider_index(networks: tuple[tuple[str, str], ...]) -> NetworkIndex:
    """Parsed once per distinct list: a chunk runs this rule thousands of times."""
    return NetworkIndex(networks)


@functools.lru_cache(maxsize=8)
def reserved_index(cidrs: tuple[str, ...]) -> NetworkIndex:
    return NetworkIndex((cidr, "reserved") for cidr in cidrs)


def _address(value: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _names(domain: str) -> list[str]:
    return [domain] if domain.startswith("www.") else [domain, f"www.{domain}"]


@register
class DnsIpOwnership(Rule):
    """Rule 4: the domains resolve only to the provider's servers, load balancers and CDN."""

    code = "dns_ip_ownership"
    version = 1
    title = _("DNS-resolved IP ownership")
    fix_text = _(
        "Point every domain of the website and its www name (A and AAAA records, and "
        "the end of any CNAME) at addresses of this provider only: your servers, load "
        "balancers or our CDN. Remove records pointing elsewhere, or file the website "
        "with the provider that serves it."
    )
    legal_basis = (
        "《非经营性互联网信息服务备案管理办法》第五条、第十九条; "
        "MIIT notice on the special inspection of filing information"
    )
    lookups = frozenset({"dns"})

    def check(self, snapshot: Snapshot) -> Outcome:
        answers = snapshot.lookups.get("dns")
        if answers is None and snapshot.source == APPLICATION:
            return self.not_applicable(gettext("A draft's website is not served here yet."))
        if not snapshot.domains:
            # Blocking: a filing without its domains cannot be inspected at all.
            return self.failed(
                gettext("The website lists no domain; a filing must list its domains."),
                fields=("domains",),
            )
        networks = snapshot.lookups.get("provider_networks")
        if answers is None or networks is None:
            missing = "dns" if answers is None else "provider_networks"
            return self.error(
                gettext("DNS lookup missing; the check will be tried again."),
                evidence={"reason": "lookup missing", "lookup": missing},
            )
        if not networks:
            # Every address would be foreign: a misconfiguration, not thousands of findings.
            return self.error(
                gettext("No provider networks are configured; staff must add them."),
                evidence={"reason": "no provider networks"},
            )
        ours = provider_index(tuple((n["cidr"], n["kind"]) for n in networks))
        reserved = reserved_index(tuple(getattr(settings, "RESERVED_NETWORKS", ())))
        problems: list[Problem] = []
        evidence: dict[str, Any] = {}
        for index, domain in enumerate(snapshot.domains):
            field = field_path("domains", "name", index)
            found, judged = self._judge_domain(domain.name, answers, ours, reserved, field)
            problems += found
            evidence.update(judged)
        disagreements = [name for name, data in evidence.items() if data.get("disagreement")]
        return combine(
            self,
            problems,
            {"names": evidence, "disagreements": disagreements, "provider_networks": len(ours)},
        )

    def _judge_domain(
        self,
        domain: str,
        answers: Mapping[str, Any],
        ours: NetworkIndex,
        reserved: NetworkIndex,
        field: str,
    ) -> tuple[list[Problem], dict[str, Any]]:
        """The domain and its ``www.`` name together: the worst answer of the two wins."""
        problems: list[Problem] = []
        evidence: dict[str, Any] = {}
        resolutions = {name: answers.get(name) for name in _names(domain)}
        served = any(
            r and r.get("status") == "ok" and r.get("addresses") for r in resolutions.values()
        )
        for name, resolution in resolutions.items():
            if resolution is None:
                message = gettext("The DNS answer for %(name)s is missing (lookup missing).")
                problems.append(Problem("lookup_missing", message % {"name": name}, field, "error"))
                evidence[name] = {"status": "missing"}
                continue
            status = resolution.get("status")
            if status == "ok" and resolution.get("addresses"):
                found, record = self._judge_addresses(name, resolution, ours, reserved, field)
            elif status in ("nxdomain", "no_answer", "ok"):
                # A name that does not exist beside one that is served hosts nothing:
                # e.g. no www record. Only a domain with no address at all goes to staff.
                found = [] if served else [self._absent(name, status, field)]
                record = {"status": status, "served_by_other_name": bool(served)}
            else:
                # servfail/timeout: transient, so an error (retried, never a pass or a case).
                message = gettext(
                    "The DNS lookup of %(name)s failed (%(status)s); it will be tried again."
                )
                values = {"name": name, "status": status}
                found = [Problem("dns_failed", message % values, field, "error")]
                record = {"status": status}
            evidence[name] = _trimmed(resolution, record, detailed=bool(found))
            problems += found
        return problems, evidence

    def _absent(self, name: str, status: str, field: str) -> Problem:
        if status == "nxdomain":
            message = gettext(
                "%(name)s does not exist in DNS (NXDOMAIN); staff will check whether "
                "the domain lapsed or was never set up."
            )
        else:
            message = gettext("%(name)s has no address in DNS; staff will check it.")
        code = "nxdomain" if status == "nxdomain" else "no_answer"
        return Problem(code, message % {"name": name}, field, "cannot_tell")

    def _judge_addresses(
        self,
        name: str,
        resolution: Mapping[str, Any],
        ours: NetworkIndex,
        reserved: NetworkIndex,
        field: str,
    ) -> tuple[list[Problem], dict[str, Any]]:
        matches, in_reserved, foreign = [], [], []
        for entry in resolution["addresses"]:
            ip = str(entry.get("ip", ""))
            address = _address(ip)
            block = reserved.match(address) if address is not None else None
            if block is not None:
                in_reserved.append(ip)
                matches.append({**entry, "verdict": "reserved", "network": block.cidr})
                continue
            block = ours.match(address) if address is not None else None
            if block is None:
                foreign.append(ip)
                matches.append({**entry, "verdict": "foreign", "network": None})
            else:
                matches.append(
                    {**entry, "verdict": "ours", "network": block.cidr, "kind": block.kind}
                )
        chain = list(resolution.get("cname_chain") or ())
        problems = []
        if in_reserved:
            # Blocking: a reserved address is never a public server of this provider.
            message = ngettext(
                "%(name)s resolves to a reserved address %(ips)s.",
                "%(name)s resolves to reserved addresses %(ips)s.",
                len(in_reserved),
            )
            ips = ", ".join(in_reserved)
            problems.append(
                Problem("reserved_address", message % {"name": name, "ips": ips}, field)
            )
        if foreign and chain:
            # Another provider's CDN may still fetch from our servers: staff decide.
            message = gettext(
                "%(name)s points to another provider's CDN (%(target)s); staff will check it."
            )
            text = message % {"name": name, "target": chain[-1]}
            problems.append(Problem("foreign_cname", text, field, "cannot_tell"))
        elif foreign:
            # Blocking: the site is served from elsewhere while filed with us (seed notice).
            message = ngettext(
                "%(name)s resolves to %(ips)s, which is not an address of this provider.",
                "%(name)s resolves to %(ips)s, which are not addresses of this provider.",
                len(foreign),
            )
            ips = ", ".join(foreign)
            problems.append(Problem("foreign_address", message % {"name": name, "ips": ips}, field))
        return problems, {"status": "ok", "addresses": matches}


def _trimmed(
    resolution: Mapping[str, Any], record: dict[str, Any], *, detailed: bool
) -> dict[str, Any]:
    """The part of a Resolution's evidence that explains the verdict on one name."""
    result = {
        **record,
        "cname_chain": list(resolution.get("cname_chain") or ()),
        "disagreement": bool(resolution.get("disagreement")),
    }
    if resolution.get("reason"):
        result["reason"] = resolution["reason"]
    if detailed or result["disagreement"]:
        result["answers_by_resolver"] = {
            resolver: {key: answer.get(key) for key in _RESOLVER_KEYS if key in answer}
            for resolver, answer in (resolution.get("answers_by_resolver") or {}).items()
            if isinstance(answer, Mapping)
        }
    return result
