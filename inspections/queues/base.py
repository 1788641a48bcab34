"""The base of every queue filterset: Bootstrap-styled fields for the shared filter bar,
and the filters several queues narrow by in the same words."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from inspections.queues.choices import province_choices
from inspections.queues.customers import SEARCH_PARAM, CustomerFilter

SEARCH_HELP = _("Domain, website or entity name, or filing number")
# Query parameters that are not filters: kept out of links, exports' audit rows and
# the query a bulk job runs on. The customer search only narrows the customers offered.
NOT_FILTERS = ("page", "format", SEARCH_PARAM)


def active_filters(request: HttpRequest) -> dict[str, str]:
    """The queue filters this request sets (non-empty, without page, format and the
    customer search)."""
    return {k: v for k, v in request.GET.items() if k not in NOT_FILTERS and v}


def search_filter(help_text=SEARCH_HELP) -> django_filters.CharFilter:
    """The search box; the filterset answers it in its ``search`` method."""
    return django_filters.CharFilter(label=_("Search"), method="search", help_text=help_text)


def cached_province_filter(field_name: str | None = None, **where) -> django_filters.ChoiceFilter:
    """A province by its code, offered from the cached choices (no query a page); it
    filters by ``field_name``, or by a ``method`` given in ``where``."""
    return django_filters.ChoiceFilter(
        label=_("Province"),
        choices=province_choices,
        field_name=field_name,
        empty_label=_("All provinces"),
        **where,
    )


def customer_filter(field_name: str = "tenant") -> CustomerFilter:
    """A customer by its id, picked from a bounded type-ahead (never every customer)."""
    return CustomerFilter(field_name=field_name)


class QueueFilterSet(django_filters.FilterSet):
    """A filterset whose form renders in the queue pages' filter bar as it is."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_queue_styled", False):
            for field in form.fields.values():
                for widget in getattr(field.widget, "widgets", [field.widget]):
                    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                    widget.attrs.setdefault("class", f"{css} form-control-sm")
                    if isinstance(widget, forms.Select):
                        widget.attrs["class"] = "form-select form-select-sm"
            form._queue_styled = True
        return form
