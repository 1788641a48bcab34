"""The look-ups a worker does for a whole chunk of websites before the rules run.

:func:`gather` fills ``snapshot.lookups`` by the contract the rules read:

- ``"dns"``: ``{name: Resolution.to_evidence()}`` for every domain of the snapshot and,
  for a domain not starting with ``www.``, its ``www.`` name too;
- ``"provider_networks"``: the active ``ProviderNetwork`` rows as
  ``[{"cidr", "kind"}, …]`` sorted by cidr (with ``"dns"``);
- ``"rdap"``: ``{domain: {"status": "ok"|"not_found"|"unavailable", "info": …|None,
  "error": str}}`` for the domains that have neither registrar data nor a
  domain-certificate holder; only when ``RDAP_BASE_URL`` is set.

A look-up is done only when one of the rules declares it. All DNS names of the chunk
are resolved once each, concurrently (``INSPECTION_DNS_CONCURRENCY`` DNS queries in
flight: a name is an A and an AAAA query per resolver), together with the RDAP queries
(``INSPECTION_RDAP_CONCURRENCY`` at a time), in one event loop per chunk.
A failed look-up never raises: its failure is written into the data (the rules turn it
into an ``error`` outcome, which is retried and never opens a case).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings

from filings.choices import MaterialKind
from filings.models import ProviderNetwork
from inspections.dns import (
    Resolution,
    ResolutionStatus,
    get_dns_backend,
    names_in_flight,
    resolve_many,
)
from inspections.registrants import (
    LookupUnavailable,
    RegistrantInfo,
    RegistrantSource,
    get_registrant_source,
)
from inspections.rules.base import Rule
from inspections.snapshot.parts import MaterialSnapshot, Snapshot

logger = logging.getLogger(__name__)

DNS = "dns"
PROVIDER_NETWORKS = "provider_networks"
RDAP = "rdap"
RDAP_INFO_KEYS = (
    "name", "id_type", "id_hash", "real_name_status", "source", "redacted", "evidence",
)  # fmt: skip

T = TypeVar("T")


def dns_names(snapshot: Snapshot) -> list[str]:
    """The names the DNS rule reads for one website: each domain and its ``www.`` name."""
    names: list[str] = []
    for domain in snapshot.domains:
        name = domain.name.strip().rstrip(".").lower()
        if not name:
            continue
        names.append(name)
        if not name.startswith("www."):
            names.append(f"www.{name}")
    return list(dict.fromkeys(names))


def _certificate_holder(snapshot: Snapshot, domain: str) -> str:
    """The holder on the domain certificate the domain-owner rule would read, or ""."""
    try:
        from inspections.rules.domain_owner import certificate_for
    except ImportError:  # the rule module is not installed: any website certificate counts
        certificate_for = _any_certificate
    names = {d.name for d in snapshot.domains}
    certificate = certificate_for(snapshot.materials, domain, names)
    return certificate.holder_name.strip() if certificate is not None else ""


def _any_certificate(
    materials: Sequence[MaterialSnapshot], domain: str, domains: set[str]
) -> MaterialSnapshot | None:
    return next(
        (m for m in materials if m.kind == MaterialKind.DOMAIN_CERTIFICATE and m.holder_name),
        None,
    )


def rdap_domains(snapshot: Snapshot) -> list[str]:
    """Domains no earlier registrant source answers for: RDAP is asked about these only."""
    return [
        domain.name
        for domain in snapshot.domains
        if domain.name
        and not domain.registrant_name.strip()
        and not _certificate_holder(snapshot, domain.name)
    ]


def provider_networks() -> list[dict[str, str]]:
    """The provider's active networks, one query per chunk."""
    rows = ProviderNetwork.objects.filter(is_active=True).order_by("cidr")
    return [{"cidr": cidr, "kind": kind} for cidr, kind in rows.values_list("cidr", "kind")]


def rdap_source() -> RegistrantSource | None:
    """The RDAP source of the configured chain (shared, so its rate limit holds per
    process), or None when ``RDAP_BASE_URL`` is empty."""
    if not getattr(settings, "RDAP_BASE_URL", ""):
        return None
    chain = get_registrant_source()
    return next((s for s in getattr(chain, "sources", ()) if s.source == RDAP), None)


def _failed_resolution(name: str, reason: str) -> dict[str, Any]:
    return Resolution(name=name, status=ResolutionStatus.SERVFAIL, reason=reason).to_evidence()


async def _resolve(names: list[str], queries: int) -> dict[str, dict[str, Any]]:
    """Every name's answer, about ``queries`` DNS queries in flight at a time."""
    if not names:
        return {}
    try:
        backend = get_dns_backend()
        concurrency = names_in_flight(backend, queries)
        resolutions = await resolve_many(backend, names, concurrency=concurrency)
    except Exception as exc:  # a broken backend must not lose the whole chunk
        logger.exception("DNS look-ups of %s names failed", len(names))
        reason = f"lookup failed: {type(exc).__name__}: {exc}"
        return {name: _failed_resolution(name, reason) for name in names}
    return {
        name: resolutions[name].to_evidence()
        if name in resolutions
        else _failed_resolution(name, "lookup failed: no answer")
        for name in names
    }


