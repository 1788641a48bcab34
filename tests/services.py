"""Real services the tests talk to, and the rule for when one is missing.

Under ``CI=true`` a missing service is a failure: CI installs and starts everything,
so a skip there would hide a broken pipeline. On a developer's machine the test is
skipped with the reason, so a partial setup still runs the rest of the suite.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        service_missing(f"{name} is not installed")
    return path


def require_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {url} is not reachable: {exc}")
    finally:
        client.close()
