"""The cases the queue benchmark pages through, written set-based.

Tenants, heads and entities go in through the ORM (a few thousand rows, ID numbers
encrypted by their fields); websites and domains with ``bulk_create``; cases and their
findings with one ``INSERT … SELECT`` each over the websites, so 100,000 cases take
seconds. States, deadlines, assignees, provinces and rules are spread the way a real
queue's are: most cases open, deadlines from ten days past to forty ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from filings.models import Entity
from icpportal.crypto import keyed_hash
from icpportal.models import StaffProfile, Tenant
from inspections.benchmarks import _filings

TENANTS = 8
WEBSITES_PER_ENTITY = 25
REVIEWERS = 5
BATCH = 10_000
PROVINCES = ("110000", "310000", "330000", "440000", "510000", "530000")
RULES = (
    "entity_identity",
    "contact_reachability",
    "required_materials",
    "dns_ip_ownership",
    "domain_expiry",
    "domain_owner",
    "content_consistency",
    "access_provider",
)


@dataclass(frozen=True)
class QueueData:
    lead: object
    reviewers: list


def build(n: int, report) -> QueueData:
    """``n`` cases over ``TENANTS`` customers, ``PROVINCES`` and ``RULES``."""
    users = get_user_model().objects
    lead = users.create_user(username="bench-lead", email="lead@bench.example.com")
    StaffProfile.objects.create(user=lead, role=StaffProfile.Role.LEAD)
    reviewers = []
    for r in range(REVIEWERS):
        user = users.create_user(username=f"bench-reviewer-{r}", email=f"r{r}@bench.example.com")
        StaffProfile.objects.create(user=user, role=StaffProfile.Role.REVIEWER)
        reviewers.append(user)
    tenants, heads = [], []
    for t in range(TENANTS):
        tenant = Tenant.objects.create(name=f"压测客户{t}", slug=f"bench-queue-{t}")
        tenants.append(tenant)
        heads.append(_filings.head(tenant, t))
    entity_count = (n + WEBSITES_PER_ENTITY - 1) // WEBSITES_PER_ENTITY
    entities = []
    for e in range(entity_count):
        t = e % TENANTS
        number = f"91330106MA{e:08d}"
        entities.append(
            Entity(
                tenant=tenants[t],
                entity_type="enterprise",
                name="张三" if e == 0 else f"压测{e}号网络科技有限公司",
                id_type="uscc",
                id_number=number,
                id_number_hash=keyed_hash(number),
                province_id=PROVINCES[e % len(PROVINCES)],
                address="杭州市西湖区文三路1号",
                legal_representative=heads[t].name,
                head=heads[t],
                office_phone="+8657188886666",
                emergency_phone="+8613900000000",
                email=f"office{e}@bench.example.com",
                filing_number=f"浙ICP备26{e:06d}号",
            )
        )
    Entity.objects.bulk_create(entities, batch_size=BATCH)
    report(f"  {len(entities)} entities of {TENANTS} customers")
    made = 0
    for saved, _domains in _filings.websites(
        n,
        entities,
        per_entity=WEBSITES_PER_ENTITY,
        name="压测网站{i}",
        host="q{i}.queue-bench.test",
        batch=BATCH,
    ):
        made += len(saved)
        report(f"  {made} / {n} websites")
    _cases_and_findings([r.pk for r in reviewers])
    with connection.cursor() as cursor:
        # As autovacuum leaves a table in steady use: statistics and the visibility
        # map set, so index-only scans need no heap visits.
        cursor.execute("VACUUM ANALYZE")
    return QueueData(lead=lead, reviewers=reviewers)


def _cases_and_findings(reviewer_ids: list[int]) -> None:
    rules = "ARRAY[" + ",".join(f"'{code}'" for code in RULES) + "]"
    with connection.cursor() as cursor:
        # One case per website: 15 % resolved, the rest open in the usual states; the
        # deadline spread over fifty days around now (past for overdue and blocked).
        cursor.execute(
            f"""
            INSERT INTO inspections_rectificationcase
              (tenant_id, website_id, entity_id, state, opened_at, deadline, period_kind,
               period_days, paused_seconds, extension_count, extension_reasons, hold_reason,
               assignee_id, updated_at)
            SELECT tenant_id, id, entity_id, state, deadline - interval '14 days', deadline,
                   'working', 10, 0, 0, '[]'::jsonb, '',
                   CASE WHEN id %% 3 = 0 THEN NULL
                        ELSE (%s::bigint[])[1 + id %% {len(reviewer_ids)}] END,
                   now()
            FROM (
              SELECT w.*, s.state,
                     CASE WHEN s.state IN ('overdue', 'access_blocked')
                          THEN now() - ((w.id * 7919) %% 240) * interval '1 hour'
                          ELSE now() + (((w.id * 7919) %% 1200) - 240) * interval '1 hour'
                     END AS deadline
              FROM filings_website w,
              LATERAL (SELECT CASE
                  WHEN (w.id * 31) %% 100 < 15 THEN 'resolved'
                  WHEN (w.id * 31) %% 100 < 25 THEN 'overdue'
                  WHEN (w.id * 31) %% 100 < 28 THEN 'access_blocked'
                  WHEN (w.id * 31) %% 100 < 35 THEN 'remediation_submitted'
                  ELSE 'notified' END AS state) s
            ) AS w
            """,  # noqa: S608 (constants of this module)
            [reviewer_ids],
        )
        for offset, every in ((0, 1), (3, 2)):
            cursor.execute(
                f"""
                INSERT INTO inspections_casefinding
                  (case_id, tenant_id, rule_code, rule_version, severity, message, evidence,
                   status, first_seen_at, last_seen_at, waived_reason)
                SELECT id, tenant_id, ({rules})[1 + (id + {offset}) % {len(RULES)}], 1,
                       'blocking', 'Benchmark finding.', '{{}}'::jsonb,
                       CASE WHEN state = 'resolved' THEN 'passed' ELSE 'open' END,
                       opened_at, opened_at, ''
                FROM inspections_rectificationcase WHERE id % {every} = 0
                """  # noqa: S608 (constants of this module)
            )
