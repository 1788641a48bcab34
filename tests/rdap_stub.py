"""A local RDAP service for tests: RFC 9083 JSON from a dict the test fills.

Load it in a test module with ``pytest_plugins = ["tests.rdap_stub"]`` and use the
``rdap_stub`` fixture::

    rdap_stub.serve("example.com", org="示例科技有限公司")
    rdap_stub.serve_redacted("redacted.com")
    rdap_stub.domains["broken.com"] = 503          # an HTTP status instead of a body
    RdapSource(rdap_stub.base_url, …)

A name missing from ``domains`` answers 404 with an RFC 9083 error body. Every request
is recorded in ``requests`` as (monotonic time, path). The class works without pytest
too, e.g. for the benchmark.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest


def vcard(fn: str | None = None, org: str | None = None, **more: str) -> list:
    """A jCard (RFC 7095) with the given properties."""
    properties: list = [["version", {}, "text", "4.0"]]
    if fn is not None:
        properties.append(["fn", {}, "text", fn])
    if org is not None:
        properties.append(["org", {}, "text", org])
    for prop, value in more.items():
        properties.append([prop, {}, "text", value])
    return ["vcard", properties]


def rdap_domain(
    name: str,
    *,
    fn: str | None = None,
    org: str | None = None,
    with_registrant: bool = True,
    redacted: list[dict] | None = None,
) -> dict:
    """An RFC 9083 domain answer with a registrar and (optionally) a registrant."""
    entities = [
        {
            "objectClassName": "entity",
            "handle": "292",
            "roles": ["registrar"],
            "vcardArray": vcard(fn="Example Registrar, Inc."),
            "entities": [
                {
                    "objectClassName": "entity",
                    "roles": ["abuse"],
                    "vcardArray": vcard(fn="Abuse Desk", email="abuse@registrar.example"),
                }
            ],
        }
    ]
    if with_registrant:
        entities.append(
            {
                "objectClassName": "entity",
                "handle": f"REG-{name.upper()}",
                "roles": ["registrant"],
                "vcardArray": vcard(fn=fn, org=org),
            }
        )
    body = {
        "objectClassName": "domain",
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_1"],
        "handle": name.upper(),
        "ldhName": name,
        "status": ["client transfer prohibited"],
        "events": [{"eventAction": "expiration", "eventDate": "2030-01-01T00:00:00Z"}],
        "entities": entities,
    }
    if redacted is not None:
        body["rdapConformance"].append("redacted")
        body["redacted"] = redacted
    return body


def redacted_rdap_domain(name: str) -> dict:
    """An ICANN-style answer: registrant name removed per RFC 9537, org a placeholder."""
    return rdap_domain(
        name,
        org="REDACTED FOR PRIVACY",
        redacted=[
            {
                "name": {"type": "Registrant Name"},
                "prePath": "$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='fn')]",
                "method": "removal",
                "reason": {"type": "Server policy"},
            },
            {
                "name": {"type": "Registrant Email"},
                "prePath": (
                    "$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='email')]"
                ),
                "method": "removal",
            },
        ],
    )


class RdapStub:
    """A threaded HTTP server on 127.0.0.1 at a free port."""

    def __init__(self):
        self.domains: dict[str, dict | int] = {}
        self.requests: list[tuple[float, str]] = []
        # Seconds to wait before answering, to make a client time out.
        self.delay = 0.0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                stub.requests.append((time.monotonic(), self.path))
                if stub.delay:
                    time.sleep(stub.delay)
                prefix = "/domain/"
                name = (
                    unquote(self.path[len(prefix) :]).lower()
                    if self.path.startswith(prefix)
                    else ""
                )
                answer = stub.domains.get(name, 404)
                if isinstance(answer, int):
                    status = answer
                    body = {"errorCode": status, "title": "Not Found" if status == 404 else "Error"}
                else:
                    status, body = 200, answer
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/rdap+json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass  # keep test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def serve(self, name: str, **kwargs) -> dict:
        """Answer ``name`` with a registrant (``fn``, ``org``: see ``rdap_domain``)."""
        self.domains[name] = rdap_domain(name, **kwargs)
        return self.domains[name]

    def serve_redacted(self, name: str) -> dict:
        """Answer ``name`` with an ICANN-style redacted registrant."""
        self.domains[name] = redacted_rdap_domain(name)
        return self.domains[name]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests_for(self, name: str) -> int:
        return sum(1 for _at, path in self.requests if path == f"/domain/{name}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def rdap_stub() -> Iterator[RdapStub]:
    stub = RdapStub()
    yield stub
    stub.close()
