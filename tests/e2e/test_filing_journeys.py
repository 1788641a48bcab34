"""Journeys: a customer files (and transfers) an ICP record in the browser, staff review
it, the heads enter the MIIT codes, the simulated bureau approves, the numbers show.

Each step leaves a screenshot; when a journey fails, all of them are kept in
``test-artifacts/<test name>/`` (the customer's and the reviewer's pages).
"""

from __future__ import annotations

import datetime
import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from filings.choices import ApplicationStatus, HeadRole
from filings.models import Application, MiitVerification, Website
from filings.tasks.applications import poll_bureau
from icpportal.crypto import keyed_hash
from notifications.sms import locmem
from tests.clients import give_authenticator
from tests.e2e.conftest import ARTIFACTS, log_in_staff
from tests.factories import (
    PDF_BYTES,
    RegistryDomainFactory,
    RegistryRecordFactory,
    StaffProfileFactory,
    UserFactory,
    credit_code,
    image_bytes,
    resident_id,
)

pytestmark = pytest.mark.django_db(transaction=True)
Status = ApplicationStatus

PASSWORD = "Blue-lantern-harbour-2026"
STAFF_PASSWORD = "correct horse battery staple"
ENTITY = "北京蓝灯科技有限公司"
ENTITY_ID = credit_code(424242)
HEAD = "王晓明"
HEAD_ID = resident_id(424)
HEAD_MOBILE = "13812344242"
DOMAIN = "lantern-example.cn"
PNG = image_bytes()


class Trail:
    """Screenshots of every step of a journey, kept only when the journey fails."""

    def __init__(self, request, tmp_path):
        self.name = request.node.name
        self.folder = tmp_path / "steps"
        self.folder.mkdir()
        self.count = 0

    def shot(self, page: Page, label: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)

    def keep(self) -> None:
        target = ARTIFACTS / self.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.folder, target)


@pytest.fixture
def trail(request, tmp_path):
    trail = Trail(request, tmp_path)
    yield trail
    if request.node.stash.get("failed", False):
        trail.keep()


@pytest.fixture
def staff_page(browser, live_server, request, trail):
    """A second browser session: rachel, a compliance reviewer, logged in."""
    user = UserFactory(username="rachel", is_staff=True)
    user.set_password(STAFF_PASSWORD)
    user.save()
    StaffProfileFactory(user=user, role="reviewer")
    give_authenticator(user)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    # The pass button asks for confirmation when the self-check reports a problem.
    page.on("dialog", lambda dialog: dialog.accept())
    log_in_staff(page, "rachel", STAFF_PASSWORD)
    yield page
    if request.node.stash.get("failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-staff.png"), full_page=True)
    context.close()


@pytest.fixture
def bureau_at_once(settings):
    """The simulated bureau decides as soon as the poll asks."""
    settings.REGISTRY_SIMULATOR_DELAY_SECONDS = 0


@pytest.fixture(autouse=True)
def sign_ups_unlimited(settings):
    # The sign-up limit counts per address in the shared cache; the browser is 127.0.0.1.
    settings.SIGN_UP_LIMIT_PER_HOUR = 10_000


# ---- the customer's steps ----------------------------------------------------------------


def sign_up(page: Page, username: str, company: str) -> None:
    page.goto(page.base + "/accounts/signup/")
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=tenant_name]", company)
    page.check("input[name=accept_terms]")
    page.locator("#content form button[type=submit]").click()
    page.wait_for_url(page.base + "/")


def fill(page: Page, values: dict[str, str | bool]) -> None:
    """Type each value into the wizard form's field of that name."""
    form = page.locator("[data-testid=wizard-form]")
    for name, value in values.items():
        field = form.locator(f"[name='{name}']")
        tag = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            field.select_option(str(value))
        elif tag.endswith("checkbox"):
            field.set_checked(bool(value))
        else:
            field.fill(str(value))


def save_and_continue(page: Page, expected_step: str) -> None:
    page.get_by_test_id("wizard-next").click()
    expect(page.locator("#content .card-header").first).to_contain_text(expected_step)


def start(page: Page, kind: str) -> None:
    page.goto(page.base + "/applications/new/")
    page.locator(f"a[data-kind={kind}]").click()
    page.get_by_test_id("start-application").click()
    page.wait_for_url(re.compile(r"/applications/\d+/wizard/"))


