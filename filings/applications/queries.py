"""Questions other parts of the portal ask about applications (read-only)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from filings.choices import ApplicationKind
from filings.models import Application, Website
from filings.models.application import UNDER_REVIEW_STATUSES

# Kinds that correct a filing: while one is under review, rectification clocks pause.
CHANGE_KINDS = (
    ApplicationKind.CHANGE_ENTITY,
    ApplicationKind.CHANGE_WEBSITE,
    ApplicationKind.CHANGE_ACCESS,
)


def changes_under_review(website_id, entity_id, tenant_id) -> QuerySet[Application]:
    """The change applications about a website (or its entity) that are under review.

    Under review means with the provider, in the MIIT SMS step or with the bureau; a
    returned or finished application does not count. The arguments may be values or
    ``OuterRef`` expressions (the escalation scan asks this per case, as a subquery).
    """
    about_website = Q(
        kind__in=(ApplicationKind.CHANGE_WEBSITE, ApplicationKind.CHANGE_ACCESS),
        website_id=website_id,
    )
    about_entity = Q(kind=ApplicationKind.CHANGE_ENTITY, entity_id=entity_id)
    return Application.objects.filter(
        about_website | about_entity,
        tenant_id=tenant_id,
        status__in=UNDER_REVIEW_STATUSES,
    )


def applications_under_review(website: Website) -> QuerySet[Application]:
    """The change applications about ``website`` (or its entity) under review, oldest
    first. The Enforcement part pauses a rectification deadline while this is not empty.
    """
    return changes_under_review(website.pk, website.entity_id, website.tenant_id).order_by(
        "submitted_at", "id"
    )
