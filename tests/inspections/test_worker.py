"""A real Celery worker process runs a campaign; one of its pool processes is killed.

The worker (prefork, two processes) reads the test database and a Redis database of
its own, with a visibility timeout of 10 s so a lost message comes back quickly. Each
chunk waits ~1 s on a DNS server that never answers, so chunks are in flight when a
pool process is SIGKILLed. The campaign must still finish with exactly one result per
website and rule: nothing lost (acks_late + reject_on_worker_lost), nothing doubled
(upserts on (campaign, website, rule)).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count

from icpportal.celery import app
from inspections.campaigns import Scope, do_create_campaign, do_start_campaign
from inspections.models import Campaign, CampaignStatus, RuleResult, WebsiteInspection
from inspections.rules import all_rules
from tests.factories import DomainFactory, EntityFactory, ProviderNetworkFactory, WebsiteFactory
from tests.services import require_redis

pytest_plugins = ["tests.dns_server"]
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WEBSITES = 300
CHUNK_SIZE = 20
# A Redis database for this test alone: flushed before and after.
WORKER_REDIS_DB = 12
DEADLINE_SECONDS = 90


def worker_broker_url() -> str:
    base = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{WORKER_REDIS_DB}", "", ""))


def _reset_producer_pools() -> None:
    # The app's connection and producer pools are bound to the URL they were made with,
    # and kombu keeps them in process-wide registries: closing one there without
    # dropping it would hand the closed pool to the next task sent to that URL.
    kombu.pools.reset()
    app._pool = None
    with contextlib.suppress(KeyError):
        app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str):
    """This process sends tasks to ``url`` for real (not eagerly) inside the block."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    _reset_producer_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_producer_pools()


def pool_children(pid: int) -> list[int]:
    """The worker's pool processes (its direct children), from /proc."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


def start_worker(queue: str, broker: str, dns: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icpportal.settings",
        "ICP_DATABASE_URL": _database_url(),
        "ICP_REDIS_URL": broker,
        "ICP_CELERY_VISIBILITY_TIMEOUT": "10",  # the smallest the settings allow
        "ICP_DNS_BACKEND": "resolvers",
        "ICP_DNS_RESOLVERS": dns,
        "ICP_DNS_TIMEOUT_SECONDS": "1",
        "ICP_DNS_ATTEMPTS": "1",
        "ICP_RDAP_BASE_URL": "",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "icpportal", "worker",
        "--pool=prefork", "--concurrency=2", "-Q", queue, "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _database_url() -> str:
    # pytest-django's test database, e.g. test_helper_engine, on the same server.
    db = connection.settings_dict
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


def test_sigkill_of_a_pool_process_loses_and_duplicates_nothing(leo, silent_dns_server, tmp_path):
    # GIVEN Redis, 300 filed websites with a domain each, and our network
    if "postgresql" not in connection.settings_dict["ENGINE"]:
        pytest.skip("the worker test shares the PostgreSQL test database with the worker")
    broker = worker_broker_url()
    require_redis(broker)
    client = redis.Redis.from_url(broker)
    client.flushdb()
    ProviderNetworkFactory(cidr="192.0.2.0/24")
    entity = EntityFactory()
    websites = WebsiteFactory.create_batch(WEBSITES, entity=entity)
    for website in websites:
        DomainFactory(website=website)
    campaign = do_create_campaign(name="Kill test", scope=Scope(), chunk_size=CHUNK_SIZE)
    queue = f"inspections-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    worker = start_worker(queue, broker, silent_dns_server.address, log)
    try:
        # WHEN the campaign is started for real, through the worker's broker and queue
        with publishing_to(broker):
            do_start_campaign(campaign, actor=leo, queue=queue)

        def inspected() -> int:
            return WebsiteInspection.objects.filter(campaign=campaign, status="done").count()

        # ... and a pool process is SIGKILLed while chunks are in flight
        wait_for(lambda: inspected() >= CHUNK_SIZE, 60, "the first chunk", worker, log)
        assert inspected() < WEBSITES, "the campaign finished before a process could be killed"
        children = pool_children(worker.pid)
        assert children, "no pool process found"
        os.kill(children[0], signal.SIGKILL)

        # THEN the campaign still finishes, within a bounded time
        def finished() -> bool:
            return Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FINISHED

        wait_for(finished, DEADLINE_SECONDS, "the campaign to finish", worker, log)
    finally:
        stop_worker(worker)
        client.flushdb()
        client.close()

    # and every website has exactly one result per rule: none missing, none doubled
    campaign.refresh_from_db()
    rules = len(all_rules())
    assert campaign.total_websites == WEBSITES
    assert WebsiteInspection.objects.filter(campaign=campaign, status="done").count() == WEBSITES
    assert RuleResult.objects.filter(campaign=campaign).count() == WEBSITES * rules
    per_website = (
        RuleResult.objects.filter(campaign=campaign)
        .values("website_id")
        .annotate(n=Count("id"), codes=Count("rule_code", distinct=True))
    )
    assert {(row["n"], row["codes"]) for row in per_website} == {(rules, rules)}
    assert "WorkerLostError" in log.read_text() or "SIGKILL" in log.read_text()