def upload_documents(page: Page, trail: Trail, documents: dict[str, dict[str, str]]) -> None:
    """Upload every document the checklist still lacks, with its details."""
    pending = page.locator("[data-testid=wizard-material]:has([data-testid=material-upload-form])")
    for _round in range(12):
        left = pending.count()
        if left == 0:
            return
        item = pending.first
        kind = item.get_attribute("data-kind")
        details = documents[kind]
        item.locator("summary").click()
        form = item.get_by_test_id("material-upload-form")
        pdf = details.get("file") == "pdf"
        form.locator("input[type=file]").set_input_files(
            {
                "name": f"{kind}.pdf" if pdf else f"{kind}.png",
                "mimeType": "application/pdf" if pdf else "image/png",
                "buffer": PDF_BYTES if pdf else PNG,
            }
        )
        for name in ("document_number", "holder_name", "signed_on"):
            if name in details:
                form.locator(f"[name={name}]").fill(details[name])
        form.locator("button[type=submit]").click()
        # The page comes back with this document on file, and one upload fewer to do.
        expect(pending).to_have_count(left - 1)
        trail.shot(page, f"uploaded-{kind}")
    raise AssertionError("The documents checklist never completed.")


def first_filing_documents() -> dict[str, dict[str, str]]:
    signed = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    return {
        "entity_certificate": {"file": "pdf", "document_number": ENTITY_ID, "holder_name": ENTITY},
        "head_id_front": {"document_number": HEAD_ID, "holder_name": HEAD},
        "head_id_back": {"document_number": HEAD_ID, "holder_name": HEAD},
        "verification_form": {"file": "pdf", "signed_on": signed},
        "verification_photo": {"holder_name": HEAD},
        "domain_certificate": {"file": "pdf", "holder_name": ENTITY},
    }


def submit(page: Page, button: str = "Submit") -> None:
    self_check = page.get_by_test_id("self-check")
    expect(self_check).to_contain_text("You can submit")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_contain_text("Provider review")


def application_of(username: str) -> Application:
    return Application.objects.filter(created_by__username=username).latest("created_at")


# ---- staff and bureau -------------------------------------------------------------------


def staff_opens(staff_page: Page, application: Application) -> None:
    staff_page.goto(staff_page.base + "/staff/review/")
    staff_page.locator(f"tr[data-application='{application.pk}'] a").first.click()
    expect(staff_page.locator("h1")).to_contain_text(f"#{application.pk}")


def staff_passes(staff_page: Page, application: Application) -> None:
    staff_opens(staff_page, application)
    staff_page.get_by_test_id("pass-form").locator("button[type=submit]").click()
    staff_page.wait_for_url(staff_page.base + "/staff/review/")
    expect(staff_page.locator("#messages")).to_contain_text(f"#{application.pk} passed")


def miit_code(verification: MiitVerification) -> str:
    """The code in the SMS the head received for this role (one SMS per role)."""
    role = str(HeadRole(verification.role).label).lower()
    sent = [
        m.params["code"]
        for m in locmem.outbox
        if m.template_key == "miit_verification_code"
        and m.to == verification.phone
        and m.params.get("role") == role
    ]
    assert sent, f"no MIIT code reached {verification.phone} as {role}"
    return sent[-1]


def enter_miit_codes(page: Page, trail: Trail, application: Application) -> None:
    """Each head reads the code from their SMS and enters it on the application's page."""
    page.goto(page.base + f"/applications/{application.pk}/")
    for _round in range(len(application.required_heads)):
        link = page.get_by_test_id("miit-step").get_by_role("link", name="Enter the code")
        if link.count() == 0:
            break
        link.first.click()
        page.wait_for_url(re.compile(r"/miit/(\d+)/$"))
        verification_pk = int(re.search(r"/miit/(\d+)/$", page.url).group(1))
        verification = MiitVerification.objects.get(pk=verification_pk)
        page.fill("input[name=code]", miit_code(verification))
        trail.shot(page, f"miit-code-{verification.role}")
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url(re.compile(rf"/applications/{application.pk}/$"))
    expect(page.get_by_test_id("status")).to_contain_text("Bureau review")


def bureau_decides() -> None:
    poll_bureau()


# ---- the journeys -----------------------------------------------------------------------


