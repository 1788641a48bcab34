"""The bare DNS limit: dnspython's async resolver alone, no portal code around it.

The same query names and types the sweep sends (A and AAAA of every name) are split
over ``processes`` forked processes; each resolves its share with ``concurrency``
queries in flight. Queries per second = the queries answered (timeouts are not) ÷
the wall time from a common start to the last process's end; the best of the
concurrency levels is the limit.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Sequence

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

QUERY_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)


async def _resolve_all(
    names: Sequence[str], host: str, port: int, concurrency: int
) -> tuple[int, int]:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port)]
    resolver.timeout = resolver.lifetime = 2.0
    semaphore = asyncio.Semaphore(concurrency)
    failed = 0

    async def one(name: str, rdtype) -> None:
        nonlocal failed
        async with semaphore:
            try:
                await resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
            except dns.resolver.NXDOMAIN:
                pass
            except dns.exception.DNSException:
                failed += 1

    await asyncio.gather(*(one(name, rdtype) for name in names for rdtype in QUERY_TYPES))
    return len(names) * len(QUERY_TYPES), failed


def _process(names, host, port, concurrency, start_at, results) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    sent, failed = asyncio.run(_resolve_all(names, host, port, concurrency))
    results.put((sent, failed, time.time()))


def measure(
    names: Sequence[str], host: str, port: int, *, processes: int, concurrency: int
) -> dict:
    """Queries per second of ``processes`` processes resolving ``names`` (A and AAAA)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 0.5  # every process is forked and waiting by then
    shares = [list(names[n::processes]) for n in range(processes)]
    workers = [
        context.Process(target=_process, args=(share, host, port, concurrency, start_at, results))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    seconds = max(end for _sent, _failed, end in answers) - start_at
    queries = sum(sent for sent, _failed, _end in answers)
    failed = sum(failed for _sent, failed, _end in answers)
    return {
        "concurrency": concurrency,
        "queries": queries,
        "failed": failed,
        "seconds": round(seconds, 3),
        # Answered queries only: a level that overloads the server gains nothing by it.
        "qps": round((queries - failed) / seconds, 1),
    }


def best_rate(
    names: Sequence[str], host: str, port: int, *, processes: int, levels: Sequence[int]
) -> tuple[dict, list[dict]]:
    """The best of the concurrency ``levels``, and every measurement."""
    runs = [measure(names, host, port, processes=processes, concurrency=level) for level in levels]
    return max(runs, key=lambda run: run["qps"]), runs
