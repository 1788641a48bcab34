"""The staff case queue page: rows with their SLA clock, the filters, and the workload."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from filings.review.sla import SlaClock, deadline_clocks
from inspections.models import RectificationCase
from inspections.queues.base import active_filters
from inspections.queues.filtersets import CaseQueueFilter, case_queue
from inspections.queues.paging import QueuePage, queue_page
from inspections.queues.workload import workload


@dataclass(frozen=True)
class CaseRow:
    """One line of the queue: the case, its page, its failing rules and its clock (open
    cases)."""

    case: RectificationCase
    url: str
    rules: list[str]
    sla: SlaClock | None


def case_rows(cases: list[RectificationCase]) -> list[CaseRow]:
    running = {c.pk: c.deadline for c in cases if c.is_open and c.clock_paused_at is None}
    clocks = deadline_clocks(running)
    return [
        CaseRow(
            case=c,
            url=reverse("staff-case-detail", args=[c.pk]),
            rules=(c.failing_rules or "").split(),
            sla=clocks.get(c.pk),
        )
        for c in cases
    ]


def case_queue_context(request: HttpRequest) -> dict:
    """What the queue page shows for this request's filters and page."""
    base = case_queue(request.user)
    filterset = CaseQueueFilter(request.GET, queryset=base, request=request)
    page: QueuePage = queue_page(filterset.qs, base, request.GET.get("page"))
    staff = workload()
    assignee = filterset.form.fields["assignee"].widget
    assignee.choices = [*assignee.choices[:3], *((str(u.pk), u.get_username()) for u in staff)]
    filters = active_filters(request)
    return {
        "filter": filterset,
        "page_obj": page,
        "rows": case_rows(page.rows),
        "workload": staff,
        "assignable_staff": staff,
        "filtered": bool(filters),
        "my_queue": filters.get("assignee") == "me",
    }
