"""``bench gate``: the access gate's check served as in production, and the nginx export.

1. A database of its own (``--database``, created on the configured PostgreSQL
   server, migrated, dropped at the end) gets ``--decisions`` access decisions
   (70 % allowed, 20 % blocked, 5 % cancelled, 5 % unfiled), set-based; a reconcile
   rebuilds them into a scratch Redis hash.
2. gunicorn starts as the gate's own server runs in production
   (``deploy/gunicorn-gate.conf.py``: its ASGI entry point on uvicorn workers, one
   event loop per process, keep-alive), ``ICP_ENV=production`` (DEBUG off), the
   scratch database and Redis, bound to a free loopback port.
3. wrk (``--connections``, ``--duration`` seconds) asks ``/gate/check`` for random
   hosts: a filed host, a subdomain of one, and an unfiled one; then, on the same
   server, for as long each: a hello-world Django view (through the portal's
   middleware, as the gate server's other pages are served) and a bare hello-world
   answered by the event loop itself (``/bench/bare``: the server's own ceiling).
4. ``--map-hosts`` decisions in all (1,000,000 by default), and ``export_nginx_map``
   is timed on them, then ``nginx -t`` on its output.

Figures: ``requests_per_s``, ``p50_ms``, ``p99_ms``, ``errors`` (socket errors and
answers other than 200/403) of the check; ``hello_requests_per_s`` and
``ratio_to_hello`` (the Django view), ``bare_requests_per_s`` and ``ratio_to_bare``
(the bare hello-world, the stricter comparison); ``export_seconds``,
``export_max_rss_mib`` (the benchmark process) and ``nginx_t_seconds`` of the export.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from inspections.benchmarks._stack import BEHIND_NGINX, bench_database, free_port, gunicorn
from inspections.gate import store
from inspections.gate.nginx_map import ExportOptions, export_nginx_map
from inspections.gate.reconcile import rebuild_redis

HELP = (
    "Load /gate/check on the gate's gunicorn with wrk against a hello-world view; "
    "time the nginx export."
)
TARGETS = {"requests_per_s": 2000, "p99_ms": 20, "ratio_to_hello": 0.6, "export_seconds": 10}


def add_arguments(parser) -> None:
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument(
        "--map-hosts", type=int, default=1_000_000, help="hosts to export (0: skip the export)"
    )
    parser.add_argument("--database", default="bench_gate", help="scratch database name")
    parser.add_argument("--keep-database", action="store_true")


# --- the scratch database -----------------------------------------------------------


def load_decisions(first: int, last: int) -> None:
    """Decisions for site{first}..site{last - 1}.bench.example, set-based."""
    from inspections.models import AccessDecision

    table = AccessDecision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (host, state, reason, updated_at)
            SELECT 'site' || n || '.bench.example',
                   CASE WHEN n %% 20 < 14 THEN 'allowed' WHEN n %% 20 < 18 THEN 'blocked'
                        WHEN n %% 20 = 18 THEN 'cancelled' ELSE 'unfiled' END,
                   'Benchmark decision.', now()
            FROM generate_series(%s, %s) AS n
            """,  # noqa: S608 (the table name comes from the model)
            [first, last - 1],
        )
        cursor.execute(f"ANALYZE {table}")


# --- gunicorn and wrk ---------------------------------------------------------------


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


@contextlib.contextmanager
def gate_server(database_url: str, redis_url: str, redis_key: str, log: Path) -> Iterator[str]:
    """The gate's own gunicorn as in production, on the scratch database and Redis key."""
    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "inspections.benchmarks._gate_settings",
        "ICP_ENV": "production",
        "ICP_DEBUG": "false",
        "ICP_SECRET_KEY": secrets.token_urlsafe(60),
        "ICP_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ICP_DATABASE_URL": database_url,
        "ICP_REDIS_URL": redis_url,
        "ICP_GATE_REDIS_KEY": redis_key,
        "ICP_FIELD_KEYS": _fernet_key(),
        "GUNICORN_GATE_BIND": f"127.0.0.1:{port}",
    }
    with gunicorn(
        "deploy/gunicorn-gate.conf.py",
        env,
        port,
        log,
        probe="/bench/hello",
        app="inspections.benchmarks._gate_asgi:application",
    ) as base:
        yield base


# Counts answers other than the expected statuses, summed over wrk's threads.
_COUNTING_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0; math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
function response(status, headers, body)
  if not EXPECTED[status] then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("unexpected_status %d\\n", total))
end
"""

_GATE_LUA = """
EXPECTED = {[200] = true, [403] = true}
local decisions = %(decisions)d
local counter = 0
function request()
  counter = counter + 1
  local n = math.random(0, decisions - 1)
  local kind = counter %% 4
  local host
  if kind == 0 then host = "www.site" .. n .. ".bench.example"
  elseif kind == 1 then host = "nofiling" .. n .. ".example.org"
  else host = "site" .. n .. ".bench.example" end
  return wrk.format("GET", "/gate/check?host=" .. host)
