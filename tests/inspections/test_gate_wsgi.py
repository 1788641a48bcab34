"""The gate server's own WSGI entry point answers ``/gate/check`` exactly as the
portal does, without Django's request stack, and hands every other path to Django."""

from __future__ import annotations

import json
from wsgiref.util import setup_testing_defaults

import pytest

from inspections.gate.reconcile import reconcile
from inspections.gate.wsgi import GateApplication
from tests.factories import DomainFactory, RectificationCaseFactory
from tests.inspections import gate_fixtures
from tests.inspections.gate_fixtures import closed_port

gate_redis = gate_fixtures.gate_redis
pytestmark = pytest.mark.django_db


class Portal:
    """Stands for the portal's Django application: records what reached it."""

    def __init__(self):
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"portal"]


def call(app, path: str, query: str = "", method: str = "GET"):
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


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
        assert int(status.split()[0]) == django.status_code
        assert body == django.content
        for name in ("Content-Type", "Cache-Control", "X-Content-Type-Options", "X-ICP-Gate"):
            assert headers[name] == django[name]
        assert headers["Content-Length"] == str(len(body))
    assert json.loads(call(app, "/gate/check", "host=blocked.example.com")[2])["case"] == case.pk
    # AND the portal itself was never asked
    assert portal.paths == []


def test_bad_hosts_other_methods_and_head(gate_redis):
    app = GateApplication(Portal())
    status, _headers, body = call(app, "/gate/check", "host=a%20b")
    assert status == "400 Bad Request" and "error" in json.loads(body)
    status, headers, _body = call(app, "/gate/check", "host=example.com", method="POST")
    assert status == "405 Method Not Allowed" and headers["Allow"] == "GET, HEAD"
    status, headers, body = call(app, "/gate/check", "host=example.com", method="HEAD")
    assert status == "403 Forbidden" and body == b"" and int(headers["Content-Length"]) > 0


def test_other_paths_go_to_the_portal(gate_redis):
    portal = Portal()
    app = GateApplication(portal)
    assert call(app, "/healthz")[2] == b"portal"
    assert call(app, "/gate/check/")[2] == b"portal"
    assert portal.paths == ["/healthz", "/gate/check/"]


def test_with_redis_down_it_answers_from_the_database(gate_redis, settings):
    # GIVEN a blocked website, and a Redis that does not answer
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    reconcile()
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    gate_fixtures.store.forget_connections()

    # WHEN the gate server is asked
    status, _headers, body = call(
        GateApplication(Portal()), "/gate/check", "host=blocked.example.com"
    )

    # THEN the database answers
    assert status == "403 Forbidden"
    assert json.loads(body)["source"] == "database"
