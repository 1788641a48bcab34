"""Journey: a compliance officer opens the portal and sees the dashboard's charts drawn
from the page's own data, and can read the same numbers in a table."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from icpportal import audit
from inspections.dashboard import CACHE_KEY
from inspections.models import CaseState
from tests import factories
from tests.clients import staff_client
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_every_chart_drawn_and_its_numbers(page, rachel, alice_tenant):
    # GIVEN alice's cases: one notified, one overdue, one blocked today; and a draft
    now = timezone.now()
    for state, deadline, blocked_at in (
        (CaseState.NOTIFIED, now + timedelta(days=9), None),
        (CaseState.OVERDUE, now - timedelta(days=1), None),
        (CaseState.ACCESS_BLOCKED, now - timedelta(days=2), now),
    ):
        case = factories.RectificationCaseFactory(
            website=website_of(alice_tenant), state=state, deadline=deadline, blocked_at=blocked_at
        )
        factories.CaseFindingFactory(case=case)
        if blocked_at:
            # The block's audit row, as escalation writes it (the weekly chart counts it).
            audit.record("case.block", case, after={"state": case.state})
    factories.ApplicationFactory(tenant=alice_tenant)
    cache.delete(CACHE_KEY)
    # AND rachel's staff session (password and second factor passed)
    session = staff_client(rachel).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base}]
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # WHEN she opens the portal
    page.goto(page.base + "/")

    # THEN Chart.js drew a chart on each of the six canvases, without a script error
    expect(page.locator("canvas[data-chart]")).to_have_count(6)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((canvas) => window.Chart && window.Chart.getChart(canvas))"
    )
    assert errors == []
    if os.environ.get("DASHBOARD_SCREENSHOT"):
        page.screenshot(path=os.environ["DASHBOARD_SCREENSHOT"], full_page=True)

    # AND the numbers of the state chart read as a table
    chart = page.get_by_test_id("chart-by-state")
    chart.get_by_text("Show the numbers").click()
    row = chart.get_by_role("row", name="Deadline passed")
    expect(row.get_by_role("cell")).to_have_text("1")
