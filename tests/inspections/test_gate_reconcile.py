"""The gate's decisions: recomputed from filings and cases, published and rebuilt in Redis."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from filings.models import Website
from icpportal.celery import app
from inspections.gate import alerts
from inspections.gate.publish import publish_hosts
from inspections.gate.reconcile import reconcile
from inspections.models import AccessDecision
from tests.factories import AccessDecisionFactory, DomainFactory, RectificationCaseFactory
from tests.inspections import gate_fixtures
from tests.inspections.gate_fixtures import closed_port, decision_in_redis

gate_redis = gate_fixtures.gate_redis
pytestmark = pytest.mark.django_db


def states() -> dict[str, str]:
    return dict(AccessDecision.objects.values_list("host", "state"))


def settle() -> None:
    """Make every decision older than the window in which the reconcile leaves it alone."""
    AccessDecision.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))


def test_reconcile_computes_each_hosts_decision_from_filings_and_cases(gate_redis):
    # GIVEN websites in every situation the gate knows
    DomainFactory(name="accessed.example.com")
    DomainFactory(
        name="transfer.example.com",
        website__access_state=Website.AccessState.TRANSFER_PENDING,
    )
    DomainFactory(
        name="elsewhere.example.com", website__access_state=Website.AccessState.NOT_ACCESSED
    )
    DomainFactory(
        name="deregistered.example.com", website__filing_state=Website.FilingState.DEREGISTERED
    )
    DomainFactory(name="removed.example.com", is_active=False)
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    cancelled = DomainFactory(name="cancelled.example.com")
    RectificationCaseFactory(website=cancelled.website, state="access_cancelled")
    open_case = DomainFactory(name="open-case.example.com")
    RectificationCaseFactory(website=open_case.website, state="notified")
    AccessDecisionFactory(host="gone.example.com", state="allowed")
    settle()
    # WHEN the reconcile runs
    result = reconcile()
    # THEN each host gets the decision its filing and case call for
    assert states() == {
        "accessed.example.com": "allowed",
        "transfer.example.com": "allowed",
        "elsewhere.example.com": "unfiled",
        "deregistered.example.com": "unfiled",
        "blocked.example.com": "blocked",
        "cancelled.example.com": "cancelled",
        "open-case.example.com": "allowed",
        "gone.example.com": "unfiled",
    }
    assert result.unfiled == 1 and result.redis_rebuilt
    assert decision_in_redis(gate_redis, "blocked.example.com")["s"] == "blocked"


def test_reconcile_unblocks_once_the_case_is_resolved_and_leaves_unchanged_rows_alone(
    gate_redis,
):
    # GIVEN a host blocked by its case, reconciled
    domain = DomainFactory(name="blocked.example.com")
    case = RectificationCaseFactory(website=domain.website, state="access_blocked")
    reconcile()
    stamped = AccessDecision.objects.get(host="blocked.example.com").updated_at
    # WHEN nothing changes and the reconcile runs again
    assert reconcile().changed == 0
    assert AccessDecision.objects.get(host="blocked.example.com").updated_at == stamped
    # AND WHEN the case is resolved
    case.__class__.objects.filter(pk=case.pk).update(state="resolved")
    settle()
    reconcile()
    # THEN the host is allowed again, in the database and in Redis
    row = AccessDecision.objects.get(host="blocked.example.com")
    assert (row.state, row.case_id) == ("allowed", None)
    assert decision_in_redis(gate_redis, "blocked.example.com")["s"] == "allowed"


def test_reconcile_leaves_a_decision_changed_moments_ago_to_its_action(gate_redis):
    # GIVEN a host an enforcement action blocked a moment ago, in a transaction whose
    # case change the reconcile's statement may not see yet
    DomainFactory(name="example.com")
    AccessDecisionFactory(host="example.com", state="blocked", reason="Overdue.")
    # WHEN the reconcile runs
    reconcile()
    # THEN the fresh block stands; once it has settled, the reconcile rules again
    assert states() == {"example.com": "blocked"}
    settle()
    reconcile()
    assert states() == {"example.com": "allowed"}


def test_reconcile_rebuilds_redis_from_the_database(gate_redis):
    # GIVEN a Redis that drifted: a stale decision, a host the database never had
    DomainFactory(name="example.com")
    reconcile()
    AccessDecision.objects.filter(host="example.com").update(
        state="blocked", updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    gate_redis.hset("icp:gate:decisions", "stray.example.org", '{"s":"allowed","r":"","c":null}')
    # WHEN the reconcile runs
    reconcile()
    # THEN Redis holds exactly the database's decisions, marked as built
    fields = {k.decode() for k in gate_redis.hkeys("icp:gate:decisions")}
    assert fields == {"example.com", "~ready"}
    # The case behind the block is gone, so the reconcile allows the filed host again.
    assert decision_in_redis(gate_redis, "example.com")["s"] == "allowed"
    assert not [k for k in gate_redis.keys("icp:gate:decisions:*")]


def test_reconcile_with_redis_down_still_recomputes_the_decisions(gate_redis, settings):
    # GIVEN a filed host and the gate's Redis down
    DomainFactory(name="example.com")
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    # WHEN the reconcile runs
    result = reconcile()
    # THEN the database is right, Redis is left for the next run, and staff are alerted
    assert states() == {"example.com": "allowed"}
    assert not result.redis_rebuilt
    assert alerts.counts["reconcile-redis"] == 1


def test_the_reconcile_is_a_periodic_task():
    # GIVEN the portal's settings WHEN celery beat reads its schedule
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-access-gate"]
    # THEN the reconcile is scheduled, and a worker (which imports the task modules
    # at start) knows the task
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] == float(settings.GATE_RECONCILE_SECONDS)


def test_publish_hosts_writes_the_committed_decisions_in_one_pipeline(
    gate_redis, django_capture_on_commit_callbacks
):
    # GIVEN decisions changed in a transaction, published on commit
    AccessDecisionFactory(host="a.example.com", state="allowed")
    gate_redis.hset("icp:gate:decisions", "gone.example.com", '{"s":"allowed","r":"","c":null}')
    calls = []
    execute = type(gate_redis.pipeline()).execute

    def counting_execute(pipeline, *args, **kwargs):
        calls.append(len(pipeline.command_stack))
        return execute(pipeline, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(gate_redis.pipeline()), "execute", counting_execute)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            AccessDecision.objects.filter(host="a.example.com").update(
                state="blocked", reason="Overdue."
            )
            transaction.on_commit(
                lambda: publish_hosts(["A.example.com.", "gone.example.com", "not a host"])
            )
            # Before the commit nothing is published.
            assert decision_in_redis(gate_redis, "a.example.com") is None
    # THEN Redis has the committed decision, and a host without one is dropped
    assert decision_in_redis(gate_redis, "a.example.com") == {
        "s": "blocked",
        "r": "Overdue.",
        "c": None,
    }
    assert decision_in_redis(gate_redis, "gone.example.com") is None
    assert calls == [2]


def test_publish_hosts_never_raises_when_redis_is_down(gate_redis, settings, caplog):
    # GIVEN a decision and the gate's Redis down
    AccessDecisionFactory(host="a.example.com", state="blocked")
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    # WHEN it is published twice
    publish_hosts(["a.example.com"])
    publish_hosts(["a.example.com"])
    # THEN nothing is raised, and the failure is alerted
    assert alerts.counts["publish-failed"] == 2
    assert "publish" in caplog.text
