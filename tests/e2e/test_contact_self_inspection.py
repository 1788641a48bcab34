"""Journey: alice verifies her website head's mobile number by SMS code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notifications.sms import locmem
from tests.e2e.conftest import log_in
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _last_code() -> str:
    return re.search(r"\d{6}", locmem.outbox[-1].text).group(0)


def test_contact_self_inspection_end_to_end(page, alice, alice_tenant, settings):
    # GIVEN alice's website whose head has never verified the mobile number
    head = DomainFactory(website__entity__tenant=alice_tenant).website.head
    log_in(page, "alice")
    # WHEN she opens the contact self-inspection page in English
    page.goto(page.base + "/contacts/")
    row = page.locator(f"#contact-{head.pk}")
    expect(row).to_contain_text("Never verified")
    expect(row).to_contain_text(head.masked_mobile)
    assert head.mobile not in page.content()
    # AND clicks Verify: a code is sent without reloading the page
    page.evaluate("window.__marker = 1")
    row.get_by_test_id("verify-button").click()
    expect(row.get_by_test_id("code-input")).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    assert locmem.outbox[-1].to == head.mobile
    # AND enters a wrong code first
    code = _last_code()
    row.get_by_test_id("code-input").fill("000000" if code != "000000" else "111111")
    row.get_by_role("button", name="Confirm").click()
    expect(row.get_by_test_id("verification-result")).to_contain_text("Wrong code. 4 tries left.")
    # AND then the right one
    row.get_by_test_id("code-input").fill(code)
    row.get_by_role("button", name="Confirm").click()
    # THEN the number shows as verified
    expect(row.get_by_test_id("verification-result")).to_contain_text("verified")
    expect(row).to_contain_text("Verified")
    head.refresh_from_db()
    assert head.mobile_verified_at is not None
    # AND asking again at once is throttled with a clear message
    row.get_by_test_id("verify-button").click()
    expect(row.get_by_test_id("verification-error")).to_contain_text("Please wait")


def test_contact_page_is_translated(page, alice, alice_tenant):
    DomainFactory(website__entity__tenant=alice_tenant)
    log_in(page, "alice")
    page.goto(page.base + "/contacts/")
    page.locator("button[title='Language'], button:has(.bi-translate)").first.click()
    page.locator("button[name=language][value=zh-hans]").click()
    expect(page.locator("h1")).to_contain_text("联系方式自查")