def _rdap_entry(info: RegistrantInfo | None) -> dict[str, Any]:
    if info is None:
        return {"status": "not_found", "info": None, "error": ""}
    data = {key: getattr(info, key) for key in RDAP_INFO_KEYS}
    return {"status": "ok", "info": data, "error": ""}


async def _ask_rdap(
    source: RegistrantSource, domains: list[str], concurrency: int, deadline: float
) -> dict[str, dict[str, Any]]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(domain: str) -> tuple[str, dict[str, Any]]:
        async with semaphore:
            if time.monotonic() >= deadline:
                # The chunk must end inside the broker's visibility timeout: the rest
                # is an error now and asked again by the next campaign.
                error = "time budget of the chunk spent"
                return domain, {"status": "unavailable", "info": None, "error": error}
            try:
                info = await asyncio.to_thread(source.lookup, domain)
            except LookupUnavailable as exc:
                return domain, {"status": "unavailable", "info": None, "error": str(exc)}
            except Exception as exc:
                logger.exception("RDAP look-up of %s failed", domain)
                error = f"{type(exc).__name__}: {exc}"
                return domain, {"status": "unavailable", "info": None, "error": error}
            return domain, _rdap_entry(info)

    return dict(await asyncio.gather(*(one(domain) for domain in domains)))


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end from sync code, in a fresh thread if a loop is running.

    ``make`` builds the coroutine in the thread that runs it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def chunk_budget_seconds() -> float:
    """Seconds a chunk may spend on slow look-ups: half the broker's visibility timeout."""
    default = int(getattr(settings, "CELERY_VISIBILITY_TIMEOUT", 3600)) / 2
    return float(getattr(settings, "INSPECTION_LOOKUP_BUDGET_SECONDS", default))


def dns_queries(resolutions: Iterable[dict[str, Any]]) -> int:
    """DNS queries sent for these answers (``Resolution.to_evidence()``), retries and
    follow-ups along CNAME chains included."""
    return sum(
        int(answer.get("queries") or 0)
        for resolution in resolutions
        for answer in resolution.get("answers_by_resolver", {}).values()
    )


def needed_lookups(rules: Iterable[Rule]) -> set[str]:
    return {name for rule in rules for name in rule.lookups}


def gather(
    snapshots: Sequence[Snapshot], rules: Iterable[Rule], *, budget: float | None = None
) -> list[Snapshot]:
    """The snapshots carrying the look-ups their rules declare, done for the whole chunk.

    ``budget``: seconds the RDAP queries may take in all (default
    :func:`chunk_budget_seconds`); later ones answer "unavailable".
    """
    needed = needed_lookups(rules)
    want_dns = DNS in needed
    source = rdap_source() if RDAP in needed else None
    if not snapshots or not (want_dns or source):
        return list(snapshots)
    names = {id(s): dns_names(s) if want_dns else [] for s in snapshots}
    asked = {id(s): rdap_domains(s) if source else [] for s in snapshots}
    all_names = list(dict.fromkeys(n for s in snapshots for n in names[id(s)]))
    all_domains = list(dict.fromkeys(d for s in snapshots for d in asked[id(s)]))
    deadline = time.monotonic() + (chunk_budget_seconds() if budget is None else budget)
    dns_concurrency = int(getattr(settings, "INSPECTION_DNS_CONCURRENCY", 64))
    rdap_concurrency = int(getattr(settings, "INSPECTION_RDAP_CONCURRENCY", 4))

    async def look_up() -> tuple[dict, dict]:
        rdap = (
            _ask_rdap(source, all_domains, rdap_concurrency, deadline)
            if source and all_domains
            else asyncio.sleep(0, {})
        )
        return tuple(await asyncio.gather(_resolve(all_names, dns_concurrency), rdap))

    started = time.monotonic()
    answers, registrants = run_async(look_up)
    logger.info(
        "Look-ups of a chunk: names=%d dns_queries=%d rdap_domains=%d seconds=%.3f",
        len(all_names),
        dns_queries(answers.values()),
        len(all_domains),
        time.monotonic() - started,
    )
    networks = provider_networks() if want_dns else None
    filled = []
    for snapshot in snapshots:
        lookups = dict(snapshot.lookups)
        if want_dns:
            lookups[DNS] = {name: answers[name] for name in names[id(snapshot)]}
            lookups[PROVIDER_NETWORKS] = networks
        if source:
            lookups[RDAP] = {domain: registrants[domain] for domain in asked[id(snapshot)]}
        filled.append(snapshot.with_lookups(lookups))
    return filled
