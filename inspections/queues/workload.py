"""How many open cases each staff member holds: the queue's workload panel."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from inspections.enforcement.assignment import active_staff
from inspections.models import RectificationCase
from inspections.models.cases import OPEN_STATES


def workload() -> list:
    """Active staff with ``open_cases`` each, most loaded first: one aggregate query.

    Each count is a subquery on the index ``case_assignee_state`` (index-only), so the
    panel costs the same whether the queue holds a thousand cases or a million. The
    same list fills the queue's "assign to" choices.
    """
    held = (
        RectificationCase.objects.filter(assignee=OuterRef("pk"), state__in=OPEN_STATES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("*"))
        .values("n")
    )
    return list(
        active_staff()
        .annotate(open_cases=Coalesce(Subquery(held, output_field=IntegerField()), 0))
        .order_by("-open_cases", "username")
    )
