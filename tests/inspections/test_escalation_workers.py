"""Two real Celery worker processes and a duplicated beat escalate the same due cases:
each block is applied exactly once, with its audit row, outbox rows, access decision
and Redis key."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from icpportal.celery import app
from icpportal.models import AuditEvent
from inspections.benchmarks._stack import Worker
from inspections.gate import store
from inspections.models import AccessDecision, AccessState, CaseState, RectificationCase
from notifications.models import Notification
from tests import factories
from tests.inspections.cases_helpers import website_of
from tests.inspections.test_worker import _database_url
from tests.services import require_redis

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 120
DEADLINE_SECONDS = 120


def test_two_workers_and_a_duplicated_beat_block_each_case_once(alice, alice_tenant, tmp_path):
    # GIVEN PostgreSQL, Redis and 120 overdue cases whose next step is the block
    if "postgresql" not in connection.settings_dict["ENGINE"]:
        pytest.skip("the workers share the PostgreSQL test database")
    broker = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    require_redis(broker)
    now = timezone.now()
    hosts = []
    for i in range(CASES):
        host = f"w{i}-{uuid.uuid4().hex[:8]}.example.com"
        hosts.append(host)
        factories.RectificationCaseFactory(
            website=website_of(alice_tenant, domain=host),
            state=CaseState.OVERDUE,
            deadline=now - timedelta(hours=1),
            next_step_at=now - timedelta(hours=1),
        )
    queue = f"escalation-test-{uuid.uuid4().hex[:12]}"
    env = {
        "ICP_DATABASE_URL": _database_url(),
        "ICP_REDIS_URL": broker,
        "ICP_ESCALATION_BATCH": "7",  # many small batches, so the workers interleave
        "ICP_ESCALATION_QUEUE": queue,
        "ICP_ENFORCEMENT_BLOCKS_PER_HOUR": "100000",
        "ICP_ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD": "100000",
    }
    workers = [
        Worker(queue=queue, concurrency=1, env=env, log=tmp_path / f"worker{i}.log")
        for i in range(2)
    ]
    try:
        for worker in workers:
            worker.start()
        # WHEN two workers get the escalation task, and the beat fires it a second time
        # (A connection of its own: other tests may have closed the app's producer pool.)
        with app.connection_for_write(broker) as connection_to_broker:
            producer = app.amqp.Producer(connection_to_broker)
            for _ in range(3):
                app.send_task(
                    "inspections.enforcement.tasks.escalate_due_cases",
                    kwargs={},
                    queue=queue,
                    producer=producer,
                )
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            done = RectificationCase.objects.filter(state=CaseState.ACCESS_BLOCKED).count()
            logs = "".join(w.tail(100000) for w in workers)
            if done == CASES and logs.count("succeeded") == 3:
                break
            assert all(w.alive() for w in workers), logs[-3000:]
            time.sleep(0.3)
        else:
            pytest.fail("timed out:\n" + "".join(w.tail() for w in workers))
    finally:
        for worker in workers:
            worker.stop()

    # THEN every case is blocked by exactly one transition
    blocks = (
        AuditEvent.objects.filter(action="case.block")
        .values("object_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert len(blocks) == CASES and {row["n"] for row in blocks} == {1}
    # AND both workers took part
    assert all("access_blocked" in w.tail(100000) for w in workers)
    # AND each host has a blocked decision, its Redis key, and each case its notices once
    assert AccessDecision.objects.filter(state=AccessState.BLOCKED).count() == CASES
    per_case = (
        Notification.objects.filter(template_key="case_blocked")
        .values("context__case")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert len(per_case) == CASES and {row["n"] for row in per_case} == {4}
    client = store.client()
    try:
        values = client.hmget(store.DECISIONS_KEY, hosts)
        assert all(value and b"blocked" in value for value in values)
    finally:
        client.hdel(store.DECISIONS_KEY, *hosts)
