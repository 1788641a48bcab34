"""How many open cases each staff member holds: the queue's workload panel."""

from __future__ import annotations

from django.db.models import Count, Q

from inspections.enforcement.assignment import active_staff
from inspections.models.cases import OPEN_STATES


def workload() -> list:
    """Active staff with ``open_cases`` each, most loaded first: one aggregate query.

    The same list fills the queue's "assign to" choices.
    """
    return list(
        active_staff()
        .annotate(
            open_cases=Count("assigned_cases", filter=Q(assigned_cases__state__in=OPEN_STATES))
        )
        .order_by("-open_cases", "username")
    )
