"""Phone verification over the API: a code sent to a person in charge's mobile, checked
once; wrong, expired, used and locked codes answer clearly, in the caller's language;
sends are limited like the page's; bob never reaches alice's people or codes."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from icpportal.models import AuditEvent
from notifications.models import PhoneVerification
from notifications.sms import locmem
from tests.api import new_token, token_client
from tests.factories import PersonFactory, PhoneVerificationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]
URL = "/api/v1/phone-verifications/"


@pytest.fixture
def head(alice_tenant):
    return PersonFactory(tenant=alice_tenant, mobile="+8613812345678")


def _post(client, url: str, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def _send(client, person, capture) -> tuple[dict, str]:
    """Ask for a code for ``person``; the answer and the code the SMS carried."""
    with capture(execute=True):
        response = _post(client, URL, {"person": person.pk})
    assert response.status_code == 201, response.content
    code = re.search(r"\d{6}", locmem.outbox[-1].text).group(0)
    return response.json(), code


def _check(client, verification_id: int, code: str, **headers):
    return _post(client, f"{URL}{verification_id}/check/", {"code": code}, **headers)


def _other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _allow_another_send(person) -> None:
    """Move earlier codes out of the one-a-minute window."""
    PhoneVerification.objects.filter(person=person).update(
        created_at=timezone.now() - datetime.timedelta(minutes=2)
    )


def test_a_code_is_sent_to_the_mobile_and_confirms_it(
    alice_api, head, django_capture_on_commit_callbacks
):
    # WHEN alice asks for a code for her entity head
    sent, code = _send(alice_api, head, django_capture_on_commit_callbacks)

    # THEN the SMS went to the head's mobile; the answer shows it masked, never the code
    assert locmem.outbox[-1].to == "+8613812345678"
    assert sent["phone"] == "138****5678" and sent["status"] == "pending"
    assert code not in json.dumps(sent)
    stored = PhoneVerification.objects.get(pk=sent["id"])
    assert code not in (stored.code_hmac, stored.code_salt)

    # WHEN she enters the code
    response = _check(alice_api, sent["id"], code)

    # THEN the mobile is verified, with an audit row
    assert response.status_code == 200
    assert response.json()["code"] == "approved" and response.json()["ok"] is True
    head.refresh_from_db()
    assert head.mobile_verified_at is not None
    assert AuditEvent.objects.filter(
        action="phone_verification.approve", object_id=str(sent["id"])
    ).exists()


def test_a_wrong_code_says_how_many_tries_are_left(
    alice_api, head, django_capture_on_commit_callbacks
):
    sent, code = _send(alice_api, head, django_capture_on_commit_callbacks)

    response = _check(alice_api, sent["id"], _other(code))

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "status": "pending",
        "code": "wrong_code",
        "message": "Wrong code. 4 tries left.",
        "attempts_left": 4,
    }
    head.refresh_from_db()
    assert head.mobile_verified_at is None


def test_a_used_code_cannot_be_entered_again(alice_api, head, django_capture_on_commit_callbacks):
    sent, code = _send(alice_api, head, django_capture_on_commit_callbacks)
    assert _check(alice_api, sent["id"], code).status_code == 200

    again = _check(alice_api, sent["id"], code)

    assert again.status_code == 400
    body = again.json()
    assert (body["code"], body["status"]) == ("not_pending", "approved")
    assert body["message"] == "This code was already used. Request a new code to verify again."


def test_an_expired_code_is_refused(alice_api, head, django_capture_on_commit_callbacks):
    sent, code = _send(alice_api, head, django_capture_on_commit_callbacks)
    PhoneVerification.objects.filter(pk=sent["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = _check(alice_api, sent["id"], code)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["status"]) == ("expired", "expired")
    assert response.json()["message"] == "The code has expired. Request a new code."
    head.refresh_from_db()
    assert head.mobile_verified_at is None


def test_five_wrong_codes_lock_the_code_even_for_the_right_one(
    alice_api, head, django_capture_on_commit_callbacks
):
    sent, code = _send(alice_api, head, django_capture_on_commit_callbacks)
    answers = [_check(alice_api, sent["id"], _other(code)).json()["code"] for _ in range(5)]
    assert answers == ["wrong_code"] * 4 + ["max_attempts"]

    response = _check(alice_api, sent["id"], code)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["status"]) == ("not_pending", "max_attempts")
    assert response.json()["message"] == "Too many wrong codes. Request a new code."


def test_a_new_code_replaces_the_old_one(alice_api, head, django_capture_on_commit_callbacks):
    first, old_code = _send(alice_api, head, django_capture_on_commit_callbacks)
    _allow_another_send(head)
    second, new_code = _send(alice_api, head, django_capture_on_commit_callbacks)

    stale = _check(alice_api, first["id"], old_code)

    assert stale.status_code == 400 and stale.json()["status"] == "cancelled"
    assert "latest SMS" in stale.json()["message"]
    assert _check(alice_api, second["id"], new_code).status_code == 200


def test_errors_read_in_chinese(alice_api, head, django_capture_on_commit_callbacks):
    sent, code = _send(alice_api, head, django_capture_on_commit_callbacks)

    response = _check(alice_api, sent["id"], _other(code), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.json()["message"] == "验证码错误，还可尝试 4 次。"


def test_a_malformed_code_is_refused_before_it_counts(
    alice_api, head, django_capture_on_commit_callbacks
):
    sent, _code = _send(alice_api, head, django_capture_on_commit_callbacks)

    response = _check(alice_api, sent["id"], "12ab")

    assert response.status_code == 400
    assert response.json()["code"] == ["Enter the 6-digit code from the SMS."]
    assert PhoneVerification.objects.get(pk=sent["id"]).attempts == 0


def test_a_landline_gets_a_clear_error_and_nothing_is_sent(alice_api, alice_tenant):
    person = PersonFactory(tenant=alice_tenant, mobile="+861062345678")

    response = _post(alice_api, URL, {"person": person.pk})

    assert response.status_code == 400 and response.json()["code"] == "landline"
    assert "only mobile numbers" in response.json()["detail"]
    assert not PhoneVerification.objects.exists()


def test_sends_are_limited_like_the_page(alice_api, head, django_capture_on_commit_callbacks):
    # GIVEN a code sent just now
    _send(alice_api, head, django_capture_on_commit_callbacks)

    # WHEN another is asked at once
    again = _post(alice_api, URL, {"person": head.pk})

    # THEN it is refused with when to retry, and nothing more was sent
    assert again.status_code == 429
    assert again.json()["code"] == "throttled" and int(again["Retry-After"]) >= 1
    assert "Please wait" in again.json()["detail"]
    assert PhoneVerification.objects.filter(person=head).count() == 1

    # AND five an hour to one number are the most, whoever asks
    for _ in range(4):
        _allow_another_send(head)
        _send(alice_api, head, django_capture_on_commit_callbacks)
    _allow_another_send(head)
    sixth = _post(alice_api, URL, {"person": head.pk})
    assert sixth.status_code == 429 and int(sixth["Retry-After"]) > 60


def test_lists_and_details_show_phones_masked(alice_api, head):
    PhoneVerificationFactory(person=head)

    listed = alice_api.get(URL).json()["results"]
    detail = alice_api.get(f"{URL}{listed[0]['id']}/").json()

    assert listed[0]["phone"] == detail["phone"] == "138****5678"
    assert "13812345678" not in json.dumps([listed, detail])


def test_the_list_filters_by_person_and_status(alice_api, alice_tenant, head):
    mine = PhoneVerificationFactory(person=head)
    PhoneVerificationFactory(person=PersonFactory(tenant=alice_tenant))

    by_person = alice_api.get(f"{URL}?person={head.pk}").json()["results"]
    approved = alice_api.get(f"{URL}?status=approved").json()["results"]

    assert [row["id"] for row in by_person] == [mine.pk]
    assert approved == []


# ---- tenants and scopes -----------------------------------------------------------------

ENDPOINTS = [
    ("get", "{id}/", None),
    ("post", "{id}/check/", {"code": "123456"}),
    ("post", "{id}/cancel/", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_bobs_code_answers_404_to_alice(alice_api, bob_tenant, method, path, body):
    theirs = PhoneVerificationFactory(person=PersonFactory(tenant=bob_tenant))
    url = URL + path.format(id=theirs.pk)

    response = alice_api.get(url) if body is None else _post(alice_api, url, body)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.attempts) == ("pending", 0)


def test_bobs_person_cannot_be_sent_a_code_by_alice(alice_api, bob_tenant):
    theirs = PersonFactory(tenant=bob_tenant)

    response = _post(alice_api, URL, {"person": theirs.pk})

    assert response.status_code == 404
    assert not PhoneVerification.objects.exists() and not locmem.outbox


def test_a_read_token_lists_but_cannot_send_or_check(alice, alice_tenant, head):
    reader = token_client(alice, alice_tenant, scopes=("read",))
    pending = PhoneVerificationFactory(person=head)

    assert reader.get(URL).status_code == 200
    assert _post(reader, URL, {"person": head.pk}).status_code == 403
    assert _post(reader, f"{URL}{pending.pk}/check/", {"code": "123456"}).status_code == 403
    assert PhoneVerification.objects.count() == 1
    pending.refresh_from_db()
    assert pending.attempts == 0


def test_a_write_only_token_cannot_read(alice, alice_tenant):
    writer = token_client(alice, alice_tenant, scopes=("write",))

    assert writer.get(URL).status_code == 403


@pytest.mark.parametrize("rows", [3, 20])
def test_the_list_costs_the_same_for_3_or_20_codes(
    alice, alice_tenant, django_assert_num_queries, rows
):
    for _ in range(rows):
        PhoneVerificationFactory(person=PersonFactory(tenant=alice_tenant))
    secret, _token = new_token(alice, alice_tenant)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get(URL).status_code == 200  # notes the token's use

    # token with user, membership with tenant, count, page
    with django_assert_num_queries(4):
        response = api.get(URL)
    assert response.json()["count"] == rows
