"""Browser journeys: Debian's Chromium driven by Playwright against a live server.

A failing journey leaves a screenshot of its last page in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import service_missing

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# Module scope: Playwright's sync API keeps an event loop running in this thread while
# the browser is open, which other tests' ``asyncio.run`` must not meet.
@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        service_missing("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make to arrange data are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash.setdefault("failed", report.failed)


@contextlib.contextmanager
def browser_page(browser, live_server, request, who: str = "") -> Iterator:
    """A page in a browser context of its own (its own cookies) on the live server; a
    screenshot ``<test><who>.png`` when the test failed."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    try:
        yield page
        if request.node.stash.get("failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{who}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def page(browser, request, live_server):
    with browser_page(browser, live_server, request) as page:
        yield page


def log_in(page, username: str, password: str = "correct horse battery staple") -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#content form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def pass_second_factor(page, username: str) -> None:
    """On the verify page, type the code the user's authenticator app shows now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        # A code is good once: a second log-in within the same 30 seconds types the
        # next step's code, which the device accepts within its tolerance of one step.
        totp.time = device.t0 + (device.last_t + 1 - device.drift) * device.step
    page.fill("input[name=code]", f"{totp.token():0{device.digits}d}")
    page.get_by_test_id("two-factor-form").locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def log_in_staff(page, username: str, password: str = "correct horse battery staple") -> None:
    """Log a staff user in: password, then the code of their authenticator app (which
    the test creates beforehand, e.g. with ``tests.clients.give_authenticator``)."""
    log_in(page, username, password)
    pass_second_factor(page, username)
