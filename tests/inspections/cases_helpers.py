"""Building rectification cases for tests: a finished campaign with blocking findings."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from inspections.models import CampaignStatus, InspectionStatus
from tests import factories


def finished_campaign(**kwargs):
    campaign = factories.CampaignFactory(**kwargs)
    # Finished by the workers in real life; the status is protected, so written here.
    type(campaign).objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.FINISHED, finished_at=timezone.now()
    )
    campaign.refresh_from_db()
    return campaign


def inspected(campaign, website, *results):
    """``website`` inspected in ``campaign`` with ``results``: (rule, status, severity)."""
    factories.WebsiteInspectionFactory(
        campaign=campaign, website=website, status=InspectionStatus.DONE
    )
    for rule_code, status, severity in results:
        factories.RuleResultFactory(
            campaign=campaign,
            website=website,
            rule_code=rule_code,
            status=status,
            severity=severity,
            message=f"{rule_code} is {status}",
        )


def website_of(tenant, *, domain: str = "", **kwargs):
    website = factories.WebsiteFactory(entity__tenant=tenant, **kwargs)
    factories.DomainFactory(website=website, name=domain or f"site{website.pk}.example.com")
    return website


def local(text: str) -> datetime:
    """An aware datetime in the portal's time zone from ``YYYY-MM-DD HH:MM``."""
    naive = datetime.fromisoformat(text)
    return timezone.make_aware(naive, timezone.get_default_timezone())
