"""Staff log in with a second factor: set up an authenticator app (QR code, a code
confirms it, ten recovery codes shown once), confirm each login with a code or a
recovery code, make new recovery codes; every staff door (pages, admin, API) refuses a
login that has not passed it, customers are not concerned."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from filings.review.views import ReviewQueueView
from icpportal.accounts.two_factor.actions import (
    RECOVERY_CODE_COUNT,
    do_provision_second_factor,
    recovery_code_hash,
)
from icpportal.accounts.two_factor.enforcement import verify_url
from icpportal.models import AuditEvent
from tests.clients import give_authenticator, staff_client, unverified_staff_client
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/staff/review/"
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
RECOVERY = "/accounts/two-factor/recovery-codes/"
QUERIES_OF_THE_VERIFY_PAGE = 4
NOW = datetime.datetime(2026, 12, 3, 9, 0, 15, tzinfo=datetime.UTC)


def code_of(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    return f"{TOTP(device.bin_key).token():06d}"


def actions_of(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )


def is_verified(client: Client) -> bool:
    return client.get(QUEUE).status_code == 200


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# ---- set-up -------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_confirms_with_a_code_then_shows_recovery_codes_once(
    rachel, clock
):
    # GIVEN rachel after her password, with no authenticator app yet
    client = unverified_staff_client(rachel)

    # WHEN she opens a staff page, THEN she is sent to verify, and from there to set up
    response = client.get(QUEUE)
    assert response.url == verify_url(QUEUE)
    response = client.get(response.url)
    assert response.url == f"{SETUP}?next=%2Fstaff%2Freview%2F"

    # AND the set-up shows a QR code, the secret and the otpauth URI
    page = client.get(response.url)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=rachel)
    assert not device.confirmed
    assert '<svg width="' in html and 'class="portal-qr-code"' in html
    assert page.context["secret"] in html and len(page.context["secret"]) == 32
    assert page.context["otpauth_uri"].startswith("otpauth://totp/Demo%20Cloud%20ICP%3Arachel?")
    assert f"secret={page.context['secret']}" in page.context["otpauth_uri"]

    # WHEN she types a wrong code, THEN it is refused and the app stays unconfirmed
    wrong = client.post(SETUP, {"device": device.pk, "code": "000000", "next": QUEUE})
    assert wrong.status_code == 400
    assert "The code is wrong, has expired or was already used." in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not is_verified(client)

    # WHEN she types the code the app shows (after django-otp's one-second pause)
    clock.shift(2)
    done = client.post(SETUP, {"device": device.pk, "code": code_of(device), "next": QUEUE})

    # THEN the app is confirmed, the login verified, and ten recovery codes are shown
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    codes = done.context["codes"]
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    assert all(code in done.content.decode() for code in codes)
    assert f'href="{QUEUE}"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed and is_verified(client)
    # … stored only as keyed hashes
    stored = set(StaticToken.objects.filter(device__user=rachel).values_list("token", flat=True))
    assert stored == {recovery_code_hash(code) for code in codes}
    assert not stored & set(codes)
    # … and never shown again
    assert client.get(SETUP).url == RECOVERY
    again = client.get(RECOVERY).content.decode()
    assert "10 unused recovery codes" in again and not any(code in again for code in codes)
    assert actions_of(rachel) == ["two_factor.verify_failed", "two_factor.setup"]


def test_customers_have_no_two_factor_pages(alice_client):
    for url in (SETUP, VERIFY, RECOVERY):
        assert alice_client.get(url).status_code == 403


# ---- verify -------------------------------------------------------------------------------


def test_login_then_the_code_of_the_app_opens_the_page_asked_for(client, rachel, clock):
    # GIVEN rachel with her authenticator app
    device = give_authenticator(rachel)

    # WHEN she logs in with her password, THEN the login page sends her to verify
    credentials = {"username": "rachel", "password": PASSWORD, "next": QUEUE}
    response = client.post(reverse("login"), credentials)
    assert response.status_code == 302 and response.url == verify_url(QUEUE)
    assert not is_verified(client)

    # WHEN she types the code of her app, THEN she lands on the page she asked for
    response = client.post(VERIFY, {"code": code_of(device), "next": QUEUE})
    assert response.status_code == 302 and response.url == QUEUE
    assert is_verified(client)

    # AND the same code does not confirm another login
    other = Client()
    other.post(reverse("login"), {"username": "rachel", "password": PASSWORD})
    clock.shift(1)
    reused = other.post(VERIFY, {"code": code_of(device), "next": QUEUE})
    assert reused.status_code == 400
    assert "was already used" in reused.content.decode()
    assert not is_verified(other)


def test_a_customer_logs_in_without_a_second_factor(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_next_pointing_elsewhere_lands_on_the_home_page(rachel):
    device = give_authenticator(rachel)
    client = unverified_staff_client(rachel)

    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})

    assert response.url == "/"


def test_a_recovery_code_works_once(rachel):
    # GIVEN rachel's authenticator app and recovery codes
    codes = do_provision_second_factor(rachel).recovery_codes
    client = unverified_staff_client(rachel)

    # WHEN she types a recovery code (spaced and in capitals, as read from paper)
    typed = codes[3].upper().replace("-", " ")
    response = client.post(VERIFY, {"code": typed, "next": QUEUE}, follow=True)

    # THEN the login is verified, she is told how many codes are left, and the code is gone
    assert response.redirect_chain == [(QUEUE, 302)]
    assert "9 are left" in response.content.decode()
    assert StaticToken.objects.filter(device__user=rachel).count() == RECOVERY_CODE_COUNT - 1
    event = AuditEvent.objects.get(action="two_factor.recovery_code_used")
    assert event.actor == rachel and event.after == {"recovery_codes_left": 9}

    # WHEN the same code is used again, THEN it is refused and the refusal audited
    other = unverified_staff_client(rachel)
    again = other.post(VERIFY, {"code": codes[3], "next": QUEUE})
    assert again.status_code == 400
    assert not is_verified(other)
    failed = AuditEvent.objects.get(action="two_factor.verify_failed")
    assert failed.actor == rachel and failed.after == {"kind": "recovery_code", "failures": 1}


def test_wrong_codes_are_throttled_with_a_wait_message(rachel, clock):
    device = give_authenticator(rachel)
    client = unverified_staff_client(rachel)

    # WHEN rachel types a wrong code twice in a row
    first = client.post(VERIFY, {"code": "123456"})
    second = client.post(VERIFY, {"code": code_of(device)})

    # THEN the first is wrong, the second (even a right one) waits for the pause
    assert first.status_code == 400
    assert second.status_code == 429
    assert "Too many wrong codes. Wait 1 second, then try again." in second.content.decode()
    assert not is_verified(client)
    # … after the pause the right code works
    clock.shift(2)
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
    assert actions_of(rachel) == ["two_factor.verify_failed"]


def test_a_malformed_code_is_explained(rachel):
    give_authenticator(rachel)
    client = unverified_staff_client(rachel)

    response = client.post(VERIFY, {"code": "12"})

    assert response.status_code == 400
    assert "Enter the 6-digit code from your app, or a recovery code" in response.content.decode()
    assert not AuditEvent.objects.exists()


# ---- recovery codes -----------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(rachel, clock):
    old = do_provision_second_factor(rachel).recovery_codes
    # GIVEN an unverified login: it cannot make new codes
    assert unverified_staff_client(rachel).post(RECOVERY).url == verify_url(RECOVERY)
    assert StaticToken.objects.filter(token=recovery_code_hash(old[0])).exists()

    # WHEN rachel's verified login asks for new codes
    response = staff_client(rachel).post(RECOVERY)

    # THEN ten new codes are shown once, the old ones stop working, a new one works
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    new = response.context["codes"]
    assert len(new) == RECOVERY_CODE_COUNT and not set(new) & set(old)
    assert unverified_staff_client(rachel).post(VERIFY, {"code": old[0]}).status_code == 400
    clock.shift(2)
    assert unverified_staff_client(rachel).post(VERIFY, {"code": new[0]}).status_code == 302
    assert AuditEvent.objects.filter(action="two_factor.recovery_codes", actor=rachel).count() == 1


# ---- every staff door ---------------------------------------------------------------------


def test_an_unverified_staff_login_reaches_no_staff_page_admin_or_api(rachel):
    give_authenticator(rachel)
    client = unverified_staff_client(rachel)

    for url in (QUEUE, "/staff/campaigns/", "/admin/", "/", "/accounts/api-tokens/"):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, verify_url(url)), url
    for method in ("get", "post"):
        api = getattr(client, method)("/api/v1/tokens/", content_type="application/json")
        assert api.status_code == 403, method
        assert api.json()["code"] == "second_factor_required"
    htmx = client.get(QUEUE, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == verify_url(QUEUE)
    # … but may still log out
    assert client.post(reverse("logout")).url == reverse("login")


def test_a_superuser_without_staff_profile_needs_the_second_factor_too():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    assert unverified_staff_client(root).get("/admin/").url == verify_url("/admin/")
    assert staff_client(root).get("/admin/").status_code == 200


def test_the_staff_view_and_the_api_refuse_on_their_own(rachel):
    # GIVEN requests that the middleware lets through: a view called directly, and an API
    # request with an Authorization header that is no API token (the session is used)
    request = RequestFactory().get(QUEUE)
    request.user = rachel
    response = ReviewQueueView.as_view()(request)
    assert response.status_code == 302 and response.url == verify_url(QUEUE)

    client = unverified_staff_client(rachel)
    api = client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Basic cmFjaGVsOng=")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"


def test_customers_are_not_concerned(alice_client, django_assert_max_num_queries):
    assert alice_client.get("/").status_code == 200
    with django_assert_max_num_queries(5):
        assert alice_client.get("/api/v1/entities/").status_code == 200
    assert alice_client.get(QUEUE).status_code == 403


def test_the_verify_page_reads_a_fixed_number_of_rows(rachel, django_assert_max_num_queries):
    give_authenticator(rachel)
    client = unverified_staff_client(rachel)

    with django_assert_max_num_queries(QUERIES_OF_THE_VERIFY_PAGE):
        assert client.get(VERIFY).status_code == 200
