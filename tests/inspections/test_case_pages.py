"""Case pages: the customer's list and case page (what to do, countdown, thread,
re-inspection), the staff queue and case page with their steps; bob never sees
alice's cases, customers never reach staff pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import (
    Campaign,
    CaseFinding,
    CaseMessage,
    CaseState,
    EnforcementControl,
    RectificationCase,
)
from tests import factories
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db
S = CaseState


@pytest.fixture
def alice_case(alice_tenant):
    website = website_of(alice_tenant, domain="alpha-shop.example.com")
    case = factories.RectificationCaseFactory(website=website, state=S.NOTIFIED)
    factories.CaseFindingFactory(
        case=case, rule_code="domain_expiry", message="The domain expired on 2026-03-01."
    )
    factories.CaseFindingFactory(
        case=case, rule_code="contact_reachability", message="The mobile was never verified."
    )
    return case


# URL name → the method that page answers.
CUSTOMER_URLS = {"case-detail": "get", "case-message": "post", "case-reinspect": "post"}
STAFF_URLS = (
    "staff-case-detail",
    "staff-case-extend",
    "staff-case-lift",
    "staff-case-waive",
    "staff-case-approve-cancel",
    "staff-case-close",
    "staff-case-message",
)


def test_alice_sees_her_case_with_what_to_do_and_the_countdown(alice_client, alice_case):
    # WHEN alice opens her case list and the case
    listing = alice_client.get(reverse("case-list"))
    page = alice_client.get(reverse("case-detail", args=[alice_case.pk]))

    # THEN the list shows the case, the page each failing rule in plain words
    assert f"#{alice_case.pk}" in listing.content.decode()
    body = page.content.decode()
    assert "The domain expired on 2026-03-01." in body
    assert "The mobile was never verified." in body
    # AND the fixes: a pre-filled change application and the SMS self-inspection
    assert f"kind=change_website&amp;website={alice_case.website_id}" in body
    assert reverse("contact-inspection") in body
    # AND the countdown with what happens at the deadline
    assert "working days left" in body
    assert "domains is blocked (visitors see an interception page)" in body


@pytest.mark.parametrize("name", CUSTOMER_URLS)
def test_bob_gets_404_on_every_url_of_alices_case(bob_client, alice_case, name):
    url = reverse(name, args=[alice_case.pk])
    send = getattr(bob_client, CUSTOMER_URLS[name])
    assert send(url, {"body": "hello"}).status_code == 404
    alice_case.refresh_from_db()
    assert alice_case.state == S.NOTIFIED
    assert not CaseMessage.objects.exists()


@pytest.mark.parametrize("name", STAFF_URLS)
def test_customers_never_reach_staff_case_pages(alice_client, alice_case, name):
    url = reverse(name, args=[alice_case.pk])
    assert alice_client.post(url, {"reason": "x", "days": 3}).status_code == 403
    assert alice_client.get(reverse("staff-case-list")).status_code == 403


def test_a_message_is_saved_and_an_empty_one_is_refused(alice_client, alice_case):
    url = reverse("case-message", args=[alice_case.pk])
    assert alice_client.post(url, {"body": "  "}).status_code == 400
    assert not CaseMessage.objects.exists()

    response = alice_client.post(url, {"body": "We renewed the domain."})

    assert response.status_code == 302
    message = CaseMessage.objects.get()
    assert (message.case_id, message.from_staff, message.internal) == (alice_case.pk, False, False)


def test_requesting_a_reinspection_runs_the_failing_rules_on_the_website(
    alice_client, alice_case, monkeypatch
):
    # GIVEN the campaign's start is observed instead of inspecting over the network
    started = []
    monkeypatch.setattr(
        "inspections.campaigns.do_start_campaign",
        lambda campaign, **kwargs: started.append(campaign.pk),
    )

    # WHEN alice asks for a re-inspection
    response = alice_client.post(reverse("case-reinspect", args=[alice_case.pk]))

    # THEN the case is re-inspecting with a one-website campaign over its failing rules
    assert response.status_code == 302
    alice_case.refresh_from_db()
    assert alice_case.state == S.RE_INSPECTING
    campaign = Campaign.objects.get(pk=alice_case.last_reinspection_id)
    assert campaign.scope_website_ids == [alice_case.website_id]
    assert sorted(campaign.rule_codes) == ["contact_reachability", "domain_expiry"]
    assert started == [campaign.pk]

    # AND asking again while it runs is refused with a message
    again = alice_client.post(reverse("case-reinspect", args=[alice_case.pk]), follow=True)
    assert "already running" in again.content.decode()


def test_the_customer_case_list_costs_a_fixed_number_of_queries(
    alice_client, alice_tenant, alice_case, django_assert_max_num_queries
):
    for _ in range(5):
        case = factories.RectificationCaseFactory(website=website_of(alice_tenant))
        factories.CaseFindingFactory(case=case)
    with django_assert_max_num_queries(12):
        response = alice_client.get(reverse("case-list"))
    assert response.status_code == 200


def test_the_dashboard_card_lists_open_cases(alice_client, alice_case):
    response = alice_client.get(reverse("home"))
    assert reverse("case-detail", args=[alice_case.pk]) in response.content.decode()


def test_staff_see_the_queue_with_a_fixed_number_of_queries(
    rachel_client, alice_case, bob_tenant, django_assert_max_num_queries
):
    for _ in range(5):
        factories.RectificationCaseFactory(website=website_of(bob_tenant))
    # The queue's own budget (test_queues.QUEUE_QUERIES), the enforcement switch's row
    # created on this first read (3) and the filter's choices read into the cache (2).
    with django_assert_max_num_queries(15):
        response = rachel_client.get(reverse("staff-case-list"))
    assert response.status_code == 200
    assert f"#{alice_case.pk}" in response.content.decode()
    assert rachel_client.get(reverse("staff-case-detail", args=[alice_case.pk])).status_code == 200


def test_extending_needs_a_reason_and_then_moves_the_deadline(rachel_client, alice_case):
    url = reverse("staff-case-extend", args=[alice_case.pk])
    deadline = alice_case.deadline

    refused = rachel_client.post(url, {"days": 5, "reason": ""})
    assert refused.status_code == 400
    alice_case.refresh_from_db()
    assert (alice_case.deadline, alice_case.extension_count) == (deadline, 0)

    assert rachel_client.post(url, {"days": 5, "reason": "Registrar outage"}).status_code == 302
    alice_case.refresh_from_db()
    assert alice_case.deadline > deadline
    assert alice_case.extension_count == 1
    assert alice_case.extension_reasons[0]["reason"] == "Registrar outage"


def test_only_a_lead_waives_and_the_last_waiver_resolves(rachel_client, leo_client, alice_case):
    findings = list(CaseFinding.objects.filter(case=alice_case))
    url = reverse("staff-case-waive", args=[alice_case.pk])
    data = {"finding": findings[0].pk, "reason": "Registrar confirmed renewal"}

    assert rachel_client.post(url, data).status_code == 403
    leo_client.post(url, data)
    leo_client.post(url, {"finding": findings[1].pk, "reason": "Verified by phone"})

    alice_case.refresh_from_db()
    assert alice_case.state == S.RESOLVED


def test_a_lead_pauses_enforcement_and_a_reviewer_may_not(rachel_client, leo_client):
    url = reverse("staff-enforcement-pause")
    assert rachel_client.post(url, {"paused": "on", "reason": "x"}).status_code == 403
    assert leo_client.post(url, {"paused": "on", "reason": ""}).status_code == 302
    assert not EnforcementControl.current().paused
    leo_client.post(url, {"paused": "on", "reason": "Provider range under review"})
    assert EnforcementControl.current().paused


@pytest.mark.parametrize("outside", ["https://evil.example/", "//evil.example/staff/cases/"])
def test_the_pause_switch_does_not_follow_an_off_site_next(leo_client, outside):
    # GIVEN a pause form whose "next" (in the form or the query string) leads off the site
    url = reverse("staff-enforcement-pause")
    data = {"paused": "on", "reason": "Provider range under review", "next": outside}

    # WHEN the lead switches, THEN the switch works and lands on the case queue
    assert leo_client.post(url, data)["Location"] == reverse("staff-case-list")
    assert EnforcementControl.current().paused
    response = leo_client.post(f"{url}?next={outside}", {"paused": "", "reason": "Done"})
    assert response["Location"] == reverse("staff-case-list")
    assert not EnforcementControl.current().paused


def test_a_lead_lifts_a_block_with_a_new_deadline(leo_client, alice_tenant):
    now = timezone.now()
    case = factories.RectificationCaseFactory(
        website=website_of(alice_tenant),
        state=S.ACCESS_BLOCKED,
        deadline=now - timedelta(days=1),
        blocked_at=now,
    )
    response = leo_client.post(
        reverse("staff-case-lift", args=[case.pk]), {"days": 5, "reason": "Customer on holiday"}
    )
    assert response.status_code == 302
    case = RectificationCase.objects.get(pk=case.pk)
    assert case.state == S.NOTIFIED and case.deadline > now
