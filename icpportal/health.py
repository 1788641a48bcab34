"""``/healthz``: is the database reachable, and Redis when it is configured."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    started = time.monotonic()
    checks: dict[str, str] = {}
    healthy = True
    probes = [("database", _check_database)]
    if settings.REDIS_URL:
        probes.append(("redis", _check_redis))
    for name, probe in probes:
        try:
            checks[name] = probe()
        except Exception as exc:
            checks[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    body = {
        "status": "ok" if healthy else "error",
        "checks": checks,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
