"""The customer's dashboard: entities, websites, applications in progress with their
next step, the open rectification cases card, and the user menu."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Website
from tests.factories import (
    ApplicationFactory,
    EntityFactory,
    MiitVerificationFactory,
    WebsiteFactory,
    first_filing_payload,
)

pytestmark = pytest.mark.django_db
Kind, Status = ApplicationKind, ApplicationStatus


def test_the_dashboard_shows_entities_websites_and_applications_in_progress(
    alice_tenant, bob_tenant, alice_client
):
    # GIVEN alice's filed website, a draft and a finished application; and bob's website
    website = WebsiteFactory(entity__tenant=alice_tenant, access_state="accessed")
    draft = ApplicationFactory(tenant=alice_tenant, payload=first_filing_payload(850))
    done = ApplicationFactory(tenant=alice_tenant, status=Status.APPROVED)
    bobs = WebsiteFactory(entity__tenant=bob_tenant)

    # WHEN alice opens her dashboard
    response = alice_client.get(reverse("home"))

    # THEN her entity, her website with its number and access, and the draft with its
    # next step are there; the finished application and bob's website are not
    content = response.content.decode()
    assert website.entity.name in content
    assert website.name in content and website.filing_number in content
    assert "Accessed here" in content
    assert [a.pk for a in response.context["applications"]] == [draft.pk]
    assert reverse("application-detail", args=[draft.pk]) in content
    assert reverse("application-detail", args=[done.pk]) not in content
    assert "Complete the application and submit it" in content
    assert bobs.name not in content and bobs.entity.name not in content


def test_the_dashboard_has_the_open_cases_card_and_links_to_applications(alice_client):
    content = alice_client.get(reverse("home")).content.decode()

    assert 'id="open-cases-slot"' in content
    assert "Rectification cases" in content
    assert reverse("application-list") in content
    assert reverse("application-new") in content


def test_the_user_menu_offers_to_change_the_password(alice_client):
    content = alice_client.get(reverse("home")).content.decode()
    assert reverse("password_change") in content and "Change password" in content


def test_staff_see_their_workspace_links_on_the_staff_dashboard(rachel_client):
    response = rachel_client.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Staff workspace" in content and reverse("admin:index") in content
    assert "applications" not in response.context and response.context["charts"]


def in_progress(tenant, count):
    """``count`` open applications of every status and shape, with their rows."""
    statuses = [
        Status.DRAFT,
        Status.PROVIDER_REVIEW,
        Status.SMS_VERIFICATION,
        Status.BUREAU_REVIEW,
        Status.RETURNED,
    ]
    for i in range(count):
        status = statuses[i % len(statuses)]
        website = WebsiteFactory(entity__tenant=tenant) if i % 2 else None
        application = ApplicationFactory(
            tenant=tenant,
            kind=Kind.CHANGE_WEBSITE if website else Kind.FIRST_FILING,
            website=website,
            entity=website.entity if website else None,
            status=status,
            payload={} if website else first_filing_payload(860 + i),
            submitted_at=timezone.now(),
            bureau_submitted_at=timezone.now(),
        )
        if status == Status.SMS_VERIFICATION:
            MiitVerificationFactory(application=application)
        EntityFactory(tenant=tenant)


def test_the_dashboard_takes_the_same_number_of_queries_for_10_or_40_rows(
    alice_tenant, alice_client
):
    # GIVEN 10 applications in progress, each status about a website and not
    in_progress(alice_tenant, 10)
    with CaptureQueriesContext(connection) as few:
        assert alice_client.get(reverse("home")).status_code == 200

    # WHEN 30 more applications, entities and websites are added
    in_progress(alice_tenant, 30)
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get(reverse("home"))

    # THEN the dashboard costs the same number of queries, within a pinned budget
    assert len(response.context["applications"]) == 20
    assert Website.objects.filter(tenant=alice_tenant).count() == 20
    assert len(many) == len(few), "\n".join(q["sql"][:90] for q in many.captured_queries)
    # 15 today: session, user, membership, staff role, the applications with their next
    # steps (codes, provinces, calendar), three counts, header data, entities,
    # websites; a little room for the open cases card.
    assert len(many) <= 18, "\n".join(q["sql"][:90] for q in many.captured_queries)
