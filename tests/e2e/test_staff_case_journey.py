"""Journey: rachel, a reviewer, logs in with her authenticator app, narrows the case
queue by rule, state and domain, takes a case, opens it and extends its deadline with a
reason; then leo, a lead, logs in with his and waives one of its findings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from icpportal.models import AuditEvent
from inspections.enforcement.periods import deadline_for
from inspections.models import CaseState, FindingStatus
from tests import factories
from tests.clients import give_authenticator
from tests.e2e.conftest import browser_page, log_in_staff
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db(transaction=True)
S = CaseState

EXTEND_REASON = "The registrar confirmed the renewal is in progress."
WAIVE_REASON = "The head's mobile was verified by phone call on 2 December."


@pytest.fixture
def cases(alice_tenant, bob_tenant):
    """Three open cases: alice's shop (two failing rules, due in nine days), alice's blog
    (domain expiry, overdue) and bob's news site (IP ownership, due in twelve days)."""
    now = timezone.now()
    shop = factories.RectificationCaseFactory(
        website=website_of(alice_tenant, name="Alpha Shop", domain="alpha-shop.example.com"),
        state=S.NOTIFIED,
        deadline=now + timedelta(days=9),
    )
    factories.CaseFindingFactory(case=shop, rule_code="domain_expiry")
    factories.CaseFindingFactory(
        case=shop,
        rule_code="contact_reachability",
        message="The mobile number 138****0000 of the website head never passed SMS verification.",
    )
    blog = factories.RectificationCaseFactory(
        website=website_of(alice_tenant, name="Alpha Blog", domain="alpha-blog.example.com"),
        state=S.OVERDUE,
        deadline=now - timedelta(days=1),
    )
    factories.CaseFindingFactory(case=blog, rule_code="domain_expiry")
    news = factories.RectificationCaseFactory(
        website=website_of(bob_tenant, name="Beta News", domain="beta-news.example.com"),
        state=S.NOTIFIED,
        deadline=now + timedelta(days=12),
    )
    factories.CaseFindingFactory(case=news, rule_code="dns_ip_ownership")
    return shop, blog, news


@pytest.fixture
def lead_page(browser, live_server, request, leo):
    """Leo's own browser session, logged in with his password and authenticator app."""
    give_authenticator(leo)
    with browser_page(browser, live_server, request, who="-lead") as page:
        yield page


def queue_rows(page: Page):
    return page.get_by_test_id("case-queue").locator("tbody tr")


