"""The periodic reconcile: recompute every host's decision, then rebuild Redis.

1. ``recompute_decisions``: set-based SQL, one statement per range of domain ids.
   A host of an active filing is *blocked* or *cancelled* while its website has a
   case in ``access_blocked`` / ``access_cancelled`` / ``transfer_cancelled`` (or its
   access here was cancelled), with that case and the reason its action wrote;
   *allowed* when the website is filed and accessed here (a transfer that passed
   provider review counts), *unfiled* otherwise. A decision whose host is no longer
   in an active filing becomes *unfiled*, except a cancelled transfer's (its end took
   the domains out of use; the decision stays as the escalation wrote it). Rows only
   change when the decision does, so ``updated_at`` says when a decision last
   changed; a decision changed in the last ``SETTLED_AFTER`` is left alone.
2. ``rebuild_redis``: streams the decisions in id order into a scratch hash and swaps
   it in atomically, then re-publishes what changed while it was building.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

import redis
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from inspections.gate import alerts, reasons, store
from inspections.gate.publish import publish_hosts

logger = logging.getLogger(__name__)

CHUNK = 10_000
# Decisions written this long before a rebuild started are re-published after it:
# longer than any transaction that writes decisions.
REPUBLISH_MARGIN = timedelta(minutes=2)
# A decision changed more recently than this is left to the action that changed it:
# the reconcile reads filings and cases as of its statement's start, and must not undo
# a block or a lift committed by an enforcement transaction running meanwhile.
SETTLED_AFTER = timedelta(minutes=2)
LOCK_KEY = "icp:gate:reconcile-lock"
ACCESSED_STATES = ("accessed", "transfer_pending")


@dataclass
class ReconcileResult:
    changed: int = 0
    unfiled: int = 0
    published: int = 0
    redis_rebuilt: bool = False


def _tables() -> dict[str, str]:
    return {
        "decision": apps.get_model("inspections", "AccessDecision")._meta.db_table,
        "case": apps.get_model("inspections", "RectificationCase")._meta.db_table,
        "domain": apps.get_model("filings", "Domain")._meta.db_table,
        "website": apps.get_model("filings", "Website")._meta.db_table,
    }


def _upsert_sql(t: dict[str, str]) -> str:
    # Table names come from the models' meta, values are parameters.
    # The most severe case of the website: a cancel outranks a block. A cancelled
    # transfer counts until the website is accessed here again (a later transfer).
    case = f"""(SELECT c.{{col}} FROM {t["case"]} c
                 WHERE c.website_id = w.id
                   AND (c.state IN (%s, %s)
                        OR (c.state = %s AND w.access_state NOT IN (%s, %s)))
                 ORDER BY CASE WHEN c.state = %s THEN 1 ELSE 0 END, c.id DESC LIMIT 1)"""  # noqa: S608
    return f"""
    INSERT INTO {t["decision"]} (host, state, reason, case_id, website_id, tenant_id, updated_at)
    SELECT host,
           CASE WHEN case_state IN (%s, %s) THEN 'cancelled'
                WHEN case_state IS NOT NULL THEN 'blocked'
                WHEN access_state = 'access_cancelled' THEN 'cancelled'
                WHEN filing_state = 'filed' AND access_state IN (%s, %s) THEN 'allowed'
                ELSE 'unfiled' END,
           CASE WHEN case_state = %s THEN %s
                WHEN case_state = %s THEN %s
                WHEN case_state IS NOT NULL THEN %s
                WHEN access_state = 'access_cancelled' THEN %s
                WHEN filing_state = 'filed' AND access_state IN (%s, %s) THEN %s
                ELSE %s END,
           case_id, website_id, tenant_id, %s
    FROM (SELECT d.name AS host, w.id AS website_id, w.tenant_id, w.filing_state,
                 w.access_state, {case.format(col="id")} AS case_id,
                 {case.format(col="state")} AS case_state
          FROM {t["domain"]} d JOIN {t["website"]} w ON w.id = d.website_id
          WHERE d.is_active AND d.id >= %s AND d.id < %s) AS computed
    WHERE true
    ON CONFLICT (host) DO UPDATE SET
        state = excluded.state, reason = excluded.reason, case_id = excluded.case_id,
        website_id = excluded.website_id, tenant_id = excluded.tenant_id,
        updated_at = excluded.updated_at
    WHERE {t["decision"]}.updated_at < %s
      AND ({t["decision"]}.state IS DISTINCT FROM excluded.state
           OR {t["decision"]}.reason IS DISTINCT FROM excluded.reason
           OR {t["decision"]}.case_id IS DISTINCT FROM excluded.case_id
           OR {t["decision"]}.website_id IS DISTINCT FROM excluded.website_id)
    """  # noqa: S608


def _upsert_params(now, low: int, high: int) -> list:
    cancelled, blocked, transfer = "access_cancelled", "access_blocked", "transfer_cancelled"
    case_params = [blocked, cancelled, transfer, *ACCESSED_STATES, blocked]
    return [
        cancelled,
        transfer,
        *ACCESSED_STATES,
        cancelled,
        reasons.CANCELLED,
        transfer,
        reasons.TRANSFER_CANCELLED,
        reasons.BLOCKED,
        reasons.CANCELLED,
        *ACCESSED_STATES,
        reasons.FILED,
        reasons.NOT_ACCESSED,
        now,
        *case_params,
        *case_params,
        low,
        high,
        now - SETTLED_AFTER,
    ]


def _id_ranges(table: str, where: str = "") -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table} {where}")  # noqa: S608
        low, high = cursor.fetchone()
    if low is None:
        return []
    return [(start, start + CHUNK) for start in range(low, high + 1, CHUNK)]


def recompute_decisions() -> tuple[int, int]:
    """Bring every decision in line with filings and cases; (changed, made unfiled)."""
    t = _tables()
    upsert = _upsert_sql(t)
    changed = unfiled = 0
    for low, high in _id_ranges(t["domain"], "WHERE is_active"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(upsert, _upsert_params(timezone.now(), low, high))
            changed += max(cursor.rowcount, 0)
    orphan = f"""
        UPDATE {t["decision"]} SET state = 'unfiled', reason = %s, case_id = NULL,
               website_id = NULL, tenant_id = NULL, updated_at = %s
        WHERE id >= %s AND id < %s AND state <> 'unfiled' AND updated_at < %s
          AND NOT EXISTS (SELECT 1 FROM {t["domain"]} d
                          WHERE d.is_active AND d.name = {t["decision"]}.host)
          -- A cancelled transfer took its domains out of use and keeps its decision.
          AND NOT EXISTS (SELECT 1 FROM {t["case"]} c JOIN {t["website"]} w
                                 ON w.id = c.website_id
                          WHERE c.id = {t["decision"]}.case_id AND c.state = %s
                            AND w.access_state NOT IN (%s, %s))
    """  # noqa: S608
    for low, high in _id_ranges(t["decision"]):
        with transaction.atomic(), connection.cursor() as cursor:
            now = timezone.now()
            cursor.execute(
                orphan,
                [reasons.NO_FILING, now, low, high, now - SETTLED_AFTER,
                 "transfer_cancelled", *ACCESSED_STATES],
            )  # fmt: skip
            unfiled += max(cursor.rowcount, 0)
    return changed, unfiled


def _swap_in(client: redis.Redis, scratch: str, ready_at: str) -> None:
    old = f"{store.DECISIONS_KEY}:old:{uuid.uuid4().hex}"
    pipeline = client.pipeline(transaction=True)
    pipeline.hset(scratch, store.READY_FIELD, ready_at)
    pipeline.persist(scratch)
    if client.exists(store.DECISIONS_KEY):
        pipeline.rename(store.DECISIONS_KEY, old)
    pipeline.rename(scratch, store.DECISIONS_KEY)
    pipeline.execute()
    # Freed in the background: deleting a million fields inline would stall Redis.
    client.unlink(old)


def rebuild_redis(client: redis.Redis) -> int:
    """Rebuild the Redis hash from the database; answers how many rows it re-published."""
    access_decision = apps.get_model("inspections", "AccessDecision")
    started = timezone.now()
    scratch = f"{store.DECISIONS_KEY}:building:{uuid.uuid4().hex}"
    rows = access_decision.objects.order_by("id").values_list(
        "id", "host", "state", "reason", "case_id"
    )
    last_id = 0
    while True:
        chunk = list(rows.filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            break
        last_id = chunk[-1][0]
        pipeline = client.pipeline(transaction=False)
        pipeline.hset(
            scratch,
            mapping={
                host: store.encode(state, reason, case) for _, host, state, reason, case in chunk
            },
        )
        # A crashed rebuild leaves nothing behind for long.
        pipeline.expire(scratch, 3600)
        pipeline.execute()
    _swap_in(client, scratch, started.isoformat())
    # Decisions published into the old hash while this one was being built.
    changed = access_decision.objects.filter(updated_at__gte=started - REPUBLISH_MARGIN)
    hosts = list(changed.values_list("host", flat=True).iterator(chunk_size=CHUNK))
    publish_hosts(hosts)
    return len(hosts)


def reconcile() -> ReconcileResult:
    """Recompute the decisions and rebuild Redis; one run at a time across workers."""
    result = ReconcileResult()
    client = store.client() if store.configured() else None
    lock = None
    if client is not None:
        try:
            lock = client.lock(LOCK_KEY, timeout=1800, blocking=False)
            if not lock.acquire():
                logger.info("Another gate reconcile is running; this one stops.")
                return result
        except redis.RedisError as error:
            store.mark_down()
            client, lock = None, None
            alerts.raise_alert("reconcile-redis", f"Redis is down ({error}); decisions only.")
    try:
        result.changed, result.unfiled = recompute_decisions()
        if client is not None:
            try:
                result.published = rebuild_redis(client)
                result.redis_rebuilt = True
            except redis.RedisError as error:
                store.mark_down()
                alerts.raise_alert("reconcile-redis", f"Could not rebuild Redis: {error}")
    finally:
        if lock is not None:
            try:
                lock.release()
            except redis.RedisError:
                logger.warning("Could not release the gate reconcile lock; it expires by itself.")
    logger.info(
        "Gate reconcile: %d decision(s) changed, %d made unfiled, Redis %s",
        result.changed,
        result.unfiled,
        "rebuilt" if result.redis_rebuilt else "not rebuilt",
    )
    return result
