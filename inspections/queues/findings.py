"""The findings queue: failing rules across every case, most recently seen first."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inspections.models import CaseFinding, FindingStatus
from inspections.queues.base import (
    QueueFilterSet,
    cached_province_filter,
    customer_filter,
    search_filter,
)
from inspections.queues.filtersets import rule_choices
from inspections.queues.search import website_search
from inspections.rules import Severity


def findings_queue(user) -> QuerySet[CaseFinding]:
    """Findings of every case, with their case and website (index finding_status_recent)."""
    return (
        CaseFinding.objects.for_staff(user)
        .select_related("case", "case__website", "case__entity", "case__entity__province", "tenant")
        .order_by("-last_seen_at", "-id")
    )


class FindingsFilter(QueueFilterSet):
    """Narrow the findings by status (failing by default), rule, severity, place, customer."""

    q = search_filter()
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("all", _("Any status")), *FindingStatus.choices],
        method="with_status",
        empty_label=None,
    )
    rule = django_filters.ChoiceFilter(
        label=_("Rule"), choices=rule_choices, field_name="rule_code", empty_label=_("All rules")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity")
    )
    province = cached_province_filter("case__entity__province")
    tenant = customer_filter()

    class Meta:
        model = CaseFinding
        fields = ["q", "status", "rule", "severity", "province", "tenant"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=FindingStatus.OPEN)
        return queryset

    def with_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            website_search(value, website="case__website", entity="case__entity")
        )
