"""A campaign before and while it runs: the create page's impact preview (duration from
the last campaigns' pace, cases it would open from the latest results), results per rule
linking to the findings and triage queues, the enforcement switch on the campaign page,
and the staff campaigns API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.campaigns import Scope
from inspections.impact import campaign_impact, websites_per_second
from inspections.models import Campaign, CampaignStatus, EnforcementControl
from tests import factories
from tests.clients import customer_client
from tests.inspections.cases_helpers import website_of

pytestmark = pytest.mark.django_db


def finished(total: int, seconds: int, **kwargs) -> Campaign:
    campaign = factories.CampaignFactory(**kwargs)
    end = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.FINISHED,
        total_websites=total,
        started_at=end - timedelta(seconds=seconds),
        finished_at=end,
    )
    campaign.refresh_from_db()
    return campaign


def result(campaign, website, status, severity="blocking", rule="domain_expiry", age=0):
    row = factories.RuleResultFactory(
        campaign=campaign, website=website, rule_code=rule, status=status, severity=severity
    )
    factories.RuleResultFactory._meta.model.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(days=age)
    )
    return row


@pytest.fixture
def sites(alice_tenant):
    """Four filed websites: failing now, fixed since, failing with an open case, never failing."""
    failing, fixed, with_case, clean = (website_of(alice_tenant) for _ in range(4))
    old, new = finished(4, 2000), finished(4, 2000)
    result(old, failing, "pass", "", age=10)
    result(new, failing, "fail", age=1)
    result(old, fixed, "fail", age=10)
    result(new, fixed, "pass", "", age=1)
    result(new, with_case, "fail", age=1)
    result(new, clean, "pass", "", age=1)
    result(new, clean, "fail", rule="contact_reachability", age=1)
    factories.RectificationCaseFactory(website=with_case)
    return {"failing": failing, "fixed": fixed, "with_case": with_case, "clean": clean}


def test_the_preview_counts_websites_on_their_latest_results(sites):
    impact = campaign_impact(Scope(), ["domain_expiry"])
    assert impact.websites == 4
    # failing now, and failing with a case already open; "fixed" passes now
    assert (impact.failing, impact.with_open_case, impact.would_open) == (2, 1, 1)
    # Every rule: "clean" fails contact_reachability and would open a case too
    assert campaign_impact(Scope(), []).would_open == 2


def test_the_expected_duration_comes_from_the_last_campaigns_pace(db):
    assert websites_per_second() is None
    assert campaign_impact(Scope()).duration_text() == ""
    finished(1000, 500)  # 2 websites a second
    finished(3000, 1500)
    assert websites_per_second() == pytest.approx(2.0)


def test_the_create_page_and_its_htmx_line_show_the_preview(
    leo_client, sites, django_assert_max_num_queries
):
    page = leo_client.get(reverse("campaign-create")).content.decode()
    assert "4 websites in scope" in page
    assert "Expected duration: about 33 minutes" in page  # 8 websites took 4000 s

    with django_assert_max_num_queries(12):
        line = leo_client.get(
            reverse("campaign-impact"), {"scope": "all", "rules": ["domain_expiry"]}
        )
    body = line.content.decode()
    assert 'data-would-open="1"' in body
    assert "2 websites fail a chosen rule." in body
    assert "1 new rectification case would open" in body


def test_results_per_rule_link_to_the_findings_and_triage_queues(rachel_client, alice_tenant):
    campaign = finished(2, 10)
    site, other = website_of(alice_tenant), website_of(alice_tenant)
    result(campaign, site, "fail")
    result(campaign, other, "cannot_tell", "", rule="dns_ip_ownership")

    body = rachel_client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()

    findings = f"{reverse('staff-findings')}?campaign={campaign.pk}&amp;rule=domain_expiry"
    triage = f"{reverse('staff-triage')}?campaign={campaign.pk}&amp;rule=dns_ip_ownership"
    assert findings in body and triage in body
    assert f"{reverse('staff-triage')}?campaign={campaign.pk}&amp;rule=domain_expiry" not in body


def test_a_lead_pauses_enforcement_from_the_campaign_page(leo_client, rachel_client):
    campaign = factories.CampaignFactory()
    url = reverse("campaign-detail", args=[campaign.pk])
    assert "Pause enforcement" not in rachel_client.get(url).content.decode()
    assert "Enforcement is running" in rachel_client.get(url).content.decode()
    assert "Pause enforcement" in leo_client.get(url).content.decode()

    response = leo_client.post(
        reverse("staff-enforcement-pause"), {"paused": "on", "reason": "Range review", "next": url}
    )

    assert response["Location"] == url
    assert EnforcementControl.current().paused
    assert "Enforcement is paused" in leo_client.get(url).content.decode()
    # A link elsewhere is not followed
    outside = leo_client.post(
        reverse("staff-enforcement-pause"),
        {"paused": "", "reason": "done", "next": "https://example.org/"},
    )
    assert outside["Location"] == reverse("staff-case-list")


# ---- the staff campaigns API -----------------------------------------------------------


def test_reviewers_list_and_read_campaigns_with_progress(
    rachel_client, alice_tenant, django_assert_max_num_queries
):
    for _ in range(4):
        finished(2, 10)
    campaign = finished(2, 10)
    result(campaign, website_of(alice_tenant), "fail")

    with django_assert_max_num_queries(8):
        listing = rachel_client.get(reverse("api-staff-campaign-list"))
    assert listing.status_code == 200
    assert len(listing.json()["results"]) == 5

    detail = rachel_client.get(reverse("api-staff-campaign-detail", args=[campaign.pk])).json()
    assert detail["progress"]["rules"]["domain_expiry"]["fail"] == 1
    assert detail["status"] == "finished"


def test_only_leads_create_and_cancel_campaigns_over_the_api(
    rachel_client, leo_client, alice_tenant
):
    url = reverse("api-staff-campaign-list")
    body = {
        "name": "Alpha",
        "scope": "tenant",
        "tenants": [alice_tenant.pk],
        "rules": ["domain_expiry"],
    }

    assert rachel_client.post(url, body, content_type="application/json").status_code == 403
    missing = leo_client.post(
        url, {"name": "x", "scope": "province"}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert missing.json()["provinces"] == ["Choose at least one province."]
    no_chunk = leo_client.post(url, {**body, "chunk_size": 0}, content_type="application/json")
    assert no_chunk.status_code == 400

    created = leo_client.post(url, body, content_type="application/json")
    assert created.status_code == 201
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.rule_codes) == ("pending", ["domain_expiry"])

    cancel = reverse("api-staff-campaign-cancel", args=[campaign.pk])
    assert rachel_client.post(cancel).status_code == 403
    assert leo_client.post(cancel).json()["status"] == "cancelled"
    assert leo_client.post(cancel).status_code == 409


def test_customers_get_403_on_the_staff_campaigns_api(alice):
    client = customer_client(alice)
    campaign = factories.CampaignFactory()
    assert client.get(reverse("api-staff-campaign-list")).status_code == 403
    assert client.get(reverse("api-staff-campaign-detail", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("api-staff-campaign-cancel", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaign-impact")).status_code == 403
