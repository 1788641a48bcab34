"""Publishing decisions to Redis after they commit: ``publish_hosts``.

Actions that change ``AccessDecision`` rows call, inside their transaction::

    transaction.on_commit(lambda: publish_hosts(hosts))

The rows are read again after the commit, so Redis gets what the database holds, not
what the action meant to write. A failure to reach Redis is alerted, never raised:
the decision is safe in the database, the gate falls back to it while Redis is down,
and the periodic reconcile puts Redis right.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

import redis
from django.apps import apps

from inspections.gate import alerts, store
from inspections.gate.hosts import normalise_host

logger = logging.getLogger(__name__)

# Hosts read from the database per query, and written per HSET/HDEL command.
CHUNK = 5000


def _chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _normalised(hosts: Iterable[str]) -> list[str]:
    names: set[str] = set()
    for host in hosts:
        try:
            names.add(normalise_host(host))
        except ValueError as error:
            logger.warning("Not publishing a gate decision: %s", error)
    return sorted(names)


def encoded_decisions(hosts: list[str]) -> dict[str, str]:
    """The stored decision of each host that has one, encoded for Redis."""
    access_decision = apps.get_model("inspections", "AccessDecision")
    found: dict[str, str] = {}
    for chunk in _chunks(hosts):
        rows = access_decision.objects.filter(host__in=chunk).values_list(
            "host", "state", "reason", "case_id"
        )
        for host, state, reason, case_id in rows:
            found[host] = store.encode(state, reason, case_id)
    return found


def publish_hosts(hosts: Iterable[str]) -> None:
    """Write the current decisions of ``hosts`` to Redis in one pipeline.

    A host without a row is removed from Redis (the gate then finds it unfiled, or
    covered by a parent name's decision).
    """
    names = _normalised(hosts)
    if not names:
        return
    client = store.client()
    if client is None:
        if store.configured():
            alerts.raise_alert(
                "publish-failed",
                f"Redis was down a moment ago; {len(names)} decision(s) wait for the reconcile.",
            )
        return
    found = encoded_decisions(names)
    missing = [host for host in names if host not in found]
    pipeline = client.pipeline(transaction=False)
    items = list(found.items())
    for start in range(0, len(items), CHUNK):
        pipeline.hset(store.DECISIONS_KEY, mapping=dict(items[start : start + CHUNK]))
    for chunk in _chunks(missing):
        pipeline.hdel(store.DECISIONS_KEY, *chunk)
    try:
        pipeline.execute()
    except redis.RedisError as error:
        store.mark_down()
        alerts.raise_alert(
            "publish-failed",
            f"Could not publish {len(names)} gate decision(s) to Redis ({error}); "
            "the gate reads the database until Redis answers, the reconcile repairs it.",
        )
    finally:
        pipeline.reset()
