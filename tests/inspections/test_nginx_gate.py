"""The exported nginx maps and example configuration, run in a real nginx on loopback."""

from __future__ import annotations

import datetime
import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inspections.gate.nginx_map import (
    DEFAULT_STREAM_MODULE,
    ExportOptions,
    export_nginx_map,
    render_conf,
    write_maps,
)
from tests.factories import AccessDecisionFactory
from tests.inspections import gate_fixtures
from tests.services import require_executable, service_missing

gate_redis = gate_fixtures.gate_redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited:\n{log.read_text(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on {port}:\n{log.read_text(errors='replace')}")


class _Site(BaseHTTPRequestHandler):
    """A customer's site: answers with its name and the host it was asked for."""

    def do_GET(self):
        body = f"customer site {self.server.label} for {self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(server: ThreadingHTTPServer, label: str) -> ThreadingHTTPServer:
    server.label = label
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def self_signed_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "site.crt", directory / "site.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def nginx_options() -> ExportOptions:
    require_executable("nginx")
    stream_module = DEFAULT_STREAM_MODULE if Path(DEFAULT_STREAM_MODULE).exists() else ""
    built_in = "--with-stream " in subprocess.run(
        ["nginx", "-V"], capture_output=True, text=True
    ).stderr.replace("--with-stream=dynamic", "")
    if not stream_module and not built_in:
        service_missing("nginx has no stream module (Debian: libnginx-mod-stream)")
    return ExportOptions(
        http_listen=f"127.0.0.1:{free_port()}",
        https_listen=f"127.0.0.1:{free_port()}",
        stream_module=stream_module,
    )


def nginx_command(directory: Path, *args: str) -> list[str]:
    # Running as root, workers would drop to "nobody", who cannot read a private
    # temporary directory.
    main = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    return [
        "nginx",
        "-p",
        str(directory),
        "-e",
        str(directory / "error.log"),
        "-c",
        str(directory / "nginx.conf"),
        "-g",
        main,
        *args,
    ]


@pytest.fixture
def gate_nginx(db, tmp_path):
    """Decisions exported into a real nginx in front of two tiny sites (HTTP and TLS)."""
    options = nginx_options()
    site = _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Site), "plain")
    tls_site = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    cert, key = self_signed_certificate(tmp_path, "allowed.example.com")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tls_site.socket = context.wrap_socket(tls_site.socket, server_side=True)
    _serve(tls_site, "tls")
    options.upstream = f"127.0.0.1:{site.server_address[1]}"
    options.tls_upstream = f"127.0.0.1:{tls_site.server_address[1]}"

    AccessDecisionFactory(host="allowed.example.com", state="allowed")
    AccessDecisionFactory(host="blocked.example.com", state="blocked")
    AccessDecisionFactory(host="cancelled.example.com", state="cancelled")
    AccessDecisionFactory(host="gone.example.com", state="unfiled")
    directory = tmp_path / "gate"
    export_nginx_map(directory, options)

    log = tmp_path / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen(nginx_command(directory), stdout=out, stderr=subprocess.STDOUT)
    try:
        http_port = int(options.http_listen.rsplit(":", 1)[1])
        https_port = int(options.https_listen.rsplit(":", 1)[1])
        wait_for_port(http_port, process, directory / "error.log")
        wait_for_port(https_port, process, directory / "error.log")
        yield {"http": http_port, "https": https_port, "directory": directory}
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        site.shutdown()
        tls_site.shutdown()


def get(port: int, host: str) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/some/page?x=1", headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        connection.close()


def test_nginx_serves_allowed_sites_and_intercepts_blocked_and_unfiled_hosts(gate_nginx):
    # GIVEN an nginx running the exported example with allowed, blocked, cancelled
    # and unfiled hosts
    port = gate_nginx["http"]
    # WHEN visitors ask for each host over plain HTTP
    allowed = get(port, "allowed.example.com")
    subdomain = get(port, "www.allowed.example.com")
    blocked = get(port, "blocked.example.com")
    blocked_sub = get(port, "shop.blocked.example.com")
    cancelled = get(port, "cancelled.example.com")
    unfiled = get(port, "nofiling.example.org")
    gone = get(port, "gone.example.com")
    # THEN allowed hosts (and their subdomains) reach the site
    assert allowed[:2] == (200, "customer site plain for allowed.example.com")
    assert subdomain[:2] == (200, "customer site plain for www.allowed.example.com")
    # AND blocked or cancelled hosts get the rectification page, unfiled ones the other
    for status, body, headers in (blocked, blocked_sub, cancelled):
        assert status == 451
        assert "This website is unavailable pending ICP filing rectification" in body
        assert "该网站因 ICP 备案信息待整改，暂停访问" in body
        assert headers["Cache-Control"] == "no-store"
    for status, body, _ in (unfiled, gone):
        assert status == 451
        assert "This website has no ICP filing" in body and "该网站未取得 ICP 备案" in body
    assert "customer site" not in blocked[1] + unfiled[1]