def test_first_filing_from_sign_up_to_filing_numbers(page, staff_page, trail, bureau_at_once):
    # GIVEN a visitor who signs up for a customer account
    sign_up(page, "lily", "Lantern Tech")
    trail.shot(page, "signed-up")

    # WHEN she walks the first-time filing wizard
    start(page, "first_filing")
    fill(page, {"entity_type": "enterprise", "province": "110000"})
    save_and_continue(page, "Entity")
    fill(
        page,
        {
            "name": ENTITY,
            "id_type": "uscc",
            "id_number": ENTITY_ID,
            "address": "北京市海淀区中关村大街27号",
            "legal_representative": HEAD,
            "office_phone": "010-62345678",
            "emergency_phone": "13987654321",
            "email": "office@lantern-example.cn",
        },
    )
    trail.shot(page, "entity")
    save_and_continue(page, "Entity head")
    fill(
        page,
        {
            "name": HEAD,
            "id_type": "resident_id",
            "id_number": HEAD_ID,
            "mobile": HEAD_MOBILE,
            "email": "wang@lantern-example.cn",
        },
    )
    save_and_continue(page, "Website")
    fill(
        page,
        {
            "name": "蓝灯官网",
            "homepage_url": f"https://www.{DOMAIN}/",
            "content_category": "corporate",
        },
    )
    save_and_continue(page, "Website head")
    fill(page, {"same_as_entity_head": True})
    save_and_continue(page, "Domains")
    expires = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    fill(
        page,
        {
            "domains-0-name": DOMAIN,
            "domains-0-registrar": "Demo Registrar",
            "domains-0-registrant_name": ENTITY,
            "domains-0-registrant_id_type": "uscc",
            "domains-0-registrant_id_number": ENTITY_ID,
            "domains-0-expires_on": expires,
        },
    )
    trail.shot(page, "domains")
    save_and_continue(page, "Documents")
    upload_documents(page, trail, first_filing_documents())
    save_and_continue(page, "Review")
    expect(page.get_by_test_id("review-complete")).to_be_visible()
    trail.shot(page, "review")
    page.get_by_test_id("wizard-finish").click()

    # THEN the self-check finds nothing blocking and she submits
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    trail.shot(page, "self-check")
    submit(page)
    application = application_of("lily")
    assert application.status == Status.PROVIDER_REVIEW

    # WHEN rachel returns it with a reason on the website name
    staff_opens(staff_page, application)
    trail.shot(staff_page, "staff-review")
    staff_page.fill("input[name='reason-website.name']", "Use the name shown on the site.")
    staff_page.get_by_role("button", name="Return to the customer").click()
    staff_page.wait_for_url(staff_page.base + "/staff/review/")

    # THEN lily sees the application returned, with the reason next to the field
    page.goto(page.base + f"/applications/{application.pk}/")
    expect(page.get_by_test_id("status")).to_contain_text("Returned")
    expect(page.locator("[data-path='website.name']").first).to_contain_text(
        "Use the name shown on the site."
    )
    trail.shot(page, "returned")

    # WHEN she corrects the name and submits again
    page.goto(page.base + f"/applications/{application.pk}/wizard/website/")
    fill(page, {"name": "蓝灯科技官网"})
    save_and_continue(page, "Website head")
    page.goto(page.base + f"/applications/{application.pk}/")
    submit(page)
    application.refresh_from_db()
    assert application.payload["website"]["name"] == "蓝灯科技官网"

    # AND rachel passes it
    staff_passes(staff_page, application)
    application.refresh_from_db()
    assert application.status == Status.SMS_VERIFICATION

    # THEN the head enters the MIIT code the bureau sent by SMS
    enter_miit_codes(page, trail, application)

    # WHEN the simulated bureau decides
    bureau_decides()

    # THEN the filing numbers are on the application and on the website list
    page.goto(page.base + f"/applications/{application.pk}/")
    expect(page.get_by_test_id("status")).to_contain_text("Approved")
    application.refresh_from_db()
    numbers = application.issued_numbers
    assert re.fullmatch(r"京ICP备\d{10}号", numbers["entity"])
    website_number = next(v for k, v in numbers.items() if k != "entity")
    expect(page.locator("#content")).to_contain_text(website_number)
    trail.shot(page, "approved")
    page.goto(page.base + "/websites/")
    expect(page.locator("#content")).to_contain_text(website_number)
    expect(page.locator("#content")).to_contain_text(DOMAIN)


