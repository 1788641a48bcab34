"""``manage.py bench sweep`` end to end at a tiny size: real worker, dnsmasq, RDAP stub.

Not a timing test: it checks that the benchmark runs the whole pipeline and answers
its figures, with nothing missing or doubled, and leaves no database behind.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from inspections.rules import all_rules
from tests.services import require_executable, require_redis

pytestmark = pytest.mark.django_db(transaction=True)

WEBSITES = 200
FIGURES = {
    "websites", "seconds", "websites_per_s", "dns_queries", "dns_baseline_qps",
    "ratio_to_dns_limit", "worker_rss_mib", "duplicate_results", "missing_results",
    "worker_cpu_seconds", "load_average",
}  # fmt: skip


def database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def test_the_sweep_benchmark_runs_the_whole_pipeline_at_a_tiny_size(settings):
    # GIVEN PostgreSQL, Redis and dnsmasq
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark creates its database on PostgreSQL")
    require_redis(settings.REDIS_URL)
    require_executable("dnsmasq")
    database = f"{connection.settings_dict['NAME']}_bench"
    out, progress = StringIO(), StringIO()

    # WHEN the benchmark runs over 200 websites with one bare-DNS concurrency level
    call_command(
        "bench", "sweep", f"--websites={WEBSITES}", "--chunk-size=50", f"--database={database}",
        "--dns-levels=64", stdout=out, stderr=progress,
    )  # fmt: skip

    # THEN its last line is the JSON figures, every website inspected by every rule once
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(figures) >= FIGURES, progress.getvalue()
    assert figures["benchmark"] == "sweep" and figures["websites"] == WEBSITES
    assert figures["duplicate_results"] == 0 and figures["missing_results"] == 0
    assert figures["results"] == WEBSITES * len(all_rules())
    assert figures["failed_websites"] == 0
    # AND the workers really resolved: A and AAAA of each domain and its www. name
    assert figures["dns_queries"] == WEBSITES * 2 * 2
    assert figures["dns_baseline_qps"] > 0 and figures["ratio_to_dns_limit"] > 0
    assert 0 < figures["worker_rss_mib"] < 1024
    # AND the workers' own CPU time is counted, apart from the machine's load
    assert 0 < figures["worker_cpu_seconds"] < figures["seconds"] * figures["workers"]
    assert len(figures["load_average"]) == 2
    # AND the deliberate findings are there: 1 website in 100 outside our networks
    assert figures["result_statuses"]["fail"] >= WEBSITES // 100
    # AND the benchmark's database is gone, this one untouched
    assert not database_exists(database)
    assert connection.settings_dict["NAME"] != database
