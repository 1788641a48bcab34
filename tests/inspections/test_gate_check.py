"""``/gate/check``: allow or deny a host from Redis, the database, or neither."""

from __future__ import annotations

import logging

import pytest
from django.db import connections

from inspections.gate import alerts
from inspections.gate.reconcile import reconcile
from tests.factories import AccessDecisionFactory, DomainFactory, RectificationCaseFactory
from tests.inspections import gate_fixtures
from tests.inspections.gate_fixtures import closed_port

gate_redis = gate_fixtures.gate_redis
pytestmark = pytest.mark.django_db


def check(client, host):
    return client.get("/gate/check", {"host": host})


def test_a_filed_accessed_host_and_its_subdomains_are_allowed_from_redis(
    client, gate_redis, django_assert_num_queries
):
    # GIVEN example.com in an active filing accessed here, reconciled into Redis
    DomainFactory(name="example.com")
    reconcile()
    # WHEN the gate is asked about the host and a subdomain in any spelling
    with django_assert_num_queries(0):
        direct = check(client, "Example.COM.:443")
        sub = check(client, "shop.www.example.com")
    # THEN both pass, answered from Redis without touching the database or a session
    assert direct.status_code == 200
    assert direct.json() == {
        "host": "example.com",
        "allow": True,
        "decision": "allowed",
        "reason": "Filed and accessed here.",
        "case": None,
        "matched": "example.com",
        "source": "redis",
    }
    assert direct["X-ICP-Gate"] == "allowed"
    assert sub.status_code == 200
    assert sub.json()["matched"] == "example.com"
    assert "Set-Cookie" not in direct and "Cookie" not in direct.get("Vary", "")


def test_a_blocked_host_is_denied_with_its_case_and_blocks_its_subdomains(client, gate_redis):
    # GIVEN a website whose case blocked its access
    domain = DomainFactory(name="blocked.example.com")
    case = RectificationCaseFactory(website=domain.website, state="access_blocked")
    reconcile()
    # WHEN the gate is asked about the host and a subdomain
    response = check(client, "blocked.example.com")
    sub = check(client, "www.blocked.example.com")
    # THEN both are denied (403, the code nginx auth_request denies on) with the case
    assert response.status_code == 403
    assert response.json()["decision"] == "blocked"
    assert response.json()["case"] == case.pk
    assert response["X-ICP-Gate"] == "blocked"
    assert sub.status_code == 403 and sub.json()["matched"] == "blocked.example.com"


def test_a_host_no_active_filing_covers_is_denied_as_unfiled(client, gate_redis):
    # GIVEN a filed example.com, and Redis reconciled
    DomainFactory(name="example.com")
    reconcile()
    # WHEN the gate is asked about another name, and about a parent of the filed one
    other = check(client, "nofiling.example.net")
    parent = check(client, "com")
    # THEN both are denied as unfiled
    assert other.status_code == 403
    assert other.json()["decision"] == "unfiled"
    assert other.json()["reason"] == "No active ICP filing covers this host."
    assert parent.status_code == 403


@pytest.mark.parametrize(
    ("host", "message"),
    [("", "empty"), ("exa mple.com", "space"), ("example.com:http", "port"), ("a..b", "label")],
)
def test_a_value_that_is_no_host_gets_400_with_the_reason(client, gate_redis, host, message):
    # GIVEN a bad host value WHEN checked THEN 400 with the reason, no decision
    response = check(client, host)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "X-ICP-Gate" not in response


def test_an_idn_host_is_checked_in_its_idna_form(client, gate_redis):
    # GIVEN a filed internationalised domain, stored in IDNA form
    DomainFactory(name="xn--fsqu00a.xn--fiqs8s")
    reconcile()
    # WHEN the gate is asked with its Unicode form
    response = check(client, "WWW.例子.中国")
    # THEN it is found
    assert response.status_code == 200
    assert response.json()["host"] == "www.xn--fsqu00a.xn--fiqs8s"


def test_only_get_is_answered(client, gate_redis):
    response = client.post("/gate/check?host=example.com")
    assert response.status_code == 405


def test_with_redis_down_the_gate_answers_from_the_database_and_alerts(
    client, gate_redis, settings, caplog
):
    # GIVEN a blocked host and an allowed one, and the gate's Redis on a closed port
    DomainFactory(name="fine.example.com")
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    reconcile()
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    # WHEN the gate is asked
    with caplog.at_level(logging.ERROR, logger="inspections.gate.alerts"):
        denied = check(client, "www.blocked.example.com")
        allowed = check(client, "fine.example.com")
    # THEN the database decides, and the fallback is alerted
    assert denied.status_code == 403
    assert denied.json().items() >= {"decision": "blocked", "source": "database"}.items()
    assert allowed.status_code == 200 and allowed.json()["source"] == "database"
    assert alerts.counts["redis-fallback"] == 2
    assert "reads the database" in caplog.text


def test_a_redis_that_lost_its_decisions_is_not_trusted(client, gate_redis):
    # GIVEN a filed host, but Redis emptied (restarted) since the last reconcile
    DomainFactory(name="example.com")
    reconcile()
    gate_redis.delete("icp:gate:decisions")
    # WHEN the gate is asked
    response = check(client, "example.com")
    # THEN it does not read the empty hash as "unfiled": the database answers
    assert response.status_code == 200
    assert response.json()["source"] == "database"


@pytest.mark.django_db(transaction=True)
def test_with_redis_and_the_database_down_the_gate_lets_through_and_alerts_critically(
    client, gate_redis, settings, caplog
):
    # GIVEN a blocked host, Redis down and the database unreachable
    blocked = DomainFactory(name="blocked.example.com")
    RectificationCaseFactory(website=blocked.website, state="access_blocked")
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    database = connections["default"]
    saved = dict(database.settings_dict)
    database.close()
    database.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        # WHEN the gate is asked
        with caplog.at_level(logging.CRITICAL, logger="inspections.gate.alerts"):
            response = check(client, "blocked.example.com")
    finally:
        database.close()
        database.settings_dict.clear()
        database.settings_dict.update(saved)
    # THEN it fails open (never takes every site offline) and raises a CRITICAL alert
    assert response.status_code == 200
    assert response.json().items() >= {"decision": "allowed", "source": "fail-open"}.items()
    assert alerts.counts["fail-open"] == 1
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)


def test_a_fail_open_alert_is_mailed_to_staff_once_per_interval(
    client, gate_redis, settings, mailoutbox
):
    # GIVEN alert addresses and a gate that cannot read Redis
    settings.GATE_ALERT_EMAILS = ["noc@example.com"]
    settings.GATE_REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    AccessDecisionFactory(host="example.com")
    # WHEN it falls back twice in a row
    check(client, "example.com")
    check(client, "example.com")
    alerts_thread_join()
    # THEN staff get one mail saying so
    assert [m.to for m in mailoutbox] == [["noc@example.com"]]
    assert "redis-fallback" in mailoutbox[0].subject


def alerts_thread_join() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.daemon and thread.name.startswith("Thread") and thread.is_alive():
            thread.join(timeout=5)
