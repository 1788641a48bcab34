"""The staff findings queue: failing rules across every case."""

from __future__ import annotations

from django.shortcuts import render
from django.views import View

from icpportal.tenancy import StaffRequiredMixin
from inspections.queue_views import export
from inspections.queues.base import active_filters
from inspections.queues.findings import FindingsFilter, findings_queue
from inspections.queues.paging import queue_page


class FindingsQueueView(StaffRequiredMixin, View):
    """Findings of every case (failing by default), most recently seen first."""

    template_name = "inspections/queues/findings.html"

    def get(self, request):
        base = findings_queue(request.user)
        filterset = FindingsFilter(request.GET, queryset=base, request=request)
        if request.GET.get("format") == "csv":
            return export.csv_response(request, export.FINDINGS, filterset.qs)
        context = {
            "filter": filterset,
            "page_obj": queue_page(filterset.qs, base, request.GET.get("page")),
            "filtered": bool(active_filters(request)),
        }
        return render(request, self.template_name, context)
