"""Filters of the API lists (``?status=draft&kind=new_website``).

References to other rows are plain ids: a filter never tells whether another
tenant's id exists, it only narrows the caller's own rows.
"""

from __future__ import annotations

import django_filters as filters
from django import forms

from filings.choices import ApplicationKind, ApplicationStatus, MaterialKind
from filings.models import Application, Domain, Entity, Material, Person, Website
from icpportal.api.viewsets import MAX_ID


class IdFilter(filters.NumberFilter):
    """Another row's id: a whole number in the range of ids."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class EntityFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    province = filters.CharFilter(field_name="province_id")

    class Meta:
        model = Entity
        fields = ["state", "entity_type"]


class PersonFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Person
        fields = []


class WebsiteFilter(filters.FilterSet):
    entity = IdFilter(field_name="entity_id")
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Website
        fields = ["filing_state", "access_state", "content_category"]


class DomainFilter(filters.FilterSet):
    website = IdFilter(field_name="website_id")
    name = filters.CharFilter(lookup_expr="icontains")
    expires_before = filters.DateFilter(field_name="expires_on", lookup_expr="lt")

    class Meta:
        model = Domain
        fields = ["is_active", "real_name_status"]


class ApplicationFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ApplicationKind.choices)
    entity = IdFilter(field_name="entity_id")
    website = IdFilter(field_name="website_id")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = []


class MaterialFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=MaterialKind.choices)
    application = IdFilter(field_name="application_id")
    entity = IdFilter(field_name="entity_id")
    person = IdFilter(field_name="person_id")
    website = IdFilter(field_name="website_id")

    class Meta:
        model = Material
        fields = []
