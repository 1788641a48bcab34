"""The provider-review queue: applications waiting for staff, oldest first, filtered."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, Domain
from inspections.queues.base import cached_province_filter, customer_filter, search_filter


def review_queue(user) -> QuerySet[Application]:
    """Applications under provider review, oldest submission first (index
    ``application_queue`` on status, submitted_at), with what a row shows."""
    return (
        Application.objects.for_staff(user)
        .filter(status=ApplicationStatus.PROVIDER_REVIEW)
        .select_related("tenant", "entity", "website", "website__entity")
        .prefetch_related(
            Prefetch(
                "website__domains",
                queryset=Domain.objects.filter(is_active=True).order_by("name"),
            )
        )
        .order_by("submitted_at", "id")
    )


class ReviewQueueFilter(django_filters.FilterSet):
    """Narrow the queue by kind, province and customer, or search it."""

    q = search_filter(_("Entity or website name, domain, filing number or application number"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ApplicationKind.choices, empty_label=_("All kinds")
    )
    province = cached_province_filter(method="in_province")
    tenant = customer_filter()

    class Meta:
        model = Application
        fields = ["q", "kind", "province", "tenant"]

    def in_province(self, queryset, name, value):
        # A first filing names its province in the payload; other kinds have an entity.
        return queryset.filter(
            Q(entity__province_id=value)
            | Q(entity__isnull=True, website__entity__province_id=value)
            | Q(entity__isnull=True, website__isnull=True, payload__entity__province=value)
        )

    def search(self, queryset, name, value):
        text = value.strip()
        if text.startswith("#") and text[1:].isdigit():
            # "#123" is application number 123 exactly, not every name holding "123".
            return queryset.filter(pk=int(text[1:]))
        text = text.removeprefix("#")
        if not text:
            return queryset
        live_domain = Domain.objects.filter(website=OuterRef("website"), name__icontains=text)
        found = (
            Q(entity__name__icontains=text)
            | Q(website__name__icontains=text)
            | Q(entity__filing_number__icontains=text)
            | Q(website__filing_number__icontains=text)
            | Q(payload__entity__name__icontains=text)
            | Q(payload__website__name__icontains=text)
            | Q(payload__transfer__filing_number__icontains=text)
            | Q(payload__domains__icontains=text)
            | Q(Exists(live_domain))
        )
        if text.isdigit():
            found |= Q(pk=int(text))
        return queryset.filter(found)
