"""The triage queue: answers the rules could not give, waiting for a staff decision.

A row is a website's latest result for a rule when that result is cannot_tell and
nobody has decided about it; a newer result of the same rule replaces it.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from inspections.models import RuleResult
from inspections.queues.base import (
    QueueFilterSet,
    cached_province_filter,
    customer_filter,
    search_filter,
)
from inspections.queues.filtersets import rule_choices
from inspections.queues.search import website_search
from inspections.rules import Status


def triage_queue(user) -> QuerySet[RuleResult]:
    """Untriaged cannot_tell results that are their website's latest for the rule,
    newest first (partial index ``ruleresult_triage``; ``ruleresult_website_latest``
    answers "is there a newer one")."""
    newer = RuleResult.objects.filter(
        website=OuterRef("website"),
        rule_code=OuterRef("rule_code"),
        created_at__gt=OuterRef("created_at"),
    )
    return (
        RuleResult.objects.for_staff(user)
        .filter(status=Status.CANNOT_TELL, triage__isnull=True)
        .exclude(Exists(newer))
        .select_related("website", "website__entity", "website__entity__province", "tenant")
        .select_related("campaign")
        .order_by("-created_at", "-id")
    )


class TriageFilter(QueueFilterSet):
    """Narrow the triage queue by rule, place, customer, campaign, or search it."""

    q = search_filter()
    rule = django_filters.ChoiceFilter(
        label=_("Rule"), choices=rule_choices, field_name="rule_code", empty_label=_("All rules")
    )
    province = cached_province_filter("website__entity__province")
    tenant = customer_filter()
    campaign = django_filters.NumberFilter(label=_("Campaign number"), field_name="campaign_id")

    class Meta:
        model = RuleResult
        fields = ["q", "rule", "province", "tenant", "campaign"]

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(website_search(value, entity="website__entity"))