def tls_connect(port: int, server_name: str) -> str:
    """The site's answer over TLS with this SNI name (any certificate accepted)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        tls.sendall(f"GET / HTTP/1.0\r\nHost: {server_name}\r\n\r\n".encode())
        answer = b""
        while chunk := tls.recv(4096):
            answer += chunk
        return answer.decode(errors="replace")


def test_nginx_closes_https_to_a_blocked_host_by_its_sni_name(gate_nginx):
    # GIVEN the same nginx, its stream server deciding by the TLS SNI name
    port = gate_nginx["https"]
    # WHEN a browser opens HTTPS to an allowed host
    answer = tls_connect(port, "allowed.example.com")
    # THEN the connection reaches the site's own TLS server
    assert "customer site tls for allowed.example.com" in answer
    # AND a blocked, an unfiled host and a connection without SNI are closed before
    # any certificate is shown
    for name in ("blocked.example.com", "www.blocked.example.com", "nofiling.example.org"):
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            tls_connect(port, name)


def test_a_failed_export_leaves_the_previous_maps_in_place(tmp_path):
    # GIVEN maps from an earlier export
    write_maps(tmp_path, [("example.com", "allowed")], 1, "earlier")
    before = (tmp_path / "icp_gate_http.map").read_text()

    def rows_then_failure():
        yield ("new.example.com", "blocked")
        raise RuntimeError("database went away")

    # WHEN the next export fails half-way
    with pytest.raises(RuntimeError):
        write_maps(tmp_path, rows_then_failure(), 1, "later")
    # THEN both maps are the earlier ones and no temporary file is left
    assert (tmp_path / "icp_gate_http.map").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "icp_gate_http.map",
        "icp_gate_stream.map",
    ]


def test_names_nginx_cannot_match_are_left_out_of_the_maps(tmp_path):
    # GIVEN rows with a host nginx could not parse, and an unknown state
    rows = [("ok.example.com", "allowed"), ("bad;host", "allowed"), ("x.example.com", "??")]
    # WHEN the maps are written
    written, skipped = write_maps(tmp_path, rows, 3, "now")
    # THEN only the good row is in them
    text = (tmp_path / "icp_gate_stream.map").read_text()
    assert (written, skipped) == (1, 2)
    assert "    .ok.example.com allowed;\n" in text and "bad" not in text


def test_nginx_accepts_a_map_of_a_million_hosts(tmp_path):
    # GIVEN both maps with 1,000,000 hosts and the example configuration
    options = nginx_options()
    entries = 1_000_000
    states = ("allowed", "allowed", "allowed", "blocked", "unfiled")
    rows = ((f"www{n}.site{n % 9973}.example.com", states[n % 5]) for n in range(entries))
    written, _ = write_maps(tmp_path, rows, entries, "test")
    (tmp_path / "pages").mkdir()
    (tmp_path / "temp").mkdir()
    render_conf(tmp_path, options, "test")
    # WHEN nginx checks the configuration
    check = subprocess.run(
        nginx_command(tmp_path, "-t"), capture_output=True, text=True, timeout=300
    )
    # THEN it is valid
    assert written == entries
    assert check.returncode == 0, check.stderr
    assert "test is successful" in check.stderr


def test_the_auth_request_example_passes_nginx_t(tmp_path):
    # GIVEN deploy/nginx/gate-auth-request.conf inside a minimal http block
    require_executable("nginx")
    snippet = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "gate-auth-request.conf"
    (tmp_path / "temp").mkdir()
    temp = tmp_path / "temp"
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        f"client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};\n"
        f"uwsgi_temp_path {temp}; scgi_temp_path {temp};\ninclude {snippet};\n}}\n"
    )
    # WHEN nginx checks it THEN it is valid
    check = subprocess.run(nginx_command(tmp_path, "-t"), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.django_db(transaction=True)
def test_nginx_auth_request_enforces_the_portals_gate_check(live_server, tmp_path, gate_redis):
    # GIVEN the portal's /gate/check (live, Redis reconciled) with a filed host and a
    # blocked one, and an nginx that asks it before every request (auth_request)
    from inspections.gate.reconcile import reconcile
    from tests.factories import DomainFactory, RectificationCaseFactory

    DomainFactory(name="allowed.example.com")
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    assert reconcile().redis_rebuilt

    require_executable("nginx")
    site = _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Site), "plain")
    port = free_port()
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "blocked.html").write_text("blocked page")
    (pages / "unfiled.html").write_text("unfiled page")
    (tmp_path / "temp").mkdir()
    temp = tmp_path / "temp"
    # An address, not a name: proxy_pass with variables resolves names at run time.
    portal = f"127.0.0.1:{live_server.url.rsplit(':', 1)[1]}"
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
events {{}}
http {{
    client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
    uwsgi_temp_path {temp}; scgi_temp_path {temp};
    map $icp_gate_decision $icp_gate_page {{
        blocked /__icp_gate/blocked.html;
        cancelled /__icp_gate/blocked.html;
        default /__icp_gate/unfiled.html;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            auth_request /__icp_gate/check;
            auth_request_set $icp_gate_decision $upstream_http_x_icp_gate;
            error_page 403 =451 $icp_gate_page;
            proxy_pass http://127.0.0.1:{site.server_address[1]};
            proxy_set_header Host $host;
        }}
        location = /__icp_gate/check {{
            internal;
            proxy_pass http://{portal}/gate/check?host=$host;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location ^~ /__icp_gate/ {{
            internal;
            alias {pages}/;
            default_type text/html;
        }}
    }}
}}
""")
    log = tmp_path / "error.log"
    process = subprocess.Popen(nginx_command(tmp_path), stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process, log)
        # WHEN visitors ask nginx for each host
        allowed = get(port, "www.allowed.example.com")
        blocked_answer = get(port, "blocked.example.com")
        unfiled = get(port, "nofiling.example.org")
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=10)
        site.shutdown()
    # THEN 200 from the portal lets the request through, 403 shows the right page
    assert allowed[:2] == (200, "customer site plain for www.allowed.example.com")
    assert blocked_answer[:2] == (451, "blocked page")
    assert unfiled[:2] == (451, "unfiled page")


