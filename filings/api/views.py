"""Live filings over the API, read-only: they change only through applications."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import mixins

from filings.api.filtersets import DomainFilter, EntityFilter, PersonFilter, WebsiteFilter
from filings.api.serializers import (
    DomainSerializer,
    EntitySerializer,
    PersonSerializer,
    WebsiteSerializer,
)
from filings.models import Domain, Entity, Person, Website
from icpportal.api import TenantScopedViewSet
from icpportal.api.pagination import ByIdCursor, NewestFirstCursor


class _ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    pass


class EntityViewSet(_ReadOnly):
    """The customer's filing entities (主体)."""

    model = Entity
    serializer_class = EntitySerializer
    filterset_class = EntityFilter

    def get_queryset(self):
        return super().get_queryset().select_related("head").order_by("name", "id")


class PersonViewSet(_ReadOnly):
    """Persons in charge, with masked ID numbers and phones."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self):
        return super().get_queryset().order_by("name", "id")


class WebsiteViewSet(_ReadOnly):
    """Filed websites with their domain names."""

    model = Website
    serializer_class = WebsiteSerializer
    filterset_class = WebsiteFilter
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        domains = Domain.objects.filter(is_active=True).order_by("name")
        return super().get_queryset().prefetch_related(Prefetch("domains", queryset=domains))


class DomainViewSet(_ReadOnly):
    """Domain names of the websites, with registrant (ID masked), expiry and real-name
    status."""

    model = Domain
    serializer_class = DomainSerializer
    filterset_class = DomainFilter
    pagination_class = ByIdCursor
