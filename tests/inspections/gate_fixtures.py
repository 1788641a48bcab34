"""Shared set-up of the access gate tests: the gate's Redis, clean for each test."""

from __future__ import annotations

import socket

import pytest
import redis

from inspections.gate import alerts, store
from tests.services import require_redis


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gate_redis(settings) -> redis.Redis:
    """The gate's Redis (the configured one), its decisions hash emptied."""
    url = settings.REDIS_URL or "redis://127.0.0.1:6379/6"
    require_redis(url)
    settings.GATE_REDIS_URL = url
    settings.GATE_ALERT_EMAILS = []
    store.forget_connections()
    alerts.reset()
    client = redis.Redis.from_url(url)
    client.delete(store.DECISIONS_KEY)
    yield client
    client.delete(store.DECISIONS_KEY)
    client.close()
    store.forget_connections()


def decision_in_redis(client: redis.Redis, host: str) -> dict | None:
    import json

    raw = client.hget(store.DECISIONS_KEY, host)
    return None if raw is None else json.loads(raw)
