"""The queue filters' customer: one customer by id, picked from a bounded type-ahead.

An access provider has hundreds of thousands of customers, so no page lists them all:
the filter's select offers "All customers", the customer chosen (looked up by id when
the filter is set) and, when the filter bar carries a search term, the first customers
whose name holds it. The term itself filters nothing; it only narrows what is offered.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from icpportal.models import Tenant

# The filter bar's search box: it narrows the customers offered, never the queue.
SEARCH_PARAM = "customer_search"
# At most this many customers are offered for a search term.
MATCH_LIMIT = 20
ALL_CUSTOMERS = _("All customers")


def customer_named(selected: str | None) -> list[tuple[str, str]]:
    """The customer whose id is ``selected``, as (id, name); nothing for no such id."""
    selected = selected or ""
    # A row id: ASCII digits, within a bigint; anything else names no customer.
    if not (selected.isascii() and selected.isdigit() and len(selected) < 19):
        return []
    found = Tenant.objects.filter(pk=int(selected)).values_list("pk", "name")
    return [(str(pk), name) for pk, name in found]


def customer_matches(term: str | None) -> list[tuple[str, str]]:
    """Up to ``MATCH_LIMIT`` customers whose name holds ``term``, by name (trigram index
    ``tenant_name_trgm`` on PostgreSQL)."""
    term = (term or "").strip()
    if not term:
        return []
    found = Tenant.objects.filter(name__icontains=term).order_by("name", "pk")
    return [(str(pk), name) for pk, name in found.values_list("pk", "name")[:MATCH_LIMIT]]


def customer_options(selected: str | None, term: str | None) -> list[tuple[str, str]]:
    """The customers offered after "All customers": the selected one, then the matches
    (one query for each that is given, none otherwise)."""
    chosen = customer_named(selected)
    offered = {pk for pk, _name in chosen}
    return [*chosen, *((pk, name) for pk, name in customer_matches(term) if pk not in offered)]


class CustomerSelect(forms.Select):
    """The customer select with its search box beside it. With htmx, typing in the box
    replaces the select's options from the staff customer-options endpoint."""

    def __init__(self, attrs=None, choices=(), search: str = ""):
        super().__init__({"class": "form-select", **(attrs or {})}, choices)
        self.search = search

    def render(self, name, value, attrs=None, renderer=None) -> str:
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        return render_to_string(
            "inspections/queues/_customer_search.html",
            {
                "select": select,
                "select_id": select_id,
                "name": SEARCH_PARAM,
                "value": self.search,
                "options_url": reverse("staff-customer-options"),
                # The search box takes the select's size (small in the staff queues' bar).
                "small": "form-select-sm" in self.attrs.get("class", ""),
            },
        )


class CustomerFilter(django_filters.ChoiceFilter):
    """A customer by its id (``?tenant=12``); an id of no customer is an invalid choice,
    reported and ignored as any other filter value not understood."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Customer"))
        kwargs.setdefault("widget", CustomerSelect)
        kwargs.setdefault("empty_label", ALL_CUSTOMERS)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            field = super().field
            data = getattr(getattr(self, "parent", None), "data", None) or {}
            term = data.get(SEARCH_PARAM, "")
            field.choices = customer_options(data.get(self._param_name()), term)
            field.widget.search = term
        return self._field

    def _param_name(self) -> str:
        parent = getattr(self, "parent", None)
        for name, filter_ in getattr(parent, "filters", {}).items():
            if filter_ is self:
                return name
        return self.field_name
