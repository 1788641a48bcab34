"""``bench queue``: the staff case queue and the staff cases API on a real server.

1. A database of its own (``--database``, created next to the configured one, migrated,
   dropped at the end) gets ``--cases`` cases over several customers, provinces and
   rules, set-based (``_queue_data``).
2. A lead with a confirmed authenticator app gets a session that passed its second
   factor, written with ``SessionStore`` as a login would.
3. gunicorn starts with the portal's own configuration (``deploy/gunicorn.conf.py``),
   ``ICP_ENV=production`` (DEBUG off, static files collected), the scratch database,
   on a free loopback port.
4. Each page is asked ``--requests`` times after a warm-up, one request at a time: the
   queue's first page, a deep page (page ≈ N/50/2), a filtered page (state, rule and
   province); the API's first page, a page ``--cursor-depth`` cursors deep, a filtered
   page.
5. The same six requests run once more in this process, each counted with
   ``CaptureQueriesContext`` (the server runs without DEBUG, so it cannot count).

Figures: ``cases``, ``p50_ms`` and ``p95_ms`` over every timed request, ``queries``
(the most any page took), ``pages`` (per page: p50, p95, queries, status), and the
load average (the machine is shared).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

from inspections.benchmarks._stack import BEHIND_NGINX, free_port, gunicorn

HELP = "Time the staff case queue page and the staff cases API over N cases on gunicorn."
ROOT = Path(settings.BASE_DIR)
TARGETS = {"p95_ms": 150, "queries": 12}
PAGE_SIZE = 50


def add_arguments(parser) -> None:
    parser.add_argument("--cases", type=int, default=100_000, help="cases (N)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--cursor-depth", type=int, default=20, help="API pages followed")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--database", default="bench_queue", help="scratch database name")
    parser.add_argument("--keep-database", action="store_true")


def staff_session(user) -> str:
    """A session of ``user`` that passed its second factor (as the login view leaves it)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from icpportal.accounts.views import MODEL_BACKEND

    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = MODEL_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


class Browser:
    """One staff member's requests to the server, timed."""

    def __init__(self, base: str, session_key: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {
            **BEHIND_NGINX,
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}",
            "Accept": "text/html,application/json",
        }

    def get(self, path: str) -> tuple[int, float, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=self.headers)
            answer = conn.getresponse()
            body = answer.read()
        finally:
            conn.close()
        return answer.status, (time.perf_counter() - started) * 1000, body


@contextlib.contextmanager
def portal_server(database_url: str, workers: int, log: Path) -> Iterator[str]:
    """The portal on gunicorn as in production, on the scratch database."""
    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "icpportal.settings",
        "ICP_ENV": "production",
        "ICP_DEBUG": "false",
        # The session was signed here: the server checks it with the same secrets.
        "ICP_SECRET_KEY": settings.SECRET_KEY,
        "ICP_FIELD_KEYS": ",".join(settings.FIELD_KEYS),
        "ICP_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ICP_DATABASE_URL": database_url,
        "ICP_REDIS_URL": settings.REDIS_URL or "redis://127.0.0.1:6379/0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
    }
    # Production serves hashed static names from the manifest: collect them first.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env={**os.environ, **env}, check=True, timeout=300,
    )  # fmt: skip
    with gunicorn("deploy/gunicorn.conf.py", env, port, log, probe="/healthz") as base:
        yield base


def _deep_cursor(browser: Browser, first: str, depth: int) -> str:
    """The path of the API page ``depth`` cursors after ``first``."""
    import json

    path = first
    for _ in range(depth):
        status, _ms, body = browser.get(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
        following = json.loads(body)["next"]
        if not following:
            break
        parts = urlsplit(following)
        path = f"{parts.path}?{parts.query}"
    return path


def _time(browser: Browser, path: str, requests: int) -> dict:
    for _ in range(3):
        browser.get(path)
    samples, statuses = [], set()
    for _ in range(requests):
        status, ms, _body = browser.get(path)
        samples.append(ms)
        statuses.add(status)
    samples.sort()
    return {
        "path": path,
        "status": sorted(statuses),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "samples": samples,
    }


def count_queries(session_key: str, path: str) -> tuple[int, int]:
    """The same request in this process, its queries counted: (status, queries)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost", headers=BEHIND_NGINX)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)  # a first request creates the enforcement switch's row
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries)


def _measure(options: dict, workdir: Path, report) -> dict:
    from inspections.benchmarks import _queue_data
    from inspections.benchmarks._stack import bench_database

    n = options["cases"]
    with bench_database(options["database"], keep=options["keep_database"]) as url:
        started = time.monotonic()
        data = _queue_data.build(n, report)
        report(f"built {n} cases in {time.monotonic() - started:.1f} s")
        session_key = staff_session(data.lead)
        rule, province = _queue_data.RULES[4], _queue_data.PROVINCES[2]
        filters = f"state=notified&rule={rule}&province={province}"
        deep_page = max(1, n // PAGE_SIZE // 2)
        pages = {
            "html_first": "/staff/cases/",
            "html_deep": f"/staff/cases/?page={deep_page}",
            "html_filtered": f"/staff/cases/?{filters}",
            "api_first": "/api/v1/staff/cases/",
            "api_filtered": f"/api/v1/staff/cases/?{filters}",
        }
        with portal_server(url, options["workers"], workdir / "gunicorn.log") as base:
            browser = Browser(base, session_key)
            pages["api_deep"] = _deep_cursor(browser, pages["api_first"], options["cursor_depth"])
            report(f"gunicorn up at {base}; {options['requests']} requests per page")
            timed = {}
            for name, path in pages.items():
                page = timed[name] = _time(browser, path, options["requests"])
                report(f"  {name}: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms")
        for name, path in pages.items():
            status, queries = count_queries(session_key, path)
            timed[name]["queries"] = queries
            timed[name]["in_process_status"] = status
            report(f"  {name}: {queries} queries")
    return timed


def run(options: dict, report) -> dict:
    n = options["cases"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    load_before = round(os.getloadavg()[0], 2)
    try:
        timed = _measure(options, workdir, report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    every = sorted(ms for page in timed.values() for ms in page.pop("samples"))
    figures = {
        "cases": n,
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(every[max(0, int(len(every) * 0.95) - 1)], 1),
        "max_page_p95_ms": max(page["p95_ms"] for page in timed.values()),
        "queries": max(page["queries"] for page in timed.values()),
        "pages": timed,
        "requests_per_page": options["requests"],
        "load_average_1m_before": load_before,
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }
    figures["errors"] = sum(
        1 for page in timed.values() if page["status"] != [200] or page["in_process_status"] != 200
    )
    figures["targets_met"] = (
        figures["max_page_p95_ms"] <= TARGETS["p95_ms"]
        and figures["queries"] <= TARGETS["queries"]
        and figures["errors"] == 0
    )
    return figures
