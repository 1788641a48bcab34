"""API tokens and the API's shared machinery: authentication by token and by session,
expiry, revocation, scopes, staff tokens and their second factor, throttling, and the
token page under the account menu."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from icpportal.accounts.two_factor.enforcement import verify_url
from icpportal.api.tokens import do_create_api_token, staff_has_second_factor
from icpportal.models import ApiToken, AuditEvent
from icpportal.models.api_token import api_token_hash
from tests.api import new_token
from tests.clients import unverified_staff_client
from tests.factories import ApplicationFactory, EntityFactory, first_filing_payload

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


# ---- the token itself ------------------------------------------------------------------


def test_only_a_keyed_hash_of_the_token_is_stored(alice, alice_tenant):
    # WHEN alice creates a token
    secret, token = new_token(alice, alice_tenant)

    # THEN the row keeps its hash and public prefix, never the token
    token.refresh_from_db()
    assert secret.startswith(f"icp_{token.prefix}_")
    assert token.token_hash == api_token_hash(secret) and secret not in token.token_hash
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    stored = " ".join(str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values())
    assert secret not in stored
    # … and the audit row names it by prefix only
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == alice and event.tenant == alice_tenant
    assert secret not in str(event.after) and event.after["prefix"] == token.prefix


def test_a_token_works_in_its_account_and_notes_its_use(alice, alice_tenant):
    EntityFactory(tenant=alice_tenant)
    secret, token = new_token(alice, alice_tenant)

    response = bearer(secret).get(f"{API}/entities/")

    assert response.status_code == 200 and len(response.json()["results"]) == 1
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("expires_in", "problem"),
    [
        (None, "Choose when the token expires."),
        (datetime.timedelta(seconds=-1), "The expiry must lie in the future."),
        (datetime.timedelta(days=400), "A token can live at most 365 days."),
    ],
)
def test_a_token_must_expire_within_the_maximum_lifetime(alice, alice_tenant, expires_in, problem):
    expires_at = timezone.now() + expires_in if expires_in is not None else None

    result = do_create_api_token(
        alice, tenant=alice_tenant, name="ci", scopes=["read"], expires_at=expires_at
    )

    assert not result.ok and result.field_errors == {"expires_at": [problem]}
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401(alice, alice_tenant):
    secret, token = new_token(alice, alice_tenant, days=1)

    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1)):
        response = bearer(secret).get(f"{API}/entities/")

    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has expired."


def test_a_revoked_token_answers_401_at_once(alice, alice_tenant):
    # GIVEN a token that works
    secret, token = new_token(alice, alice_tenant)
    api = bearer(secret)
    assert api.get(f"{API}/entities/").status_code == 200

    # WHEN alice revokes it (with the token itself)
    assert api.delete(f"{API}/tokens/{token.pk}/").status_code == 204

    # THEN it stops working, and the revocation is audited
    response = api.get(f"{API}/entities/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token was revoked."
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_a_wrong_or_malformed_token_answers_401(alice, alice_tenant):
    new_token(alice, alice_tenant)

    assert bearer("icp_00000000_nope").get(f"{API}/entities/").status_code == 401
    malformed = Client(headers={"Authorization": "Bearer two parts"})
    assert malformed.get(f"{API}/entities/").status_code == 401


def test_a_token_stops_working_when_its_user_leaves_the_account(alice, alice_tenant):
    secret, _token = new_token(alice, alice_tenant)

    alice.memberships.filter(tenant=alice_tenant).delete()

    assert bearer(secret).get(f"{API}/entities/").status_code == 401


def test_a_read_token_reads_but_cannot_change(alice, alice_tenant):
    # GIVEN a read-only token and a draft
    secret, _token = new_token(alice, alice_tenant, scopes=["read"])
    application = ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(2))
    api = bearer(secret)

    # WHEN it reads, THEN fine; WHEN it submits, THEN 403 and nothing moved
    assert api.get(f"{API}/applications/{application.pk}/").status_code == 200
    response = api.post(f"{API}/applications/{application.pk}/submit/")
    assert response.status_code == 403
    assert "scope" in response.json()["detail"]
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_write_only_token_cannot_read(alice, alice_tenant):
    secret, _token = new_token(alice, alice_tenant, scopes=["write"])

    assert bearer(secret).get(f"{API}/entities/").status_code == 403


# ---- the tokens endpoint ---------------------------------------------------------------


def test_a_session_creates_a_token_and_sees_it_once(alice_client, alice, alice_tenant):
    # WHEN alice creates a token over the API from her session
    response = alice_client.post(
        f"{API}/tokens/",
        {"name": "deploy script", "scopes": ["read", "write"]},
        content_type="application/json",
    )

    # THEN the answer carries the token, with a default expiry in 90 days
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["token"].startswith("icp_") and body["scopes"] == ["read", "write"]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.tenant == alice_tenant and token.user == alice
    assert 89 <= (token.expires_at - timezone.now()).days <= 90
    # … and it works, while the list never shows it again
    assert bearer(body["token"]).get(f"{API}/entities/").status_code == 200
    listed = alice_client.get(f"{API}/tokens/").json()
    assert [t["id"] for t in listed] == [token.pk]
    assert "token" not in listed[0] and body["token"] not in str(listed)


def test_a_token_cannot_mint_another_token(alice, alice_tenant):
    secret, _token = new_token(alice, alice_tenant)

    response = bearer(secret).post(
        f"{API}/tokens/", {"name": "child", "scopes": ["read"]}, content_type="application/json"
    )

    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_bob_cannot_see_or_revoke_alices_token(alice, alice_tenant, bob_client):
    _secret, token = new_token(alice, alice_tenant)

    assert bob_client.get(f"{API}/tokens/{token.pk}/").status_code == 404
    assert bob_client.delete(f"{API}/tokens/{token.pk}/").status_code == 404
    assert bob_client.get(f"{API}/tokens/").json() == []
    token.refresh_from_db()
    assert token.revoked_at is None


# ---- staff tokens and the second factor ----------------------------------------------


def test_staff_get_no_token_without_a_second_factor(leo):
    # GIVEN leo, a lead without a confirmed second factor
    TOTPDevice.objects.create(user=leo, name="phone", confirmed=False)
    assert staff_has_second_factor(leo) is False

    # WHEN he asks for a token, THEN it is refused
    result = do_create_api_token(
        leo,
        tenant=None,
        name="queue",
        scopes=["read"],
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    assert not result.ok and result.code == "second_factor_required"
    assert not ApiToken.objects.exists()


def test_staff_tokens_need_the_second_factor_on_every_request(leo):
    # GIVEN leo with a confirmed authenticator app, and a token
    device = TOTPDevice.objects.create(user=leo, name="phone", confirmed=True)
    assert staff_has_second_factor(leo) is True
    result = do_create_api_token(
        leo,
        tenant=None,
        name="queue",
        scopes=["read"],
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    assert result.ok and result.token.tenant is None
    api = bearer(result.secret)
    assert api.get(f"{API}/tokens/").status_code == 200
    # … a staff token is no way into customer endpoints
    assert api.get(f"{API}/entities/").status_code == 403

    # WHEN the second factor is removed, THEN the token stops working
    device.delete()
    assert api.get(f"{API}/tokens/").status_code == 401


def test_the_token_api_refuses_staff_without_a_second_factor(leo):
    # GIVEN leo's login that gave its password but not its second factor
    client = unverified_staff_client(leo)

    response = client.post(
        f"{API}/tokens/", {"name": "x", "scopes": ["read"]}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert not ApiToken.objects.exists()


def test_a_verified_staff_session_creates_a_staff_token(leo_client):
    response = leo_client.post(
        f"{API}/tokens/", {"name": "queue", "scopes": ["read"]}, content_type="application/json"
    )

    assert response.status_code == 201
    assert ApiToken.objects.get().tenant is None


# ---- sessions: CSRF enforced ---------------------------------------------------------------


def test_a_session_must_send_the_csrf_token_to_change_anything(alice, alice_tenant):
    # GIVEN alice's browser session, with CSRF checks on as in a real browser
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(f"{API}/entities/").status_code == 200
    browser.get("/accounts/api-tokens/")  # a page sets the CSRF cookie
    body = {"kind": "first_filing"}

    # WHEN she posts without the CSRF token, THEN 403 and no draft
    refused = browser.post(f"{API}/applications/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]

    # WHEN she sends it, THEN the draft is created
    accepted = browser.post(
        f"{API}/applications/",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )
    assert accepted.status_code == 201


# ---- throttling ------------------------------------------------------------------------


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_too_many_requests_answer_429_with_retry_after(settings, alice, alice_tenant):
    _rates(settings, user="3/minute")
    secret, _token = new_token(alice, alice_tenant)
    api = bearer(secret)

    answers = [api.get(f"{API}/entities/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert int(api.get(f"{API}/entities/")["Retry-After"]) > 0


def test_transitions_have_their_own_tighter_limit(settings, alice, alice_tenant):
    # GIVEN one transition a minute, and two drafts
    _rates(settings, transitions="1/minute")
    secret, _token = new_token(alice, alice_tenant)
    api = bearer(secret)
    first, second = (ApplicationFactory(tenant=alice_tenant) for _ in range(2))

    # WHEN alice tries to withdraw both at once
    answers = [
        api.post(f"{API}/applications/{a.pk}/withdraw/").status_code for a in (first, second)
    ]

    # THEN the second waits, while reading goes on
    assert answers == [200, 429]
    assert api.get(f"{API}/applications/").status_code == 200


def test_anonymous_callers_are_limited_by_address(settings, client):
    # GIVEN two anonymous requests a minute (the public schema is the one open endpoint)
    _rates(settings, anon="2/minute")

    answers = [client.get("/api/schema/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


# ---- the token page under the account menu -------------------------------------------------


def test_the_account_menu_links_the_token_page(alice_client):
    page = alice_client.get("/")

    assert b'href="/accounts/api-tokens/"' in page.content


def test_the_page_shows_a_new_token_once_and_lists_it_by_prefix(alice_client, alice):
    # WHEN alice creates a token on the page
    response = alice_client.post(
        "/accounts/api-tokens/", {"name": "backup job", "scopes": ["read"], "lifetime_days": "30"}
    )

    # THEN the answer shows it (not cached), and the list shows its prefix only
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret and secret.encode() in response.content
    token = ApiToken.objects.get(user=alice)
    assert token.scopes == ["read"] and (token.expires_at - timezone.now()).days in (29, 30)
    again = alice_client.get("/accounts/api-tokens/")
    assert secret.encode() not in again.content
    assert token.display_prefix.encode() in again.content


def test_the_page_says_what_is_wrong_and_creates_nothing(alice_client):
    response = alice_client.post(
        "/accounts/api-tokens/", {"name": " ", "scopes": [], "lifetime_days": "30"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "scopes"}
    assert not ApiToken.objects.exists()


def test_the_page_revokes_ones_own_token_only(alice_client, alice, alice_tenant, bob, bob_tenant):
    _secret, mine = new_token(alice, alice_tenant)
    _secret, theirs = new_token(bob, bob_tenant)

    assert (
        alice_client.post("/accounts/api-tokens/revoke/", {"token": theirs.pk}).status_code == 404
    )
    response = alice_client.post("/accounts/api-tokens/revoke/", {"token": mine.pk})

    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_staff_without_a_second_factor_are_sent_to_set_one_up(leo):
    client = unverified_staff_client(leo)

    response = client.get("/accounts/api-tokens/")

    assert response.status_code == 302
    assert response.url == verify_url("/accounts/api-tokens/")
    to_setup = client.get(response.url)
    assert to_setup.status_code == 302
    assert to_setup.url.startswith(reverse("two-factor-setup"))


def test_a_bad_rate_stops_start_up_with_its_name(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICP_")}
    env.update(ICP_DATA_DIR=str(tmp_path), ICP_API_RATE_UPLOADS="plenty")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "ICP_API_RATE_UPLOADS='plenty' is not valid" in result.stderr


# ---- the admin ---------------------------------------------------------------------------


def _revoke_in_admin(client, token):
    return client.post(
        reverse("admin:icpportal_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )


def test_a_lead_revokes_a_leaked_token_in_the_admin(leo_client, alice, alice_tenant):
    secret, token = new_token(alice, alice_tenant)

    response = _revoke_in_admin(leo_client, token)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get(f"{API}/entities/").status_code == 401
    assert AuditEvent.objects.get(action="api_token.revoke").actor.username == "leo"


def test_a_reviewer_cannot_revoke_tokens_in_the_admin(rachel_client, alice, alice_tenant):
    _secret, token = new_token(alice, alice_tenant)

    page = rachel_client.get(reverse("admin:icpportal_apitoken_changelist"))
    _revoke_in_admin(rachel_client, token)

    assert page.status_code == 200 and b'value="revoke"' not in page.content
    token.refresh_from_db()
    assert token.revoked_at is None