def apply_filters(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("search").get_by_role("button", name="Filter").click()


def local_minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_a_reviewer_takes_and_extends_a_case_and_a_lead_waives_a_finding(
    page, lead_page, rachel, cases
):
    shop, blog, news = cases
    give_authenticator(rachel)

    # WHEN rachel logs in with her password and the code her app shows
    log_in_staff(page, "rachel")
    # AND opens the case queue
    page.goto(page.base + "/staff/cases/")

    # THEN every open case is listed, nobody's yet
    expect(page.locator("h1")).to_contain_text("Rectification cases")
    expect(queue_rows(page)).to_have_count(3)
    expect(page.locator("[data-open-cases=rachel]")).to_have_text("0")

    # WHEN she narrows it to the domain-expiry rule
    page.get_by_label("Failing rule").select_option("domain_expiry")
    apply_filters(page)
    # THEN bob's news site (IP ownership) is gone
    expect(queue_rows(page)).to_have_count(2)
    expect(page.get_by_test_id("case-queue")).not_to_contain_text("Beta News")
    # WHEN she keeps only notified cases, THEN the overdue blog is gone too
    page.get_by_label("State").select_option(S.NOTIFIED)
    apply_filters(page)
    expect(queue_rows(page)).to_have_count(1)
    expect(queue_rows(page)).to_contain_text("Alpha Shop")
    expect(page.get_by_role("link", name="Clear the filters")).to_be_visible()

    # WHEN she clears the filters and searches for the shop's domain
    page.get_by_role("link", name="Clear the filters").click()
    expect(queue_rows(page)).to_have_count(3)
    page.get_by_label("Search").fill("alpha-shop.example.com")
    apply_filters(page)
    # THEN only the shop's case is left, with its two failing rules
    row = page.locator(f"tr[data-case='{shop.pk}']")
    expect(queue_rows(page)).to_have_count(1)
    expect(row.locator(".badge.portal-mono")).to_have_text(
        ["contact_reachability", "domain_expiry"]
    )
    expect(row.locator("[data-assignee]")).to_have_text("nobody")

    # WHEN she takes it
    row.get_by_role("button", name="Take").click()
    # THEN she is back on the same search, the case is hers and counted in her workload
    expect(page.locator("#messages")).to_contain_text(f"Case #{shop.pk} is in your queue now.")
    expect(page.get_by_label("Search")).to_have_value("alpha-shop.example.com")
    expect(row.locator("[data-assignee]")).to_have_text("rachel")
    expect(row.get_by_role("button", name="Take")).to_have_count(0)
    expect(page.locator("[data-open-cases=rachel]")).to_have_text("1")

    # WHEN she opens the case
    row.get_by_role("link", name=f"#{shop.pk}").click()
    page.wait_for_url(f"**/staff/cases/{shop.pk}/")
    expect(page.locator("h1")).to_contain_text(f"Case #{shop.pk}: Alpha Shop")
    expect(page.locator("#assignment [data-assignee]")).to_have_text("rachel")
    # THEN, a reviewer, she may extend but not waive
    expect(page.get_by_role("button", name="Waive this finding")).to_have_count(0)

    # WHEN she extends the deadline by five working days with a reason
    extend = page.locator("form", has=page.get_by_role("heading", name="Extend the deadline"))
    extend.get_by_label("Days").fill("5")
    extend.get_by_label("Reason").fill(EXTEND_REASON)
    extend.get_by_role("button", name="Extend", exact=True).click()

    # THEN the page shows the new deadline, five working days after the old one
    new_deadline = local_minute(deadline_for(shop.deadline, shop.period_kind, 5))
    expect(page.locator("#messages")).to_contain_text("The deadline was extended")
    expect(page.get_by_text(new_deadline, exact=True)).to_be_visible()
    expect(page.get_by_text("Extended once.")).to_be_visible()
    # AND the history records the extension, its new deadline and the reason
    history = page.get_by_role("region", name="History")
    extension = history.locator("li", has_text="case.extend")
    expect(extension).to_contain_text("rachel")
    expect(extension).to_contain_text(f"deadline {new_deadline}")
    expect(extension).to_contain_text(EXTEND_REASON)

    # WHEN leo, a lead, logs in with his own app and opens the case
    log_in_staff(lead_page, "leo")
    lead_page.goto(lead_page.base + f"/staff/cases/{shop.pk}/")
    reachability = lead_page.locator("article", has_text="contact_reachability")
    expect(reachability.locator(".badge")).to_have_text("Failing")
    # AND waives the unreachable contact's finding with a reason
    reachability.get_by_label("Reason").fill(WAIVE_REASON)
    reachability.get_by_role("button", name="Waive this finding").click()

    # THEN the finding reads as waived, by him and why; the other still fails
    expect(lead_page.locator("#messages")).to_contain_text("The finding was waived.")
    reachability = lead_page.locator("article", has_text="contact_reachability")
    expect(reachability.locator(".badge")).to_have_text("Waived")
    expect(reachability).to_contain_text(f"Waived by leo: {WAIVE_REASON}")
    expect(reachability.get_by_role("button", name="Waive this finding")).to_have_count(0)
    expiry = lead_page.locator("article", has_text="domain_expiry")
    expect(expiry.locator(".badge")).to_have_text("Failing")
    # AND the case is still open, with the waiver in its history
    expect(lead_page.get_by_text("Customer notified", exact=True)).to_be_visible()
    expect(lead_page.get_by_text("This case is closed.")).to_have_count(0)
    waiver = lead_page.get_by_role("region", name="History").locator(
        "li", has_text="case.waive_finding"
    )
    expect(waiver).to_contain_text("leo")
    expect(waiver).to_contain_text("contact_reachability")
    expect(waiver).to_contain_text(WAIVE_REASON)

    # AND the database holds one audit row per step, each by the user who took it
    shop.refresh_from_db()
    assert shop.assignee == rachel and shop.state == S.NOTIFIED
    assert local_minute(shop.deadline) == new_deadline and shop.extension_count == 1
    assert shop.findings.get(rule_code="contact_reachability").status == FindingStatus.WAIVED
    assert shop.findings.get(rule_code="domain_expiry").status == FindingStatus.OPEN
    events = {
        event.action: event
        for event in AuditEvent.objects.filter(
            action__in=("case.take", "case.extend", "case.waive_finding")
        )
    }
    assert AuditEvent.objects.filter(action__in=events).count() == 3
    assert events["case.take"].actor_label == "rachel"
    assert events["case.take"].object_id == str(shop.pk)
    assert events["case.extend"].actor_label == "rachel"
    assert events["case.extend"].reason == EXTEND_REASON
    assert events["case.waive_finding"].actor_label == "leo"
    assert events["case.waive_finding"].reason == WAIVE_REASON
    assert events["case.waive_finding"].before["case"] == shop.pk
    # AND the other cases were not touched
    for other in (blog, news):
        other.refresh_from_db()
        assert other.assignee is None and other.extension_count == 0
