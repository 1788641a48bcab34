"""Where the gate keeps its decisions in Redis, and how one is written there.

One hash, ``icp:gate:decisions``: field = normalised host, value = the decision as
compact JSON. The field ``~ready`` (never a host name) is set by the reconcile that
built the hash; without it the hash is partial (Redis restarted or was flushed since)
and the gate asks the database instead. A rebuild fills a scratch hash and swaps it in
with RENAME, so readers never see a half-built table.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

# "icp:gate:decisions" unless ICP_GATE_REDIS_KEY names another (a benchmark's scratch).
DECISIONS_KEY = settings.GATE_REDIS_KEY
READY_FIELD = "~ready"


@dataclass(frozen=True)
class Decision:
    """What the gate answers for one host: allowed, blocked, cancelled or unfiled."""

    host: str
    state: str
    reason: str = ""
    case_id: int | None = None
    # The covering name the decision was found under ("example.com" for "www.example.com").
    matched: str = ""

    @property
    def allows(self) -> bool:
        return self.state == "allowed"


def encode(state: str, reason: str, case_id: int | None) -> str:
    return json.dumps({"s": state, "r": reason or "", "c": case_id}, separators=(",", ":"))


def decode(host: str, raw: bytes | str, matched: str) -> Decision:
    value = json.loads(raw)
    return Decision(
        host=host, state=value["s"], reason=value["r"], case_id=value["c"], matched=matched
    )


class _Connection:
    """A client for one Redis URL, the time until which it is known to be down, and a
    connection of each thread's own for the gate's hot path."""

    def __init__(self, url: str):
        timeout = settings.GATE_REDIS_TIMEOUT_MS / 1000
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, health_check_interval=30
        )
        self.down_until = 0.0
        self.local = threading.local()

    def own(self) -> redis.connection.AbstractConnection:
        """This thread's connection, outside the pool: the check sends one command per
        request, and taking a pooled connection costs about as much as the command."""
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self.client.connection_pool.make_connection()
        return connection


_connections: dict[str, _Connection] = {}


def _connection() -> _Connection | None:
    url = settings.GATE_REDIS_URL
    if not url:
        return None
    connection = _connections.get(url)
    if connection is None:
        connection = _connections[url] = _Connection(url)
    return connection


def configured() -> bool:
    return bool(settings.GATE_REDIS_URL)


def client() -> redis.Redis | None:
    """The gate's Redis client, or None when none is configured or it just failed.

    After a failure Redis is left alone for ``GATE_REDIS_RETRY_SECONDS`` so that every
    request does not wait for a dead server's timeout.
    """
    connection = _connection()
    if connection is None or connection.down_until > time.monotonic():
        return None
    return connection.client


def read_hosts(names: list[str]) -> list | None:
    """HMGET of the ready mark and ``names`` on this thread's own connection; None
    when no Redis is configured or it failed moments ago. Raises ``redis.RedisError``."""
    connection = _connection()
    if connection is None or connection.down_until > time.monotonic():
        return None
    own = connection.own()
    try:
        own.send_command("HMGET", DECISIONS_KEY, READY_FIELD, *names, check_health=False)
        return own.read_response()
    except BaseException:
        # Whatever went wrong, the next command must not read this one's reply.
        own.disconnect()
        raise


def mark_down() -> None:
    connection = _connection()
    if connection is not None:
        connection.down_until = time.monotonic() + settings.GATE_REDIS_RETRY_SECONDS


def forget_connections() -> None:
    """Drop cached clients and failure marks (settings changed, or a test starts)."""
    for connection in _connections.values():
        own = getattr(connection.local, "connection", None)
        if own is not None:
            own.disconnect()
        connection.client.close()
    _connections.clear()