def test_the_portals_nginx_accepts_uploads_as_large_as_the_portal_does(settings):
    # GIVEN deploy/nginx/portal.conf and the portal's largest accepted material
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "portal.conf").read_text()
    sizes = re.findall(r"client_max_body_size\s+(\d+)([kmg]?);", conf)
    units = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    # WHEN nginx's body limits are read THEN each leaves room for the file and the form
    assert sizes
    for number, unit in sizes:
        assert int(number) * units[unit] > settings.MATERIAL_MAX_BYTES


@pytest.mark.django_db
def test_the_export_streams_decisions_leaving_out_names_nginx_cannot_match(tmp_path):
    # GIVEN decisions with a clean name, an address, and rows no nginx map may hold
    AccessDecisionFactory(host="ok.example.com", state="blocked")
    AccessDecisionFactory(host="192.0.2.7", state="allowed")
    AccessDecisionFactory(host="bad;host { }", state="allowed")
    AccessDecisionFactory(host="double..dot.example.com", state="allowed")
    AccessDecisionFactory(host="odd.example.com", state="maybe")
    # WHEN they are exported
    result = export_nginx_map(tmp_path, ExportOptions(stream_module=""))
    # THEN both maps hold the clean name (with its subdomains) and the exact address only
    for name in ("icp_gate_http.map", "icp_gate_stream.map"):
        entries = [
            line
            for line in (tmp_path / name).read_text().splitlines()
            if line.startswith("    ") and "hostnames" not in line and "default" not in line
        ]
        assert sorted(entries) == ["    .ok.example.com blocked;", "    192.0.2.7 allowed;"]
    assert (result.hosts, result.skipped) == (2, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
