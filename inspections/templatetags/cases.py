"""Template tags of rectification cases shown on other apps' pages."""

from __future__ import annotations

from django import template
from django.utils.dateparse import parse_datetime

from inspections.models import RectificationCase
from inspections.models.cases import OPEN_STATES

register = template.Library()

CARD_CASES = 5


@register.inclusion_tag("inspections/cases/_dashboard_card.html")
def open_cases_card(tenant):
    """The customer dashboard's card of open rectification cases with their deadlines."""
    cases = list(
        RectificationCase.objects.for_tenant(tenant)
        .filter(state__in=OPEN_STATES)
        .select_related("website")
        .order_by("deadline", "id")[: CARD_CASES + 1]
    )
    open_count = len(cases)
    if open_count > CARD_CASES:
        open_count = (
            RectificationCase.objects.for_tenant(tenant).filter(state__in=OPEN_STATES).count()
        )
    return {"tenant": tenant, "cases": cases[:CARD_CASES], "open_count": open_count}


@register.filter
def as_datetime(value):
    """An ISO 8601 time kept in an audit row as a datetime, for the ``date`` filter."""
    return parse_datetime(value) if isinstance(value, str) else None
