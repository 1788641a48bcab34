"""Cursors of the staff queues: the case queue's follows its ``sort`` filter."""

from __future__ import annotations

from icpportal.api.pagination import NewestFirstCursor
from inspections.queues.filtersets import CASE_SORTS, DEFAULT_SORT


class CaseQueueCursor(NewestFirstCursor):
    """Cases in the order the ``sort`` filter asks (deadline first by default); the same
    cost at any depth, served by the queue's indexes."""

    ordering = CASE_SORTS[DEFAULT_SORT]

    def get_ordering(self, request, queryset, view):
        return CASE_SORTS.get(request.query_params.get("sort", ""), self.ordering)


class LastSeenCursor(NewestFirstCursor):
    """Most recently seen first (findings)."""

    ordering = ("-last_seen_at", "-id")
