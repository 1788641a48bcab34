"""The real stack a benchmark runs on: its own database, a gunicorn server, Celery
worker processes, and a sampler of their memory.

The benchmark database is created next to the configured one (same PostgreSQL
server, another name), migrated, and dropped at the end, so a benchmark never touches
real data. Workers are ``celery worker`` processes (prefork) started with the portal's
settings plus the environment the benchmark gives them.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

ROOT = Path(settings.BASE_DIR)
# What nginx, which ends TLS in front of gunicorn, adds to every request.
BEHIND_NGINX = {"X-Forwarded-Proto": "https"}


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def database_url(name: str) -> str:
    """The URL of database ``name`` on the configured PostgreSQL server."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{name}"


def _drop(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


@contextlib.contextmanager
def bench_database(name: str, *, keep: bool = False) -> Iterator[str]:
    """A fresh, migrated database ``name`` that ``default`` points to inside the block;
    dropped afterwards unless ``keep``. Answers its URL (for the workers)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark needs PostgreSQL (ICP_DATABASE_URL).")
    original = connection.settings_dict["NAME"]
    if name == original:
        raise RuntimeError("The benchmark database must not be the configured one.")
    _drop(name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {_quoted(name)}")
    connections.close_all()
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        yield database_url(name)
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = original
        if not keep:
            _drop(name)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int, probe: str) -> bool:
    with contextlib.suppress(OSError):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", probe, headers=BEHIND_NGINX)
            return conn.getresponse().status < 500
        finally:
            conn.close()
    return False


def _stop(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM, then a kill when the process is still there after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(
    config: str, env: dict[str, str], port: int, log: Path, *, probe: str, app: str = ""
) -> Iterator[str]:
    """gunicorn with ``config`` (a path under the project) and the environment ``env``
    (added to this process's), bound to loopback ``port`` by that environment, serving
    ``app`` instead of the configured application when given. Answers its base URL once
    ``probe`` answers below 500; stopped (SIGTERM, then killed) at the end of the block."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config", config]
    if app:
        command.append(app)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        # Workers importing Django on a busy two-core machine can take a while.
        deadline = time.monotonic() + 240
        while not _answers(port, probe):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process, grace=40)


def rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used, from /proc (0 when it is gone)."""
    try:
        # Fields after the command (which may hold spaces): utime and stime are 14 and 15.
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


class RssSampler:
    """Samples the resident memory of a worker and its pool processes in a thread;
    ``max_mib`` is the largest any single process reached, ``cpu_seconds`` the CPU
    time the pool processes used since the block began (the worker's own share of a
    machine others use too)."""

    def __init__(self, pid: int, every: float = 0.25):
        self.pid = pid
        self.every = every
        self.max_mib = 0.0
        self._cpu_at_start: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_seconds(self) -> float:
        return sum(used - self._cpu_at_start.get(pid, 0.0) for pid, used in self._cpu.items())

    def __enter__(self) -> RssSampler:
        self._cpu_at_start = {pid: cpu_seconds(pid) for pid in children(self.pid)}
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self) -> None:
        for pid in (self.pid, *children(self.pid)):
            self.max_mib = max(self.max_mib, rss_mib(pid))
            if pid != self.pid:
                self._cpu[pid] = max(self._cpu.get(pid, 0.0), cpu_seconds(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)


class Worker:
    """One ``celery worker`` process with a prefork pool of ``concurrency`` processes,
    consuming ``queue`` only, with DEBUG off as in production (with DEBUG on, Django
    keeps the text of every query a process sends, and memory grows with the work)."""

    def __init__(self, *, queue: str, concurrency: int, env: dict[str, str], log: Path):
        self.queue = queue
        self.concurrency = concurrency
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "icpportal.settings",
            "ICP_DEBUG": "false",
            **env,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, ready_within: float = 60.0) -> Worker:
        command = [
            sys.executable, "-m", "celery", "-A", "icpportal", "worker",
            "--pool=prefork", f"--concurrency={self.concurrency}", "-Q", self.queue,
            "-n", f"{self.queue}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--loglevel=INFO",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited:\n{self.tail()}")
            if "ready." in self.log.read_text(errors="replace"):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"The worker did not get ready:\n{self.tail()}")

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("The worker is not started.")
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, grace=30)
