"""Journey: a new reviewer logs in, sets up an authenticator app from the QR code page,
saves the recovery codes, works, logs out, and logs in again with a recovery code."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def app_code(secret: str) -> str:
    """What an authenticator app holding ``secret`` (base32) shows now."""
    return f"{TOTP(base64.b32decode(secret)).token():06d}"


def submit_code(page) -> None:
    page.get_by_test_id("two-factor-form").locator("button[type=submit]").click()


def test_a_new_reviewer_sets_up_the_app_and_later_logs_in_with_a_recovery_code(page):
    # GIVEN ruth, a new reviewer without an authenticator app
    StaffProfileFactory(user=UserFactory(username="ruth", is_staff=True), role="reviewer")

    # WHEN she logs in with her password
    log_in(page, "ruth")
    # THEN she is asked to set up the app: a QR code, the secret and the otpauth link
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    expect(page.locator("h1")).to_contain_text("Set up two-step login")
    expect(page.locator("[data-testid=qr-code] svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.locator("summary").click()
    expect(page.get_by_test_id("otpauth-uri")).to_contain_text(f"secret={secret}")

    # WHEN she types a wrong code, THEN the page says so
    page.fill("input[name=code]", "000000")
    submit_code(page)
    expect(page.get_by_test_id("two-factor-form")).to_contain_text("The code is wrong")

    # WHEN she types the code her app shows (after the one-second pause)
    page.wait_for_timeout(2100)
    page.fill("input[name=code]", app_code(secret))
    submit_code(page)
    # THEN ten recovery codes are shown, ready to print or download
    codes_list = page.get_by_test_id("recovery-codes")
    expect(codes_list.locator("li")).to_have_count(10)
    codes = [code.strip() for code in codes_list.locator("li").all_inner_texts()]
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_have_attribute(
        "download", re.compile(r"recovery-codes\.txt$")
    )

    # WHEN she has saved them, THEN she works on staff pages
    page.get_by_test_id("recovery-codes-done").click()
    page.goto(page.base + "/staff/review/")
    expect(page.locator("h1")).to_contain_text("Provider review")

    # WHEN she logs out and in again without her phone, using a recovery code
    page.locator("button[title='Account']").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, "ruth")
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    page.fill("input[name=code]", codes[0])
    submit_code(page)
    # THEN she is in, and told how many codes are left
    page.wait_for_url(lambda url: "/accounts/" not in url)
    expect(page.locator("#messages")).to_contain_text("9 are left")
