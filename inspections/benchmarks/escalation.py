"""``bench escalation``: N overdue cases blocked by W real worker processes, exactly once.

Builds its own database (``bench_escalation`` by default) with N websites, one domain
each, and N cases in ``overdue`` whose next step is the block; raises the hourly cap
and the campaign threshold above N; starts W ``celery worker`` processes (one pool
process each) and sends W escalation tasks, as W duplicated beats would. Then checks
that every case ended ``access_blocked`` with exactly one ``case.block`` audit row, a
``blocked`` access decision for its host, its outbox rows and its Redis key.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path
from tempfile import mkdtemp

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.utils import timezone

HELP = "Block N overdue rectification cases with W real workers; count duplicates and misses."

WEBSITES_PER_TENANT = 500
BUILD_BATCH = 5000


def add_arguments(parser) -> None:
    parser.add_argument("--cases", type=int, default=100_000, help="overdue cases (N)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (W)")
    parser.add_argument("--batch", type=int, default=10_000, help="cases per transaction")
    parser.add_argument("--database", default="bench_escalation", help="scratch database")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after (s)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")


def run(options: dict, report) -> dict:
    from inspections.benchmarks._stack import Worker, bench_database

    n, workers = options["cases"], options["workers"]
    queue = f"bench-escalation-{uuid.uuid4().hex[:8]}"
    with bench_database(options["database"], keep=options["keep"]) as url:
        started = time.monotonic()
        hosts = _build(n, report)
        report(f"built {n} overdue cases in {time.monotonic() - started:.1f} s")
        env = {
            "ICP_DATABASE_URL": url,
            "ICP_ENFORCEMENT_BLOCKS_PER_HOUR": str(n + 1),
            "ICP_ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD": str(n + 1),
            "ICP_ESCALATION_BATCH": str(options["batch"]),
            "ICP_ESCALATION_QUEUE": queue,
            "ICP_ESCALATION_TIME_BUDGET_SECONDS": str(int(options["timeout"])),
        }
        logs = Path(mkdtemp(prefix="bench-escalation-"))
        fleet = [
            Worker(queue=queue, concurrency=1, env=env, log=logs / f"worker{i}.log")
            for i in range(workers)
        ]
        try:
            for worker in fleet:
                worker.start()
            report(f"{workers} workers ready (logs in {logs})")
            seconds = _escalate(n, workers, queue, options["timeout"], fleet, report)
        finally:
            for worker in fleet:
                worker.stop()
        figures = _verify(n, hosts, report)
        _forget_hosts(hosts)
    return {"cases": n, "workers": workers, "seconds": round(seconds, 2), **figures}


def _build(n: int, report) -> list[str]:
    """N websites with one domain and an overdue case each; answers the hosts."""
    from filings.models import Entity
    from icpportal.models import Membership, Tenant
    from inspections.benchmarks import _filings
    from inspections.models import Campaign, CaseState, RectificationCase

    now = timezone.now()
    campaign = Campaign.objects.create(name="Benchmark campaign")
    tenants = (n + WEBSITES_PER_TENANT - 1) // WEBSITES_PER_TENANT
    entities = []
    for t in range(tenants):
        tenant = Tenant.objects.create(name=f"Bench customer {t}", slug=f"bench-{t}")
        owner = get_user_model().objects.create_user(
            username=f"bench-owner-{t}", email=f"owner{t}@bench.example.com"
        )
        Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.OWNER)
        head = _filings.head(tenant, t)
        entities.append(
            Entity.objects.create(
                tenant=tenant,
                entity_type="enterprise",
                name=f"基准测试有限公司{t}",
                id_type="uscc",
                id_number=f"bench-{t}",
                province_id="110000",
                address="北京市海淀区中关村大街1号",
                legal_representative=head.name,
                head=head,
                office_phone="+861088886666",
                emergency_phone="+8613900000000",
                email=f"office{t}@bench.example.com",
                filing_number=f"京ICP备2026{t:06d}号",
            )
        )
    hosts: list[str] = []
    overdue_since = now - timedelta(days=1)
    for websites, domains in _filings.websites(
        n,
        entities,
        per_entity=WEBSITES_PER_TENANT,
        name="基准网站{i}",
        host="site{i}.bench.example.com",
        batch=BUILD_BATCH,
    ):
        hosts += [d.name for d in domains]
        RectificationCase.objects.bulk_create(
            [
                RectificationCase(
                    tenant_id=w.tenant_id,
                    website=w,
                    entity_id=w.entity_id,
                    campaign=campaign,
                    state=CaseState.OVERDUE,
                    opened_at=overdue_since - timedelta(days=14),
                    deadline=overdue_since,
                    period_days=10,
                    half_period_warned_at=overdue_since,
                    last_day_warned_at=overdue_since,
                    next_step_at=overdue_since,
                )
                for w in websites
            ],
            batch_size=BUILD_BATCH,
        )
        report(f"  {len(hosts)} / {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return hosts


def _escalate(n: int, workers: int, queue: str, timeout: float, fleet, report) -> float:
    from icpportal.celery import app
    from inspections.models import CaseState, RectificationCase

    started = time.monotonic()
    for _ in range(workers):
        # As many escalation runs as workers: a duplicated beat, W times over.
        app.send_task("inspections.enforcement.tasks.escalate_due_cases", kwargs={}, queue=queue)
    # Polled with an EXISTS on the due index rather than a count of 100,000 rows five
    # times a second, which would take a good part of a core from the workers.
    due = RectificationCase.objects.filter(state=CaseState.OVERDUE, next_step_at__isnull=False)
    while time.monotonic() - started < timeout:
        if not due.exists():
            break
        if not all(w.alive() for w in fleet):
            raise RuntimeError("A worker died:\n" + "\n".join(w.tail() for w in fleet))
        time.sleep(0.2)
    seconds = time.monotonic() - started
    blocked = RectificationCase.objects.filter(state=CaseState.ACCESS_BLOCKED).count()
    report(f"{blocked} of {n} cases blocked after {seconds:.1f} s")
    return seconds


def _verify(n: int, hosts: list[str], report) -> dict:
    from icpportal.models import AuditEvent
    from inspections.gate import store
    from inspections.models import AccessDecision, AccessState, CaseState, RectificationCase
    from notifications.models import Notification

    blocks = (
        AuditEvent.objects.filter(action="case.block")
        .values("object_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    transitions = AuditEvent.objects.filter(action="case.block").count()
    duplicates = sum(row["n"] - 1 for row in blocks if row["n"] > 1)
    blocked_ids = set(
        RectificationCase.objects.filter(state=CaseState.ACCESS_BLOCKED).values_list(
            "pk", flat=True
        )
    )
    decided = AccessDecision.objects.filter(state=AccessState.BLOCKED).count()
    noticed = (
        Notification.objects.filter(template_key="case_blocked")
        .values("context__case")
        .distinct()
        .count()
    )
    client = store.client()
    published = 0
    if client is not None:
        for start in range(0, len(hosts), 10000):
            values = client.hmget(store.DECISIONS_KEY, hosts[start : start + 10000])
            published += sum(1 for v in values if v)
    missed = n - len(blocked_ids)
    report(
        f"audit rows {transitions}, decisions {decided}, cases with notices {noticed}, "
        f"Redis keys {published}"
    )
    return {
        "transitions": transitions,
        "duplicate_transitions": duplicates,
        "missed_cases": missed,
        "access_decisions": decided,
        "cases_with_outbox_rows": noticed,
        "outbox_rows": Notification.objects.filter(template_key="case_blocked").count(),
        "redis_keys": published,
    }


def _forget_hosts(hosts: list[str]) -> None:
    """The benchmark's decisions leave the configured Redis again."""
    from inspections.gate import store

    client = store.client()
    if client is None:
        return
    for start in range(0, len(hosts), 10000):
        client.hdel(store.DECISIONS_KEY, *hosts[start : start + 10000])
