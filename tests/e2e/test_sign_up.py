"""Journey: a visitor creates a customer account, logs out and logs in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icpportal.models import Membership
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Blue-lantern-harbour-2026"


def test_visitor_signs_up_logs_out_and_logs_in_again(page, settings):
    # The sign-up limit counts per address in the shared cache; the browser is 127.0.0.1.
    settings.SIGN_UP_LIMIT_PER_HOUR = 10_000
    # GIVEN a visitor on the log-in page
    page.goto(page.base + "/accounts/login/")
    # WHEN they follow the sign-up link and fill in the form
    page.get_by_role("link", name="Create a customer account").click()
    expect(page.locator("h1")).to_contain_text("Create a customer account")
    page.fill("input[name=email]", "grace@example.com")
    page.fill("input[name=username]", "grace")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=tenant_name]", "Hopper Web Studio")
    # First without accepting the terms: the form says so and keeps the other answers.
    page.locator("#content form button[type=submit]").click()
    expect(page.locator("#content form")).to_contain_text("Please accept the service terms")
    expect(page.locator("input[name=email]")).to_have_value("grace@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=accept_terms]")
    page.locator("#content form button[type=submit]").click()
    # THEN they land on the dashboard of their new customer account
    page.wait_for_url(page.base + "/")
    expect(page.locator("h1")).to_contain_text("Dashboard")
    expect(page.locator("#content")).to_contain_text("ICP filings of Hopper Web Studio")
    membership = Membership.objects.select_related("tenant").get(user__username="grace")
    assert membership.role == "owner" and membership.tenant.name == "Hopper Web Studio"
    # AND the owner finds Members in the navigation
    expect(page.locator("#portal-sidenav")).to_contain_text("Members")

    # WHEN they log out from the account menu
    page.locator("button[title='Account']").click()
    page.get_by_role("button", name="Log out").click()
    # THEN they are back on the log-in page
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_contain_text("Log in")

    # WHEN they log in again
    log_in(page, "grace", PASSWORD)
    # THEN the dashboard shows their customer account again
    expect(page.locator("#content")).to_contain_text("ICP filings of Hopper Web Studio")
