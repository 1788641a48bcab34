"""The bulk bar of the staff case queue."""

from __future__ import annotations

from django import template

from icpportal.models import BulkJob
from icpportal.tenancy import staff_role
from inspections.bulk.forms import BulkJobForm
from inspections.bulk.jobs import LEAD_ONLY
from inspections.enforcement.actions import LEAD_ROLES

register = template.Library()


@register.inclusion_tag("inspections/bulk/_bar.html", takes_context=True)
def bulk_bar(context):
    """The steps the user may apply, their inputs, and how many cases the filter matches."""
    request = context["request"]
    is_lead = staff_role(request.user) in LEAD_ROLES
    query = request.GET.copy()
    query.pop("page", None)
    paginator = context.get("paginator")
    return {
        "form": BulkJobForm(user=request.user),
        "kinds": [(k, label) for k, label in BulkJob.Kind.choices if is_lead or k not in LEAD_ONLY],
        "is_lead": is_lead,
        "query": query.urlencode(),
        "matching": paginator.count if paginator is not None else None,
    }
