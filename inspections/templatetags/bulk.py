"""The bulk bar of the staff case queue."""

from __future__ import annotations

from django import template

from icpportal.models import LEAD_ROLES, BulkJob
from icpportal.tenancy import staff_role
from inspections.bulk.jobs import LEAD_ONLY, clean_query
from inspections.enforcement.assignment import active_staff
from inspections.rules import all_rules

register = template.Library()


@register.inclusion_tag("inspections/bulk/_bar.html", takes_context=True)
def bulk_bar(context):
    """The steps the user may apply and their inputs (the count of cases the filter
    matches loads after the page)."""
    request = context["request"]
    is_lead = staff_role(request.user) in LEAD_ROLES
    staff = context.get("assignable_staff")
    return {
        "kinds": [(k, label) for k, label in BulkJob.Kind.choices if is_lead or k not in LEAD_ONLY],
        "staff": staff if staff is not None else active_staff(),
        "rules": [(rule.code, rule.title) for rule in all_rules()],
        "is_lead": is_lead,
        "query": clean_query(request.GET.urlencode()),
    }
