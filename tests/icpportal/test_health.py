from __future__ import annotations

import pytest

from tests.services import require_redis

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_redis(client, settings):
    require_redis(settings.REDIS_URL or "redis://127.0.0.1:6379/15")
    settings.REDIS_URL = settings.REDIS_URL or "redis://127.0.0.1:6379/15"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_healthz_fails_when_redis_is_down(client, settings):
    # GIVEN a Redis URL where nothing listens
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"