end
"""

_HELLO_LUA = """
EXPECTED = {[200] = true}
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url: str, script: str, options: dict, workdir: Path, name: str) -> dict:
    lua = workdir / f"{name}.lua"
    lua.write_text(script + _COUNTING_LUA)
    command = [
        options["wrk"],
        f"-t{options['threads']}",
        f"-c{options['connections']}",
        f"-d{options['duration']}s",
        "--latency",
        *[arg for name, value in BEHIND_NGINX.items() for arg in ("-H", f"{name}: {value}")],
        "-s",
        str(lua),
        url,
    ]
    completed = subprocess.run(  # noqa: S603 (wrk on our own loopback server)
        command, capture_output=True, text=True, timeout=options["duration"] + 60
    )
    output = completed.stdout
    (workdir / f"{name}.wrk.txt").write_text(output)
    if "Requests/sec" not in output or "unexpected_status" not in output:
        raise RuntimeError(f"wrk gave no figures:\n{output}{completed.stderr}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    unexpected = int(re.search(r"unexpected_status (\d+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": round(_ms(latency["50"]), 2),
        "p99_ms": round(_ms(latency["99"]), 2),
        "errors": unexpected + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


# --- the nginx export ---------------------------------------------------------------


def time_export(hosts: int, workdir: Path, report) -> dict:
    directory = workdir / "nginx"
    started = time.monotonic()
    result = export_nginx_map(
        directory,
        ExportOptions(
            http_listen=f"127.0.0.1:{free_port()}", https_listen=f"127.0.0.1:{free_port()}"
        ),
    )
    figures = {
        "export_hosts": result.hosts,
        "export_seconds": round(time.monotonic() - started, 2),
        "export_max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "export_map_mib": round((directory / "icp_gate_http.map").stat().st_size / 2**20, 1),
    }
    report(f"export_nginx_map: {result.hosts} hosts in {figures['export_seconds']} s")
    nginx = shutil.which("nginx")
    if nginx is None:
        report("nginx is not installed: nginx -t not timed.")
        return figures
    started = time.monotonic()
    check = subprocess.run(  # noqa: S603 (nginx -t on the files just written)
        [nginx, "-t", "-p", str(directory), "-e", str(directory / "error.log"),
         "-c", str(directory / "nginx.conf")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    figures["nginx_t_seconds"] = round(time.monotonic() - started, 2)
    figures["nginx_t_ok"] = check.returncode == 0
    report(f"nginx -t: {'ok' if check.returncode == 0 else check.stderr[-500:]} "
           f"in {figures['nginx_t_seconds']} s")  # fmt: skip
    return figures


def run(options: dict, report) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk).")
    options = {**options, "wrk": wrk}
    redis_url = settings.GATE_REDIS_URL or settings.REDIS_URL
    if not redis_url:
        raise RuntimeError("bench gate needs Redis (ICP_REDIS_URL).")
    decisions = options["decisions"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-gate-"))
    redis_key = f"icp:gate:bench:{uuid.uuid4().hex}"
    figures: dict = {"decisions": decisions, "connections": options["connections"],
                     "duration_s": options["duration"]}  # fmt: skip
    import redis

    client = redis.Redis.from_url(redis_url)
    saved_key = store.DECISIONS_KEY
    store.DECISIONS_KEY = redis_key
    try:
        with bench_database(options["database"], keep=options["keep_database"]) as database_url:
            report(f"Loading {decisions} decisions into {options['database']} and Redis")
            load_decisions(0, decisions)
            rebuild_redis(client)
            log = workdir / "gunicorn.log"
            with gate_server(database_url, redis_url, redis_key, log) as base:
                report(f"gunicorn up at {base}; wrk {options['connections']} connections, "
                       f"{options['duration']} s per run")  # fmt: skip
                gate = run_wrk(f"{base}/gate/check", _GATE_LUA % {"decisions": decisions},
                               options, workdir, "gate")  # fmt: skip
                report(f"gate check: {gate}")
                hello = run_wrk(f"{base}/bench/hello", _HELLO_LUA, options, workdir, "hello")
                report(f"hello world (Django view): {hello}")
                bare = run_wrk(f"{base}/bench/bare", _HELLO_LUA, options, workdir, "bare")
                report(f"hello world (bare): {bare}")
            workers = len(re.findall(r"Booting worker", log.read_text(errors="replace")))
            figures.update(gate)
            figures["hello_requests_per_s"] = hello["requests_per_s"]
            figures["hello_p99_ms"] = hello["p99_ms"]
            figures["hello_errors"] = hello["errors"] + bare["errors"]
            figures["ratio_to_hello"] = round(gate["requests_per_s"] / hello["requests_per_s"], 2)
            figures["bare_requests_per_s"] = bare["requests_per_s"]
            figures["bare_p99_ms"] = bare["p99_ms"]
            figures["ratio_to_bare"] = round(gate["requests_per_s"] / bare["requests_per_s"], 2)
            figures["gunicorn_workers_booted"] = workers
            if options["map_hosts"] > 0:
                extra = max(options["map_hosts"] - decisions, 0)
                report(f"Adding {extra} decisions for the nginx export")
                load_decisions(decisions, decisions + extra)
                figures.update(time_export(decisions + extra, workdir, report))
    finally:
        store.DECISIONS_KEY = saved_key
        client.delete(redis_key)
        client.close()
        shutil.rmtree(workdir, ignore_errors=True)
    # The machine is shared: how busy it was says how far the figures can be trusted.
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    figures["targets_met"] = (
        figures["requests_per_s"] >= TARGETS["requests_per_s"]
        and figures["p99_ms"] <= TARGETS["p99_ms"]
        and figures["errors"] == 0
        and figures["ratio_to_hello"] >= TARGETS["ratio_to_hello"]
        and figures.get("export_seconds", 0) <= TARGETS["export_seconds"]
        and figures.get("nginx_t_ok", True)
    )
    return figures
