"""Template tags of the application pages used on other pages (website timeline)."""

from __future__ import annotations

from django import template

from filings.applications.timeline import website_timeline as build_website_timeline
from filings.choices import OPEN_APPLICATION_STATUSES, ApplicationStatus
from filings.models import Application

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """The translated name of an application status value (e.g. in a timeline entry)."""
    try:
        return str(ApplicationStatus(value).label)
    except ValueError:
        return ""


@register.inclusion_tag("filings/applications/_website_timeline.html")
def website_timeline(website):
    """The history of a website and its applications, and the next step of the open one."""
    open_applications = Application.objects.filter(
        tenant_id=website.tenant_id, website=website, status__in=OPEN_APPLICATION_STATUSES
    ).order_by("created_at", "id")
    return {"timeline": build_website_timeline(website), "open_applications": open_applications}