def test_transfer_of_a_filing_held_at_another_provider(page, staff_page, trail, bureau_at_once):
    # GIVEN a website filed with another provider, as the bureau records it
    entity_id = credit_code(515151)
    record = RegistryRecordFactory(
        entity_filing_number="沪ICP备2024005151号",
        website_filing_number="沪ICP备2024005151号-1",
        entity_name="上海迁移示例有限公司",
        entity_id_hash=keyed_hash(entity_id),
        website_name="迁移示例网站",
        province_id="310000",
    )
    RegistryDomainFactory(record=record, name="moving-example.cn")
    # ... and its owner, who signs up here
    sign_up(page, "mark", "Moving Co")

    # WHEN he starts a transfer with the filing number: the rest is pre-filled
    start(page, "transfer")
    fill(page, {"filing_number": record.website_filing_number})
    trail.shot(page, "transfer")
    page.get_by_test_id("wizard-next").click()
    _walk_transfer_steps(page, trail, entity_id, record)
    submit(page)
    application = application_of("mark")

    # AND rachel passes it
    staff_opens(staff_page, application)
    expect(staff_page.get_by_test_id("registry-record")).to_contain_text("上海迁移示例有限公司")
    trail.shot(staff_page, "staff-transfer")
    staff_passes(staff_page, application)

    # THEN the site is reachable here while the bureau reviews
    application.refresh_from_db()
    website = Website.objects.get(filing_number=record.website_filing_number)
    assert website.access_state == Website.AccessState.TRANSFER_PENDING

    # WHEN the website head enters the MIIT code and the bureau decides
    enter_miit_codes(page, trail, application)
    bureau_decides()

    # THEN the transfer is approved and the filing number shows as accessed here
    page.goto(page.base + f"/applications/{application.pk}/")
    expect(page.get_by_test_id("status")).to_contain_text("Approved")
    page.goto(page.base + "/websites/")
    expect(page.locator("#content")).to_contain_text(record.website_filing_number)
    website.refresh_from_db()
    assert website.access_state == Website.AccessState.ACCESSED
    trail.shot(page, "transfer-approved")


def _walk_transfer_steps(page: Page, trail: Trail, entity_id: str, record) -> None:
    """The transfer wizard after the filing number: whatever steps it asks, then submit."""
    head = {
        "name": "赵迁移",
        "id_type": "resident_id",
        "id_number": resident_id(515),
        "mobile": "13812345151",
    }
    answers = {
        "Entity type and province": {"entity_type": "enterprise", "province": "310000"},
        "Entity": {
            "name": record.entity_name,
            "id_type": "uscc",
            "id_number": entity_id,
            "address": "上海市浦东新区世纪大道100号",
            "legal_representative": head["name"],
            "office_phone": "021-62345151",
            "emergency_phone": "13987655151",
        },
        "Entity head": head,
        "Website": {"homepage_url": "https://moving-example.cn/", "content_category": "corporate"},
        "Website head": {"same_as_entity_head": True},
        "Domains": {
            "domains-0-registrant_name": record.entity_name,
            "domains-0-registrant_id_type": "uscc",
            "domains-0-registrant_id_number": entity_id,
            "domains-0-expires_on": (
                datetime.date.today() + datetime.timedelta(days=400)
            ).isoformat(),
        },
    }
    signed = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    documents = {
        "head_id_front": {"document_number": head["id_number"], "holder_name": head["name"]},
        "head_id_back": {"document_number": head["id_number"], "holder_name": head["name"]},
        "verification_form": {"file": "pdf", "signed_on": signed},
        "verification_photo": {"holder_name": head["name"]},
        "domain_certificate": {"file": "pdf", "holder_name": record.entity_name},
        "commitment_letter": {"file": "pdf"},
        "entity_certificate": {
            "file": "pdf",
            "document_number": entity_id,
            "holder_name": record.entity_name,
        },
    }
    for _round in range(10):
        title = page.locator("#content .card-header").first.inner_text().strip()
        trail.shot(page, f"transfer-{title}")
        if title == "Documents":
            upload_documents(page, trail, documents)
        elif title == "Review":
            expect(page.get_by_test_id("review-complete")).to_be_visible()
            page.get_by_test_id("wizard-finish").click()
            page.wait_for_url(re.compile(r"/applications/\d+/$"))
            return
        else:
            fill(page, answers.get(title, {}))
        page.get_by_test_id("wizard-next").click()
        page.wait_for_load_state()
    raise AssertionError("The transfer wizard never reached its review.")
