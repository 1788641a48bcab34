"""Filters of the case list (``?state=notified&state=overdue``, ``?open=true``)."""

from __future__ import annotations

import django_filters as filters

from filings.api.filtersets import IdFilter
from inspections.models import CaseState, RectificationCase
from inspections.models.cases import OPEN_STATES


class CaseFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=CaseState.choices)
    open = filters.BooleanFilter(method="filter_open", label="open")
    website = IdFilter(field_name="website_id")

    class Meta:
        model = RectificationCase
        fields = ["state", "open", "website"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(state__in=OPEN_STATES)
            if value
            else queryset.exclude(state__in=OPEN_STATES)
        )
