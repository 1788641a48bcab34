"""Staff pages of campaigns: who sees what, creating, starting, cancelling, live progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from icpportal.models import AuditEvent
from inspections.models import Campaign, CampaignStatus, RuleResult
from tests.clients import staff_client
from tests.factories import (
    CampaignFactory,
    DomainFactory,
    RuleResultFactory,
    WebsiteFactory,
    WebsiteInspectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rachel_client(client, rachel):
    return staff_client(rachel, client)


@pytest.fixture
def leo_client(client, leo):
    return staff_client(leo, client)


def filed_site(tenant=None):
    extra = {"entity__tenant": tenant} if tenant else {}
    website = WebsiteFactory(**extra)
    DomainFactory(website=website)
    return website


def running_campaign(websites=3, done=1, results=0):
    """A running campaign over ``websites`` websites, ``done`` of them inspected."""
    campaign = CampaignFactory(total_websites=websites)
    Campaign.objects.filter(pk=campaign.pk).update(status="running")
    for i in range(websites):
        WebsiteInspectionFactory(campaign=campaign, status="done" if i < done else "pending")
    for _ in range(results):
        RuleResultFactory(campaign=campaign)
    campaign.refresh_from_db()
    return campaign


# ---- who may see and do what ---------------------------------------------------------------


def test_reviewer_sees_the_list_and_a_campaign_but_cannot_manage(rachel_client):
    # GIVEN a campaign
    campaign = running_campaign()

    # WHEN a reviewer opens the list and the campaign
    listing = rachel_client.get(reverse("campaign-list"))
    detail = rachel_client.get(reverse("campaign-detail", args=[campaign.pk]))

    # THEN she sees both, without the lead's buttons, and may not create or cancel
    assert listing.status_code == 200 and campaign.name in listing.text
    assert detail.status_code == 200 and campaign.name in detail.text
    assert reverse("campaign-create") not in listing.text
    assert reverse("campaign-cancel", args=[campaign.pk]) not in detail.text
    assert rachel_client.get(reverse("campaign-create")).status_code == 403
    assert rachel_client.post(reverse("campaign-cancel", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING


@pytest.mark.parametrize(
    "name,post",
    [("campaign-detail", False), ("campaign-progress", False), ("campaign-start", True)],
)
def test_customers_get_403_on_campaign_pages(alice_client, name, post):
    campaign = CampaignFactory()
    url = reverse(name, args=[campaign.pk])
    response = alice_client.post(url) if post else alice_client.get(url)
    assert response.status_code == 403
    assert alice_client.get(reverse("campaign-list")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("campaign-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---- create, start, cancel -----------------------------------------------------------------


def test_lead_creates_a_campaign_with_an_impact_line(leo_client, leo, alice_tenant, bob_tenant):
    # GIVEN two websites of alice's customer and one of bob's
    filed_site(alice_tenant), filed_site(alice_tenant), filed_site(bob_tenant)

    # WHEN the lead opens the form and picks alice's customer
    page = leo_client.get(reverse("campaign-create"))
    impact = leo_client.get(
        reverse("campaign-impact"), {"scope": "tenant", "tenants": [alice_tenant.pk]}
    )

    # THEN the form shows every website, then two in scope
    assert page.status_code == 200 and "3 websites in scope" in page.text
    assert "2 websites in scope" in impact.text

    # WHEN the lead saves it
    response = leo_client.post(
        reverse("campaign-create"),
        {
            "name": "Alpha check",
            "scope": "tenant",
            "tenants": [alice_tenant.pk],
            "rules": ["domain_expiry"],
            "chunk_size": 100,
        },
    )

    # THEN it is created (not started) with an audit row, and the lead lands on its page
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign-detail", args=[campaign.pk])
    assert (campaign.status, campaign.rule_codes, campaign.chunk_size) == (
        "pending",
        ["domain_expiry"],
        100,
    )
    assert list(campaign.scope_tenants.all()) == [alice_tenant]
    assert AuditEvent.objects.get(action="campaign.create").actor == leo


def test_a_scope_without_its_choice_is_refused(leo_client):
    response = leo_client.post(
        reverse("campaign-create"), {"name": "x", "scope": "province", "chunk_size": 500}
    )
    assert response.status_code == 200
    assert "Choose at least one province." in response.text
    impact = leo_client.get(reverse("campaign-impact"), {"scope": "websites", "website_ids": "x"})
    assert "Choose the websites" in impact.text
    assert not Campaign.objects.exists()


def test_lead_starts_a_campaign_and_it_runs(leo_client, django_capture_on_commit_callbacks):
    # GIVEN a pending campaign over one website
    site = filed_site()
    campaign = CampaignFactory(rule_codes=["domain_expiry"])

    # WHEN the lead starts it (the workers run in process here)
    with django_capture_on_commit_callbacks(execute=True):
        response = leo_client.post(reverse("campaign-start", args=[campaign.pk]), follow=True)

    # THEN it ran to the end and the page says so
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    assert RuleResult.objects.get(campaign=campaign, website=site).rule_code == "domain_expiry"
    assert "Campaign started" in response.text
    assert AuditEvent.objects.filter(action="campaign.start", object_id=str(campaign.pk)).exists()


def test_lead_cancels_a_running_campaign_once(leo_client, leo):
    campaign = running_campaign()
    url = reverse("campaign-cancel", args=[campaign.pk])
    first = leo_client.post(url, follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED and "Campaign cancelled" in first.text
    again = leo_client.post(url, follow=True)
    assert "cannot be cancelled" in again.text
    assert AuditEvent.objects.filter(action="campaign.cancel", actor=leo).count() == 1


# ---- progress ------------------------------------------------------------------------------


def test_progress_partial_polls_while_running_and_stops_when_finished(rachel_client):
    # GIVEN a running campaign, one of three websites done, one blocking result
    campaign = running_campaign(websites=3, done=1, results=1)
    url = reverse("campaign-progress", args=[campaign.pk])

    # WHEN the page polls
    html = rachel_client.get(url, HTTP_HX_REQUEST="true")
    data = rachel_client.get(url, {"format": "json"}).json()

    # THEN it shows 1 of 3 and keeps polling; the JSON has the same counts per rule
    assert 'hx-trigger="every 2s"' in html.text and "1 of 3 websites" in html.text
    assert data["done"] == 1 and data["total"] == 3 and data["percent"] == 33
    assert data["rules"]["domain_expiry"]["fail"] == 1
    assert data["status"] == "running"

    # WHEN it finished
    Campaign.objects.filter(pk=campaign.pk).update(status="finished")
    html = rachel_client.get(url, HTTP_HX_REQUEST="true")

    # THEN the partial no longer asks to be polled
    assert "hx-trigger" not in html.text


# ---- bounded queries -----------------------------------------------------------------------


def test_list_queries_do_not_grow_with_campaigns(rachel_client, django_assert_max_num_queries):
    for _ in range(3):
        running_campaign(websites=2)
    # ... and one for the recurring campaigns above the list, one for the second factor
    with django_assert_max_num_queries(8):
        small = rachel_client.get(reverse("campaign-list"))
    for _ in range(20):
        running_campaign(websites=2)
    with django_assert_max_num_queries(8):
        large = rachel_client.get(reverse("campaign-list"))
    assert small.status_code == large.status_code == 200


def test_detail_and_progress_queries_are_bounded(rachel_client, django_assert_max_num_queries):
    campaign = running_campaign(websites=5, done=2, results=0)
    for _ in range(60):
        RuleResultFactory(campaign=campaign)
    # … the enforcement switch, and the session's second factor
    with django_assert_max_num_queries(10):
        detail = rachel_client.get(reverse("campaign-detail", args=[campaign.pk]))
    # session, user with staff role, second factor, campaign, two grouped counts
    with django_assert_max_num_queries(6):
        progress = rachel_client.get(reverse("campaign-progress", args=[campaign.pk]))
    assert detail.status_code == progress.status_code == 200
    # 50 results per page, the rest on page 2
    assert detail.text.count("The domain example.com expired") == 50
    page2 = rachel_client.get(reverse("campaign-detail", args=[campaign.pk]), {"page": 2})
    assert page2.text.count("The domain example.com expired") == 10
