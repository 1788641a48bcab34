"""Journey: alice opens her rectification case from the dashboard, reads what is
wrong and how long she has, writes to compliance staff, verifies the mobile number,
asks for a re-inspection and sees it pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.models import CaseMessage, CaseState, RectificationCase
from inspections.rules import default_registry
from tests import factories
from tests.e2e.conftest import log_in
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db(transaction=True)
NEVER_VERIFIED = (
    "The mobile number 138****0000 of the website head has never passed SMS verification."
)


def test_the_customer_rectifies_a_case_from_the_dashboard(page, alice, alice_tenant):
    # GIVEN alice's website with a case whose finding is the head's unverified mobile
    website = website_of(alice_tenant, name="Alpha Shop", domain="alpha-shop.example.com")
    case = factories.RectificationCaseFactory(
        website=website,
        state=CaseState.NOTIFIED,
        deadline=timezone.now() + timedelta(days=9),
        next_step_at=timezone.now() + timedelta(days=4),
    )
    factories.CaseFindingFactory(
        case=case, rule_code="contact_reachability", message=NEVER_VERIFIED
    )
    title = str(default_registry.get("contact_reachability").title)

    # WHEN she logs in and opens the case from the dashboard
    log_in(page, "alice")
    page.goto(page.base + "/")
    page.locator("#open-cases-slot").get_by_role("link", name="Alpha Shop").click()
    page.wait_for_url(f"**/cases/{case.pk}/")

    # THEN she reads the failing rule in plain words, the countdown and what follows
    expect(page.locator("h1")).to_contain_text(f"Case #{case.pk}: Alpha Shop")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(NEVER_VERIFIED)).to_be_visible()
    expect(page.get_by_text("working days left")).to_be_visible()
    expect(page.get_by_text("access to the website's domains is blocked")).to_be_visible()

    # WHEN she writes to compliance staff
    page.get_by_label("Message").fill("We will verify the head's mobile today.")
    page.get_by_role("button", name="Send").click()

    # THEN her message is in the thread and saved for staff
    expect(page.get_by_text("Your message was sent to compliance staff.")).to_be_visible()
    expect(page.get_by_text("We will verify the head's mobile today.")).to_be_visible()
    assert CaseMessage.objects.get(case=case).body == "We will verify the head's mobile today."

    # WHEN the head's mobile passes the SMS self-inspection and she asks for a
    # re-inspection (its campaign runs at once: tasks run in process here)
    type(website.head).objects.filter(pk=website.head_id).update(mobile_verified_at=timezone.now())
    page.get_by_role("button", name="Request re-inspection").click()

    # THEN the page shows the re-inspection's result: every check passed, case closed
    expect(page.get_by_text("Every check passed.")).to_be_visible()
    expect(page.get_by_text("This case is closed.")).to_be_visible()
    expect(page.get_by_role("button", name="Request re-inspection")).to_have_count(0)
    assert RectificationCase.objects.get(pk=case.pk).state == CaseState.RESOLVED
