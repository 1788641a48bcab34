"""``bench sweep``: a whole campaign over N generated websites, as production runs it.

1. A database of its own (``--database``, created on the configured PostgreSQL
   server, migrated, dropped at the end) gets N filed websites with their entities,
   heads, domains, materials metadata and bureau records, set-based.
2. dnsmasq serves every domain and its ``www.`` name (hosts-file mode); the RDAP stub
   answers for the few domains without registrant data.
3. One ``celery worker`` (prefork, ``--workers`` pool processes, one per core by
   default) consumes a queue of its own from the configured Redis, with the
   ``resolvers`` DNS backend pointed at that dnsmasq.
4. A campaign over every rule is created and started like a lead starts one; the
   benchmark waits for it to finish and samples the workers' memory meanwhile.
5. The bare limit: dnspython's async resolver alone, as many processes, the same
   names and types (a sample of at most ``--baseline-names`` names), against the same
   dnsmasq, at a few concurrency levels; the best rate counts.

Figures: ``websites_per_s``; ``dns_queries`` the workers sent (from their logs);
``ratio_to_dns_limit`` = the sweep's DNS queries per second ÷ the bare limit;
``worker_rss_mib`` the largest resident memory of any worker process;
``duplicate_results`` and ``missing_results`` against one result per website and rule;
``worker_cpu_seconds`` the CPU time of the worker processes during the campaign and
``load_average`` the machine's before and after, since other work on the same cores
slows the sweep and the bare limit differently.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from inspections.benchmarks._dns_limit import best_rate
from inspections.benchmarks._fleet import build_fleet
from inspections.benchmarks._stack import RssSampler, Worker, bench_database
from inspections.campaigns import Scope, do_create_campaign, do_start_campaign
from inspections.models import Campaign, CampaignStatus, RuleResult, WebsiteInspection
from inspections.models.campaign import DEFAULT_CHUNK_SIZE
from inspections.rules import all_rules

HELP = "Inspect N generated websites with real workers, dnsmasq and RDAP; compare with bare DNS."
_QUERIES = re.compile(r"dns_queries=(\d+)")
_PHASES = re.compile(r"load=([\d.]+) lookups=([\d.]+) rules=([\d.]+) store=([\d.]+)")


def add_arguments(parser) -> None:
    parser.add_argument("--websites", type=int, default=20_000, help="websites to inspect")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="worker processes (one per core)"
    )
    parser.add_argument(
        "--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="websites per chunk task"
    )
    parser.add_argument(
        "--database", default="bench_sweep", help="name of the database the benchmark creates"
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="leave the benchmark database in place"
    )
    parser.add_argument(
        "--dns-levels",
        default="64,256,1024",
        help="concurrency levels of the bare DNS measurement, comma-separated",
    )
    parser.add_argument(
        "--baseline-names",
        type=int,
        default=60_000,
        help="at most this many names (×2 query types) in each bare DNS measurement",
    )
    parser.add_argument(
        "--timeout", type=int, default=3600, help="seconds to wait for the campaign"
    )


def run(options: dict, report) -> dict:
    websites, workers = int(options["websites"]), int(options["workers"])
    if websites < 1 or workers < 1:
        raise ValueError("--websites and --workers must be at least 1.")
    if not settings.REDIS_URL:
        raise RuntimeError("The benchmark needs Redis (ICP_REDIS_URL): the workers' broker.")
    dnsmasq = shutil.which("dnsmasq") or shutil.which("dnsmasq", path="/usr/sbin:/sbin")
    if not dnsmasq:
        raise RuntimeError("The benchmark needs dnsmasq installed.")
    from tests.dns_server import DnsmasqServer
    from tests.rdap_stub import RdapStub

    levels = [int(level) for level in str(options["dns_levels"]).split(",") if level.strip()]
    with (
        tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp,
        bench_database(options["database"], keep=options["keep_database"]) as database_url,
    ):
        workdir = Path(tmp)
        started = time.monotonic()
        fleet = build_fleet(websites, report)
        report(f"{websites} websites written in {time.monotonic() - started:.1f} s")
        dns = DnsmasqServer(dnsmasq, workdir / "dns").start(hosts=fleet.hosts, local_ttl=300)
        rdap = RdapStub()
        try:
            for domain, organisation in fleet.rdap_registrants.items():
                rdap.serve(domain, org=organisation)
            sweep = _sweep(options, workers, workdir, database_url, dns.address, rdap.base_url,
                           report)  # fmt: skip
            names = sorted({name for _ip, name in fleet.hosts})
            sample = names[:: max(1, -(-len(names) // int(options["baseline_names"])))]
            report(f"Bare DNS limit: {len(sample)} names × 2 types, levels {levels}")
            best, runs = best_rate(sample, "127.0.0.1", dns.port, processes=workers, levels=levels)
        finally:
            dns.stop()
            rdap.close()
    sweep_qps = sweep["dns_queries"] / sweep["seconds"] if sweep["seconds"] else 0.0
    return {
        "websites": websites,
        "workers": workers,
        "chunk_size": int(options["chunk_size"]),
        **sweep,
        "websites_per_s": round(websites / sweep["seconds"], 1),
        "seconds_per_1000_websites": round(1000 * sweep["seconds"] / websites, 3),
        "worker_cpu_ms_per_website": round(1000 * sweep["worker_cpu_seconds"] / websites, 3),
        "sweep_dns_qps": round(sweep_qps, 1),
        "dns_baseline_qps": best["qps"],
        "dns_baseline_concurrency": best["concurrency"],
        "dns_baseline_runs": runs,
        "ratio_to_dns_limit": round(sweep_qps / best["qps"], 3) if best["qps"] else 0.0,
        "fleet": {"entities": fleet.entities, "domains": fleet.domains,
                  "materials": fleet.materials, "rdap_domains": len(fleet.rdap_registrants)},
    }  # fmt: skip


def _sweep(options, workers, workdir, database_url, resolver, rdap_url, report) -> dict:
    queue = f"bench-sweep-{uuid.uuid4().hex[:12]}"
    worker = Worker(
        queue=queue,
        concurrency=workers,
        env={
            "ICP_DATABASE_URL": database_url,
            "ICP_REDIS_URL": settings.REDIS_URL,
            "ICP_DNS_BACKEND": "resolvers",
            "ICP_DNS_RESOLVERS": resolver,
            "ICP_RDAP_BASE_URL": rdap_url,
            "ICP_INSPECTION_QUEUE": queue,
        },
        log=workdir / "worker.log",
    )
    worker.start()
    report(f"Worker ready: {workers} pool processes on queue {queue}")
    try:
        campaign = do_create_campaign(
            name="Benchmark sweep", scope=Scope(), chunk_size=int(options["chunk_size"])
        )
        load_before = os.getloadavg()[0]
        with RssSampler(worker.pid) as sampler, _sent_to_the_broker():
            started = time.monotonic()
            do_start_campaign(campaign, queue=queue)
            status = _wait(campaign.pk, worker, float(options["timeout"]), report)
            seconds = time.monotonic() - started
            sampler.sample()
        load_after = os.getloadavg()[0]
    finally:
        worker.stop()
    if status != CampaignStatus.FINISHED:
        raise RuntimeError(f"The campaign ended {status}:\n{worker.tail()}")
    log = (workdir / "worker.log").read_text(errors="replace")
    return {
        "seconds": round(seconds, 3),
        "dns_queries": sum(int(n) for n in _QUERIES.findall(log)),
        # Seconds the chunks spent in each phase, summed over every worker process.
        "chunk_phase_seconds": {
            phase: round(sum(float(row[n]) for row in _PHASES.findall(log)), 1)
            for n, phase in enumerate(("load", "lookups", "rules", "store"))
        },
        "worker_rss_mib": round(sampler.max_mib, 1),
        # The machine may be shared: the workers' own CPU time does not depend on others,
        # the load average (1 min, before and after) says how busy it was.
        "worker_cpu_seconds": round(sampler.cpu_seconds, 1),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        **_completeness(campaign.pk),
    }


@contextlib.contextmanager
def _sent_to_the_broker():
    """Tasks go to the workers through Redis, even where tasks run eagerly (tests)."""
    from icpportal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def _wait(campaign_id: int, worker: Worker, timeout: float, report) -> str:
    deadline = time.monotonic() + timeout
    last_report = 0.0
    while time.monotonic() < deadline:
        campaign = Campaign.objects.values("status", "total_websites").get(pk=campaign_id)
        if campaign["status"] not in (CampaignStatus.PENDING, CampaignStatus.RUNNING):
            return campaign["status"]
        if not worker.alive():
            raise RuntimeError(f"The worker exited:\n{worker.tail()}")
        if time.monotonic() - last_report > 10:
            done = WebsiteInspection.objects.filter(campaign_id=campaign_id, status="done").count()
            report(f"  {done}/{campaign['total_websites']} websites inspected")
            last_report = time.monotonic()
        time.sleep(0.25)
    raise RuntimeError(f"The campaign did not finish within {timeout:.0f} s:\n{worker.tail()}")


def _completeness(campaign_id: int) -> dict:
    """Results against one per inspected website and rule."""
    rules = len(all_rules())
    results = RuleResult.objects.filter(campaign_id=campaign_id)
    pairs = results.values("website_id", "rule_code").distinct().count()
    expected = Campaign.objects.get(pk=campaign_id).total_websites * rules
    statuses = dict(
        results.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    failed = WebsiteInspection.objects.filter(campaign_id=campaign_id, status="failed").count()
    return {
        "results": results.count(),
        "duplicate_results": results.count() - pairs,
        "missing_results": max(0, expected - pairs),
        "failed_websites": failed,
        "result_statuses": statuses,
    }
