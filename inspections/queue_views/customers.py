"""The staff queues' customer type-ahead: the customer filter's options for a term."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from icpportal.tenancy import StaffRequiredMixin
from inspections.queues.customers import SEARCH_PARAM, customer_options


class CustomerOptionsView(StaffRequiredMixin, View):
    """The <option> elements of a queue's customer select: "All customers", the customer
    selected and up to 20 customers whose name holds the term, by name.

    ``?q=term&selected=12``; the filter bar's search box sends its own fields instead
    (``customer_search`` and the select's ``tenant``), which are read the same way.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        term = request.GET.get("q") or request.GET.get(SEARCH_PARAM, "")
        selected = request.GET.get("selected") or request.GET.get("tenant", "")
        context = {"options": customer_options(selected, term), "selected": selected}
        return render(request, "inspections/queues/_customer_options.html", context)
