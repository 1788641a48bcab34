"""The staff dashboard: the figures of each chart on seeded cases and applications,
a fixed number of queries whatever the rows (none while cached), charts drawn from
json_script data with a table of the same numbers, customers refused, Chinese pages."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.choices import ApplicationStatus
from filings.models import Application
from icpportal import audit
from inspections.dashboard import CACHE_KEY, DAYS, WEEKS, dashboard_numbers
from inspections.enforcement import actions
from inspections.enforcement.escalation import escalate_due_cases
from inspections.models import CaseState, FindingStatus, RectificationCase
from tests import factories
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db
S = CaseState


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)


def _ago(days: int = 0, weeks: int = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, weeks=weeks)


def _case(tenant, state, *, rules=("domain_expiry",), **fields):
    case = factories.RectificationCaseFactory(website=website_of(tenant), state=state)
    RectificationCase.objects.filter(pk=case.pk).update(**fields)
    for code in rules:
        factories.CaseFindingFactory(case=case, rule_code=code)
    return case


def _escalated(case, action: str, at: datetime.datetime) -> None:
    """The audit row escalation writes for a block or a cancel, dated ``at``."""
    with time_machine.travel(at, tick=False):
        audit.record(action, case, after={"state": case.state})


def _application(tenant, status, submitted_at=None):
    application = factories.ApplicationFactory(tenant=tenant)
    Application.objects.filter(pk=application.pk).update(status=status, submitted_at=submitted_at)
    return application


@pytest.fixture
def seeded(alice_tenant, bob_tenant):
    """Cases across two customers in every phase, and applications in review."""
    # Open: two notified (one past its deadline), one overdue, one blocked three weeks ago.
    _case(alice_tenant, S.NOTIFIED, opened_at=_ago(2), deadline=_ago(days=-5))
    _case(
        bob_tenant,
        S.NOTIFIED,
        rules=("domain_expiry", "contact_reachability"),
        opened_at=_ago(2),
        deadline=_ago(1),
    )
    _case(alice_tenant, S.OVERDUE, rules=("contact_reachability",), deadline=_ago(1))
    blocked = _case(
        bob_tenant,
        S.ACCESS_BLOCKED,
        rules=("access_provider",),
        deadline=_ago(weeks=4),
        blocked_at=_ago(weeks=3),
    )
    _escalated(blocked, "case.block", _ago(weeks=3))
    # Closed: resolved today (its finding passed), access cancelled a week ago.
    resolved = _case(alice_tenant, S.RESOLVED, closed_at=_ago(0), resolved_at=_ago(0))
    resolved.findings.update(status=FindingStatus.PASSED)
    cancelled = _case(
        bob_tenant,
        S.ACCESS_CANCELLED,
        rules=("access_provider",),
        blocked_at=_ago(weeks=2),
        cancelled_at=_ago(weeks=1),
        closed_at=_ago(weeks=1),
        opened_at=_ago(weeks=6),
    )
    _escalated(cancelled, "case.block", _ago(weeks=2))
    _escalated(cancelled, "case.access_cancelled", _ago(weeks=1))
    # Applications: one in review far past its working day, one just submitted.
    _application(alice_tenant, ApplicationStatus.PROVIDER_REVIEW, submitted_at=_ago(10))
    _application(bob_tenant, ApplicationStatus.PROVIDER_REVIEW, submitted_at=timezone.now())
    _application(alice_tenant, ApplicationStatus.DRAFT)
    _application(bob_tenant, ApplicationStatus.APPROVED, submitted_at=_ago(30))


def _week_index(moment: datetime.datetime) -> int:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday(), weeks=WEEKS - 1)
    monday = timezone.localtime(moment).date()
    monday -= datetime.timedelta(days=monday.weekday())
    return (monday - start).days // 7


def test_the_figures_of_every_chart_match_the_seeded_cases(seeded):
    numbers = dashboard_numbers()

    # Open cases by state (every open state listed, closed ones not)
    assert numbers["by_state"] == {
        S.OPEN: 0,
        S.NOTIFIED: 2,
        S.REMEDIATION_SUBMITTED: 0,
        S.RE_INSPECTING: 0,
        S.OVERDUE: 1,
        S.ACCESS_BLOCKED: 1,
    }
    # Open cases per failing rule, most first; passed findings and closed cases left out
    assert numbers["by_rule"] == {
        "contact_reachability": 2,
        "domain_expiry": 2,
        "access_provider": 1,
    }
    # Opened and closed per local day over 30 days, today last
    per_day = numbers["per_day"]
    assert len(per_day["days"]) == DAYS and per_day["days"][-1] == timezone.localdate()
    assert per_day["opened"][-3] == 2  # the two notified cases, two days ago
    assert per_day["opened"][-1] == 3  # overdue, blocked, resolved: opened "now"
    assert sum(per_day["opened"]) == 5  # the cancelled one opened six weeks ago
    assert per_day["closed"][-1] == 1 and per_day["closed"][-8] == 1
    assert sum(per_day["closed"]) == 2
    # Past their deadline: the late notified case, the overdue and the blocked one;
    # one application past its review day
    assert numbers["sla"] == {"cases_past_deadline": 3, "reviews_past_sla": 1}
    # Blocks and cancellations per week, Monday-based, twelve weeks
    per_week = numbers["per_week"]
    assert len(per_week["weeks"]) == WEEKS and all(w.weekday() == 0 for w in per_week["weeks"])
    blocked = [0] * WEEKS
    blocked[_week_index(_ago(weeks=3))] += 1
    blocked[_week_index(_ago(weeks=2))] += 1
    assert per_week["blocked"] == blocked
    assert sum(per_week["cancelled"]) == 1
    assert per_week["cancelled"][_week_index(_ago(weeks=1))] == 1
    # Applications by status, every status listed
    assert numbers["applications"][ApplicationStatus.PROVIDER_REVIEW] == 2
    assert numbers["applications"][ApplicationStatus.DRAFT] == 1
    assert numbers["applications"][ApplicationStatus.APPROVED] == 1
    assert set(numbers["applications"]) == set(ApplicationStatus.values)


def test_a_block_followed_by_an_extension_still_counts_in_its_week(alice_tenant, leo):
    # GIVEN an overdue case whose block is due, blocked by the escalation
    case = _case(alice_tenant, S.OVERDUE, deadline=_ago(2), next_step_at=_ago(1))
    escalate_due_cases(time_budget=30)
    case.refresh_from_db()
    assert case.state == S.ACCESS_BLOCKED

    # WHEN a reviewer extends its deadline (the website is let back in)
    actions.do_extend_case(case, actor=leo, days=10, reason="Renewal paid, registry slow")
    case.refresh_from_db()
    assert case.state == S.NOTIFIED and case.blocked_at is None

    # THEN this week's bar still counts the block
    per_week = dashboard_numbers()["per_week"]
    assert per_week["blocked"][_week_index(timezone.now())] == 1
    assert sum(per_week["blocked"]) == 1 and sum(per_week["cancelled"]) == 0


def test_the_figures_are_kept_for_a_minute(alice_tenant, seeded):
    before = dashboard_numbers()["by_state"][S.NOTIFIED]
    _case(alice_tenant, S.NOTIFIED)

    # Within the minute: the cached figures, without a query
    with CaptureQueriesContext(connection) as queries:
        assert dashboard_numbers()["by_state"][S.NOTIFIED] == before
    assert len(queries) == 0

    # Once they are gone: counted again
    cache.delete(CACHE_KEY)
    assert dashboard_numbers()["by_state"][S.NOTIFIED] == before + 1


@pytest.mark.parametrize("rows", [3, 20])
def test_the_figures_take_one_query_per_chart_whatever_the_rows(
    alice_tenant, django_assert_num_queries, rows
):
    for n in range(rows):
        _case(alice_tenant, S.NOTIFIED, rules=("domain_expiry", f"rule_{n}"), opened_at=_ago(n))
        _application(alice_tenant, ApplicationStatus.PROVIDER_REVIEW, submitted_at=_ago(n))

    # by state, by rule, per day, cases past deadline, applications in review, the
    # calendar's overrides for their clocks, per week, applications by status
    with django_assert_num_queries(8):
        dashboard_numbers()


def _staff_page(client, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"), **headers)
    return response, len(queries)


def test_staff_land_on_charts_fed_by_json_with_tables_of_the_same_numbers(rachel_client, seeded):
    response, _queries = _staff_page(rachel_client)

    assert response.status_code == 200
    page = response.content.decode()
    # Six charts, each a canvas naming its data, the data as JSON, a table fallback
    for key in ("by-state", "by-rule", "per-day", "sla", "per-week", "applications"):
        assert f'data-chart="chart-data-{key}"' in page
        assert f'id="chart-data-{key}"' in page
    by_state = json.loads(
        re.search(r'id="chart-data-by-state" type="application/json">(.*?)</script>', page).group(1)
    )
    assert by_state["labels"][1] == "Customer notified" and by_state["datasets"][0]["data"][1] == 2
    assert page.count("<details") == 6 and "Show the numbers" in page
    # The scripts are files: Chart.js and the dashboard's own; no inline code
    assert "/static/vendor/chartjs/chart.umd.js" in page and "/static/js/dashboard.js" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    # The SLA cards link to the queues; the staff workspace card stays
    assert 'data-testid="cases-past-deadline"' in page and reverse("review-queue") in page
    assert "Staff workspace" in page and reverse("admin:index") in page


def test_the_dashboard_page_costs_the_same_for_3_or_20_cases(rachel_client, alice_tenant):
    for n in range(3):
        _case(alice_tenant, S.NOTIFIED, rules=(f"rule_{n}",))
    _response, few = _staff_page(rachel_client)
    for n in range(17):
        _case(alice_tenant, S.OVERDUE, rules=(f"other_{n}",), opened_at=_ago(n))
    cache.delete(CACHE_KEY)
    _response, many = _staff_page(rachel_client)
    assert few == many

    # AND while the figures are cached, their seven queries are saved (with nothing in
    # review, no calendar is read for review clocks)
    _response, cached = _staff_page(rachel_client)
    assert cached == many - 7


def test_the_dashboard_reads_in_chinese(rachel_client, seeded):
    response, _queries = _staff_page(rachel_client, HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert response.status_code == 200
    assert "合规工作台" in page and "概览" in page
    by_state = json.loads(
        re.search(r'id="chart-data-by-state" type="application/json">(.*?)</script>', page).group(1)
    )
    assert "已阻断接入" in by_state["labels"]


def test_customers_are_refused_and_keep_their_own_dashboard(alice_client, seeded):
    assert alice_client.get(reverse("staff-dashboard")).status_code == 403

    home = alice_client.get(reverse("home")).content.decode()
    assert "chart-data-" not in home and "dashboard.js" not in home


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("staff-dashboard"))

    assert response.status_code == 302 and "login" in response["Location"]
