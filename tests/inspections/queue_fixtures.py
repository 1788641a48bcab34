"""Cases, findings and staff for the staff queue tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests import factories


def case_of(tenant, *, rules=("domain_expiry",), entity_name="", province="110000", **kwargs):
    """An open case of a new website of ``tenant`` with an open finding per rule."""
    entity_kwargs = {"entity__tenant": tenant, "entity__province_id": province}
    if entity_name:
        entity_kwargs["entity__name"] = entity_name
    website = factories.WebsiteFactory(**entity_kwargs)
    factories.DomainFactory(website=website, name=f"site{website.pk}.example.com")
    case = factories.RectificationCaseFactory(website=website, **kwargs)
    for code in rules:
        factories.CaseFindingFactory(case=case, rule_code=code)
    return case


def days_from_now(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)
