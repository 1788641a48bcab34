"""A real DNS server on loopback for tests: dnsmasq on a free port, and a silent socket.

Use in a test module by loading this module as a plugin::

    pytest_plugins = ["tests.dns_server"]

(fixtures ``dns_server``, ``dns_server_factory``, ``silent_dns_server``). The classes
work without pytest too, e.g. for the benchmark.

``dns_server.start(host_records=[...], cnames=[...])`` runs
``dnsmasq --port=N --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts
--no-daemon --local=/#/`` with the records in its own configuration file (which
replaces the system one, so the lines scale to the benchmark's 100,000 records).

What dnsmasq answers, checked with dnsmasq 2.90:
- ``host-record=name,ipv4[,ipv6][,ttl]`` answers A/AAAA; a record without a TTL is
  served with TTL 0, and CNAMEs always with TTL 0.
- ``cname=alias,target`` answers with the whole chain in one response.
- A name it does not know: with ``--no-resolv`` and no upstream dnsmasq answers
  REFUSED. ``--local=/#/`` (the default here, ``local_only=True``) makes every domain
  local, so an unknown name is NXDOMAIN and a known name without the asked type is
  NOERROR with no data — what an authoritative server says.
- dnsmasq refuses to start with a CNAME loop in its configuration, so loops are tested
  with the zone-file backend.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import pytest

from tests.services import require_executable

HostRecord = str | tuple
Cname = str | tuple


def free_port() -> int:
    """A loopback port free for both UDP and TCP right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port for UDP and TCP")


def _line(value: HostRecord | Cname) -> str:
    return value if isinstance(value, str) else ",".join(str(v) for v in value)


class DnsmasqServer:
    """One dnsmasq process serving the records a test gives it."""

    def __init__(self, executable: str, workdir: Path):
        self.executable = executable
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        if self.port is None:
            raise RuntimeError("dnsmasq is not started")
        return f"127.0.0.1:{self.port}"

    def start(
        self,
        host_records: Iterable[HostRecord] = (),
        cnames: Iterable[Cname] = (),
        *,
        hosts: Iterable[tuple[str, str]] = (),
        local_ttl: int | None = None,
        local_only: bool = True,
        port: int | None = None,
        ready_within: float = 10.0,
    ) -> DnsmasqServer:
        """Start serving the records; keeps the port across restarts.

        ``host_records`` and ``cnames`` become ``host-record=``/``cname=`` lines.
        ``hosts`` are (ip, name) pairs written to an ``addn-hosts`` file, served with
        ``local_ttl``: dnsmasq loads those much faster than host-record lines, which it
        checks against each other (measured: 100,000 host-records take ~30 s to load,
        20,000 CNAMEs ~6 s), so benchmarks with 10^5 names should use ``hosts``.
        ``ready_within``: seconds to wait for the first answer.
        """
        self.stop()
        config = self.workdir / "dnsmasq.conf"
        lines = [f"host-record={_line(r)}" for r in host_records]
        lines += [f"cname={_line(c)}" for c in cnames]
        hosts_file = self.workdir / "hosts"
        with hosts_file.open("w") as out:
            out.writelines(f"{ip} {name}\n" for ip, name in hosts)
        lines.append(f"addn-hosts={hosts_file}")
        if local_ttl is not None:
            lines.append(f"local-ttl={local_ttl}")
        config.write_text("\n".join(lines) + "\n")
        last_error = ""
        for _ in range(5):
            self.port = port or self.port or free_port()
            command = [
                self.executable,
                f"--port={self.port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--no-daemon",
                f"--conf-file={config}",
                f"--pid-file={self.workdir / 'dnsmasq.pid'}",
            ]
            if local_only:
                command.append("--local=/#/")
            if os.geteuid() == 0:
                # Stay root instead of switching to a user that may not exist here.
                command.append("--user=root")
            log = (self.workdir / "dnsmasq.log").open("wb")
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            if self._wait_until_answering(ready_within):
                return self
            last_error = (self.workdir / "dnsmasq.log").read_text(errors="replace")
            self.stop()
            if port is None and "in use" in last_error:
                self.port = None  # someone took the port meanwhile: pick another
                continue
            break
        raise RuntimeError(f"dnsmasq did not start: {last_error}")

    def restart(
        self, host_records: Iterable[HostRecord] = (), cnames: Iterable[Cname] = (), **kwargs
    ) -> DnsmasqServer:
        """Serve new records on the same port."""
        return self.start(host_records, cnames, **kwargs)

    def _wait_until_answering(self, within: float) -> bool:
        deadline = time.monotonic() + within
        query = dns.message.make_query("dnsmasq-ready.invalid.", "A")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
                return True
            except (dns.exception.Timeout, OSError):
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None


class SilentDnsServer:
    """A UDP socket (and a TCP listener that never accepts) that never answers.

    It counts what it receives, so a test can see how many times a query was tried.
    """

    def __init__(self):
        self.port = free_port()
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._udp.settimeout(0.05)
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.bind(("127.0.0.1", self.port))
        self._tcp.listen(1)
        self.received: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._swallow, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _swallow(self) -> None:
        while not self._stop.is_set():
            try:
                wire, _peer = self._udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            with contextlib.suppress(dns.exception.DNSException):
                question = dns.message.from_wire(wire).question[0]
                self.received.append(
                    (
                        question.name.to_text(omit_final_dot=True),
                        dns.rdatatype.to_text(question.rdtype),
                    )
                )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._udp.close()
        self._tcp.close()


@pytest.fixture
def dns_server_factory(tmp_path) -> Iterator:
    """Makes as many dnsmasq servers as a test needs; all are stopped at teardown."""
    executable = require_executable("dnsmasq")
    servers: list[DnsmasqServer] = []

    def make() -> DnsmasqServer:
        server = DnsmasqServer(executable, tmp_path / f"dnsmasq-{len(servers)}")
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def dns_server(dns_server_factory) -> DnsmasqServer:
    """One dnsmasq, not started yet: call ``.start(host_records=…, cnames=…)``."""
    return dns_server_factory()


@pytest.fixture
def silent_dns_server() -> Iterator[SilentDnsServer]:
    """A DNS address on loopback that never answers, for timeouts."""
    server = SilentDnsServer()
    yield server
    server.close()
