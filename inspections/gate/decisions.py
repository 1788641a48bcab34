"""What the gate answers for a host: Redis first, the database when Redis is down,
and — when neither answers — let the host through and raise an alert, because
taking every customer offline is worse than missing a block for a few minutes.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import DatabaseError

from inspections.gate import alerts, reasons, store
from inspections.gate.hosts import covering_hosts

ALLOWED = "allowed"
UNFILED = "unfiled"
NO_FILING_REASON = reasons.NO_FILING


def _first_found(host: str, names: list[str], values: list) -> store.Decision:
    for name, raw in zip(names, values, strict=True):
        if raw is not None:
            return store.decode(host, raw, name)
    return store.Decision(host=host, state=UNFILED, reason=NO_FILING_REASON)


def from_redis(host: str, names: list[str]) -> tuple[store.Decision | None, str]:
    """The decision from Redis, or (None, why) when Redis cannot give one."""
    if not store.configured():
        return None, ""
    try:
        values = store.read_hosts(names)
    except Exception as error:
        # Any failure here (not only a RedisError) falls back: an error answer would
        # deny every host behind an nginx auth_request.
        store.mark_down()
        return None, f"redis error: {error.__class__.__name__}"
    if values is None:
        return None, "redis failed moments ago"
    if values[0] is None:
        # Never built, or lost in a restart: a missing host would read as unfiled.
        return None, "redis not reconciled"
    return _first_found(host, names, values[1:]), ""


def from_database(host: str, names: list[str]) -> store.Decision:
    access_decision = apps.get_model("inspections", "AccessDecision")
    rows = access_decision.objects.filter(host__in=names).values_list(
        "host", "state", "reason", "case_id"
    )
    found = {name: (state, reason, case_id) for name, state, reason, case_id in rows}
    for name in names:
        if name in found:
            state, reason, case_id = found[name]
            return store.Decision(host, state, reason, case_id, matched=name)
    return store.Decision(host=host, state=UNFILED, reason=NO_FILING_REASON)


def decide(host: str) -> tuple[store.Decision, str]:
    """The decision for a normalised host, and where it came from.

    The source is ``redis``, ``database`` or ``fail-open`` (both down: allowed,
    alerted at CRITICAL).
    """
    decision, why = decide_from_redis(host)
    if decision is not None:
        return decision, "redis"
    return decide_without_redis(host, why)


def decide_from_redis(host: str) -> tuple[store.Decision | None, str]:
    """(decision, "redis"), or (None, why) when Redis cannot decide: never touches the
    database, so the gate's event loop can ask it (``inspections.gate.asgi``)."""
    decision, why = from_redis(host, covering_hosts(host))
    return (decision, "redis") if decision is not None else (None, why)


def decide_without_redis(host: str, why: str) -> tuple[store.Decision, str]:
    """The database's decision once Redis could not give one (``why``, alerted when
    set); and when the database fails too, let the host through with a CRITICAL alert."""
    if why:
        alerts.raise_alert("redis-fallback", f"The gate reads the database: {why}.")
    try:
        return from_database(host, covering_hosts(host)), "database"
    except DatabaseError as error:
        alerts.raise_alert(
            "fail-open",
            f"Neither Redis ({why}) nor the database ({error.__class__.__name__}) answered: "
            f"{host} is let through unchecked.",
            level=logging.CRITICAL,
        )
        return store.Decision(host=host, state=ALLOWED, reason="gate unavailable"), "fail-open"
