"""Notification pages and the phone-verification API, per tenant and role."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from icpportal.models import AuditEvent
from notifications.models import Notification, PhoneVerification
from notifications.outbox import notify
from notifications.sms import locmem
from tests.clients import staff_client
from tests.factories import NotificationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_inbox_lists_only_my_messages_and_marks_them_read(alice_client, alice, bob):
    mine = notify(
        "in_app",
        "generic",
        recipient_user=alice,
        context={"subject": "Case opened", "text": "Please fix"},
        language="en",
    )
    notify(
        "in_app",
        "generic",
        recipient_user=bob,
        context={"subject": "Bob's secret", "text": "x"},
        language="en",
    )
    body = alice_client.get(reverse("notification-inbox")).content.decode()
    assert "Case opened" in body and "Bob&#x27;s secret" not in body and "Bob's secret" not in body
    # The header shows the unread count.
    assert 'data-testid="unread-count"' in body
    alice_client.post(reverse("notification-read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_marking_another_users_message_read_is_404(alice_client, bob):
    theirs = NotificationFactory(recipient_user=bob)
    assert alice_client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(alice_client, alice):
    for n in range(3):
        notify("in_app", "generic", recipient_user=alice, context={"subject": n, "text": n})
    alice_client.post(reverse("notification-read-all"))
    assert Notification.objects.in_app_for(alice).unread().count() == 0


def test_history_shows_masked_addresses(alice_client, alice, alice_tenant):
    notify(
        "sms",
        "generic",
        address="+8613812345678",
        tenant=alice_tenant,
        context={"subject": "s", "text": "t"},
    )
    body = alice_client.get(reverse("notification-history")).content.decode()
    assert "138****5678" in body and "13812345678" not in body


def test_inbox_query_count_is_bounded(alice_client, alice, django_assert_max_num_queries):
    for n in range(25):
        notify("in_app", "generic", recipient_user=alice, context={"subject": n, "text": n})
    with django_assert_max_num_queries(11):
        alice_client.get(reverse("notification-inbox"))


def test_staff_see_delivery_status_and_resend_failed(
    client, rachel, alice_tenant, django_capture_on_commit_callbacks
):
    failed = notify(
        "email",
        "generic",
        address="ops@example.com",
        tenant=alice_tenant,
        context={"subject": "s", "text": "t"},
    )
    Notification.objects.filter(pk=failed.pk).update(
        status="failed", attempts=6, last_error="SMTP down"
    )
    staff_client(rachel, client)
    body = client.get(reverse("staff-notification-delivery") + "?status=failed").content.decode()
    assert "SMTP down" in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff-notification-resend", args=[failed.pk]))
    failed.refresh_from_db()
    # Delivered again (tasks run in process in tests) and audited.
    assert failed.status == "sent"
    assert AuditEvent.objects.filter(action="notification.resend").exists()


def test_a_verification_code_is_never_resent(client, rachel, alice_tenant):
    row = notify(
        "sms",
        "phone_verification_code",
        address="+8613812345678",
        tenant=alice_tenant,
        context={"minutes": 10},
        secret_context={"code": "1"},
    )
    Notification.objects.filter(pk=row.pk).update(status="failed", secret_context="")
    staff_client(rachel, client)
    client.post(reverse("staff-notification-resend", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "failed"


def test_customers_cannot_open_staff_delivery(alice_client):
    assert alice_client.get(reverse("staff-notification-delivery")).status_code == 403


def test_contact_page_lists_heads_masked(alice_client, alice_tenant):
    from tests.factories import WebsiteFactory

    website = WebsiteFactory(entity__tenant=alice_tenant)
    body = alice_client.get(reverse("contact-inspection")).content.decode()
    assert website.head.masked_mobile in body and website.head.mobile not in body


def test_verify_and_check_through_pages(
    alice_client, alice_tenant, django_capture_on_commit_callbacks
):
    person = PersonFactory(tenant=alice_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("contact-verify", args=[person.pk]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200 and 'data-testid="code-input"' in response.content.decode()
    code = re.search(r"\d{6}", locmem.outbox[-1].text).group(0)
    verification = PhoneVerification.objects.get(person=person)
    assert code not in response.content.decode()
    response = alice_client.post(
        reverse("contact-check", args=[verification.pk]), {"code": code}, HTTP_HX_REQUEST="true"
    )
    assert "verified" in response.content.decode().lower()
    person.refresh_from_db()
    assert person.mobile_verified_at is not None


def test_api_start_and_check(alice_client, alice_tenant, django_capture_on_commit_callbacks):
    person = PersonFactory(tenant=alice_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            "/api/v1/phone-verifications/", {"person": person.pk}, content_type="application/json"
        )
    assert response.status_code == 201
    data = response.json()
    assert data["phone"] == person.masked_mobile and "code" not in data
    code = re.search(r"\d{6}", locmem.outbox[-1].text).group(0)
    wrong = "000000" if code != "000000" else "111111"
    check = alice_client.post(
        f"/api/v1/phone-verifications/{data['id']}/check/",
        {"code": wrong},
        content_type="application/json",
    ).json()
    assert check["code"] == "wrong_code" and check["attempts_left"] == 4
    check = alice_client.post(
        f"/api/v1/phone-verifications/{data['id']}/check/",
        {"code": code},
        content_type="application/json",
    ).json()
    assert check["ok"] is True
    # Asking again at once is throttled with Retry-After.
    again = alice_client.post(
        "/api/v1/phone-verifications/", {"person": person.pk}, content_type="application/json"
    )
    assert again.status_code == 429 and int(again["Retry-After"]) >= 1


def test_api_refuses_another_tenants_person_and_verification(alice_client, bob_tenant):
    person = PersonFactory(tenant=bob_tenant)
    assert (
        alice_client.post(
            "/api/v1/phone-verifications/", {"person": person.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    from tests.factories import PhoneVerificationFactory

    theirs = PhoneVerificationFactory(person=person)
    assert alice_client.get(f"/api/v1/phone-verifications/{theirs.pk}/").status_code == 404
    assert (
        alice_client.post(
            f"/api/v1/phone-verifications/{theirs.pk}/check/",
            {"code": "123456"},
            content_type="application/json",
        ).status_code
        == 404
    )
    listed = alice_client.get("/api/v1/phone-verifications/").json()
    assert listed["count"] == 0


def test_api_landline_gets_a_clear_error(alice_client, alice_tenant):
    person = PersonFactory(tenant=alice_tenant, mobile="+861062345678")
    response = alice_client.post(
        "/api/v1/phone-verifications/", {"person": person.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "landline"


def test_anonymous_api_is_refused(client):
    assert client.get("/api/v1/phone-verifications/").status_code in (401, 403)


def test_user_without_membership_sees_no_contacts(client):
    client.force_login(UserFactory(username="dave"))
    assert client.get(reverse("contact-inspection")).status_code == 200
