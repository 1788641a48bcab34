"""The gate server's own ASGI entry point answers ``/gate/check`` exactly as the
portal does, without Django's request stack, and hands every other path to Django;
the production gunicorn settings serve it on uvicorn workers."""

from __future__ import annotations

import asyncio
import http.client
import json
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.db import connections

from inspections.benchmarks._stack import database_url, free_port, gunicorn
from inspections.gate import store
from inspections.gate.asgi import GateApplication
from inspections.gate.reconcile import reconcile
from tests.factories import DomainFactory, RectificationCaseFactory
from tests.inspections import gate_fixtures
from tests.inspections.gate_fixtures import closed_port

gate_redis = gate_fixtures.gate_redis
pytestmark = pytest.mark.django_db


class Portal:
    """Stands for the portal's Django application: records what reached it."""

    def __init__(self):
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send):
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"portal"})


def call(app, path: str, query: str = "", method: str = "GET"):
    """(status, headers, body) of one ASGI HTTP request to ``app``."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"gate.internal")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8001),
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    async def serve():
        # One thread for the database fallback, whose connection is closed afterwards
        # (a test database with an open session cannot be dropped).
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
        await app(scope, receive, send)
        await loop.run_in_executor(None, connections.close_all)

    asyncio.run(serve())
    start, body = messages
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, body["body"]


def test_the_check_answers_as_the_portal_does(client, gate_redis, django_assert_num_queries):
    # GIVEN a blocked website and a filed one, reconciled into Redis
    blocked = DomainFactory(name="blocked.example.com")
    case = RectificationCaseFactory(website=blocked.website, state="access_blocked")
    DomainFactory(name="example.com")
    reconcile()
    portal = Portal()
    app = GateApplication(portal)

    for host in ("www.Blocked.example.com.:443", "shop.example.com", "nofiling.example.net"):
        # WHEN the gate server and the portal are asked the same question
        with django_assert_num_queries(0):
            status, headers, body = call(app, "/gate/check", f"host={host}")
        django = client.get("/gate/check", {"host": host})
        # THEN the status, the decision headers and the body are the same
        assert status == django.status_code
        assert body == django.content
        for name in ("Content-Type", "Cache-Control", "X-Content-Type-Options", "X-ICP-Gate"):
            assert headers[name.lower()] == django[name]
        assert headers["content-length"] == str(len(body))
    assert json.loads(call(app, "/gate/check", "host=blocked.example.com")[2])["case"] == case.pk
    # AND the portal itself was never asked
    assert portal.paths == []


def test_bad_hosts_other_methods_and_head(gate_redis):
    app = GateApplication(Portal())
    status, _headers, body = call(app, "/gate/check", "host=a%20b")
    assert status == 400 and "error" in json.loads(body)
    status, headers, _body = call(app, "/gate/check", "host=example.com", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = call(app, "/gate/check", "host=example.com", method="HEAD")
    assert status == 403 and body == b"" and int(headers["content-length"]) > 0


def test_other_paths_go_to_the_portal(gate_redis):
    portal = Portal()
    app = GateApplication(portal)
    assert call(app, "/healthz")[2] == b"portal"
    assert call(app, "/gate/check/")[2] == b"portal"
    assert portal.paths == ["/healthz", "/gate/check/"]


# The database fallback runs in a worker thread with a connection of its own, which
# sees only committed rows.
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_it_answers_from_the_database_and_alerts(gate_redis, settings, caplog):
    # GIVEN a blocked website, and a Redis that does not answer
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    reconcile()
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    store.forget_connections()

    # WHEN the gate server is asked
    status, _headers, body = call(
        GateApplication(Portal()), "/gate/check", "host=blocked.example.com"
    )

    # THEN the database answers, and the alert names the Redis failure itself
    assert status == 403
    assert json.loads(body)["source"] == "database"
    assert "redis error: ConnectionError" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_with_redis_not_reconciled_it_asks_the_database(gate_redis):
    # GIVEN a filed website whose Redis hash lost its ready mark (a flushed Redis):
    # a host missing there would wrongly read as unfiled
    DomainFactory(name="example.com")
    reconcile()
    gate_redis.hdel(store.DECISIONS_KEY, store.READY_FIELD)
    # WHEN the gate server is asked
    status, _headers, body = call(GateApplication(Portal()), "/gate/check", "host=example.com")
    # THEN the database answers, in the fallback thread: the host is allowed
    assert status == 200
    assert json.loads(body)["source"] == "database"


def test_the_production_settings_serve_the_check_on_uvicorn_workers(gate_redis, tmp_path):
    # GIVEN a blocked website reconciled into Redis, and the gate's own gunicorn
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    reconcile()
    port = free_port()
    env = {
        "ICP_ENV": "production",
        "ICP_DEBUG": "false",
        "ICP_SECRET_KEY": secrets.token_urlsafe(60),
        "ICP_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ICP_DATABASE_URL": database_url(django_settings.DATABASES["default"]["NAME"]),
        "ICP_REDIS_URL": django_settings.GATE_REDIS_URL,
        "ICP_GATE_REDIS_KEY": store.DECISIONS_KEY,
        "ICP_FIELD_KEYS": Fernet.generate_key().decode(),
        "GUNICORN_GATE_BIND": f"127.0.0.1:{port}",
        "GUNICORN_GATE_WORKERS": "1",
    }
    log = tmp_path / "gate.log"
    with gunicorn("deploy/gunicorn-gate.conf.py", env, port, log, probe="/healthz"):
        # WHEN nginx would ask, twice on one kept-alive connection
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        answers = []
        for host in ("www.blocked.example.com", "nofiling.example.net"):
            connection.request("GET", f"/gate/check?host={host}")
            response = connection.getresponse()
            answers.append((response.status, response.getheader("X-ICP-Gate"), response.read()))
        connection.close()
    # THEN both answers come from Redis through the uvicorn worker
    assert [(status, state) for status, state, _body in answers] == [
        (403, "blocked"),
        (403, "unfiled"),
    ]
    assert all(json.loads(body)["source"] == "redis" for _status, _state, body in answers)
    assert "inspections.gate.worker.GateWorker" in log.read_text()
