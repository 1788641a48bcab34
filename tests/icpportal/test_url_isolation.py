"""Walks every URL pattern that takes an object id and opens it, as alice, with an
object of bob's: each must answer 404 (or 403 for staff-only pages).

A new URL with an id must be known here (its view's ``model``, or an entry in
``MODEL_OF_URL``), so the walk grows as the portal grows instead of silently missing it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from filings import models as filing_models
from icpportal.models import BulkJob, Invitation, Membership
from inspections.models import Campaign, RectificationCase, RuleResult, WebsiteInspection
from notifications.models import Notification, PhoneVerification
from tests import factories

pytestmark = pytest.mark.django_db

# Factories that build a complete object of a given tenant, per model.
FACTORY_FOR_MODEL = {
    filing_models.Entity: lambda tenant: factories.EntityFactory(tenant=tenant),
    filing_models.Person: lambda tenant: factories.PersonFactory(tenant=tenant),
    filing_models.Website: lambda tenant: factories.WebsiteFactory(entity__tenant=tenant),
    filing_models.Domain: lambda tenant: factories.DomainFactory(website__entity__tenant=tenant),
    filing_models.Application: lambda tenant: factories.ApplicationFactory(tenant=tenant),
    filing_models.Material: lambda tenant: factories.MaterialFactory(entity__tenant=tenant),
    PhoneVerification: lambda tenant: factories.PhoneVerificationFactory(person__tenant=tenant),
    Notification: lambda tenant: factories.NotificationFactory(tenant=tenant),
    Membership: lambda tenant: factories.MembershipFactory(tenant=tenant, role="member"),
    Invitation: lambda tenant: factories.InvitationFactory(tenant=tenant),
    get_user_model(): lambda tenant: factories.MembershipFactory(tenant=tenant).user,
    # Campaigns belong to no customer: their pages are staff-only (403 to customers).
    Campaign: lambda tenant: factories.CampaignFactory(),
    WebsiteInspection: lambda tenant: factories.WebsiteInspectionFactory(
        website__entity__tenant=tenant
    ),
    RuleResult: lambda tenant: factories.RuleResultFactory(website__entity__tenant=tenant),
    RectificationCase: lambda tenant: factories.RectificationCaseFactory(
        website__entity__tenant=tenant
    ),
    # Bulk jobs are staff's own: their pages and endpoints are staff-only.
    BulkJob: lambda tenant: factories.BulkJobFactory(),
}

# URL names whose view has no ``model`` attribute: which model their id is.
MODEL_OF_URL: dict[str, type] = {
    "notification-read": Notification,
    "staff-notification-resend": Notification,
    # The id in these is a secret token, not a row id: a guessed one answers 404.
    "invitation-accept": Invitation,
    "password_reset_confirm": get_user_model(),
    # Staff pages of rectification cases (403 to customers).
    "staff-case-detail": RectificationCase,
    "staff-case-extend": RectificationCase,
    "staff-case-lift": RectificationCase,
    "staff-case-waive": RectificationCase,
    "staff-case-approve-cancel": RectificationCase,
    "staff-case-close": RectificationCase,
    "staff-case-message": RectificationCase,
    "staff-campaign-approve-blocks": Campaign,
    # Staff queues: assignment of a case, a triage decision on a result.
    "staff-case-take": RectificationCase,
    "staff-case-assign": RectificationCase,
    "staff-case-unassign": RectificationCase,
    "staff-triage-decide": RuleResult,
}

# Namespaces reached by staff only; Django admin has its own staff gate.
SKIPPED_NAMESPACES = {"admin"}

ID_CONVERTERS = ("int", "uuid", "slug")


def _walk(patterns, prefix_ns=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, f"{prefix_ns}{ns}:" if ns else prefix_ns)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if converters:
                yield prefix_ns + entry.name, entry


def _model_of(name: str, pattern: URLPattern):
    if name in MODEL_OF_URL:
        return MODEL_OF_URL[name]
    # Django class-based views expose ``view_class``, DRF viewsets ``cls``.
    view_class = getattr(pattern.callback, "view_class", None) or getattr(
        pattern.callback, "cls", None
    )
    model = getattr(view_class, "model", None)
    queryset = getattr(view_class, "queryset", None)
    if model is None and queryset is not None:
        model = queryset.model
    return model


def id_urls():
    return sorted(_walk(get_resolver().url_patterns), key=lambda item: item[0])


def test_walker_finds_the_id_urls():
    names = {name for name, _ in id_urls()}
    assert {"entity-detail", "website-detail", "person-detail"} <= names


@pytest.mark.parametrize("name,pattern", id_urls(), ids=[name for name, _ in id_urls()])
def test_another_tenants_object_answers_404(alice_client, bob_tenant, name, pattern):
    # GIVEN an object of bob's of the kind this URL shows
    model = _model_of(name, pattern)
    assert model in FACTORY_FOR_MODEL, (
        f"URL {name!r} takes an object id but the isolation walk does not know how to make "
        f"its object: add its model to FACTORY_FOR_MODEL / MODEL_OF_URL."
    )
    obj = FACTORY_FOR_MODEL[model](bob_tenant)
    kwargs = {key: obj.pk for key in pattern.pattern.converters}
    # WHEN alice requests it (by POST where the URL takes only POST)
    url = reverse(name, kwargs=kwargs)
    response = alice_client.get(url)
    if response.status_code == 405:
        response = alice_client.post(url)
    # THEN it does not exist for her
    assert response.status_code in (403, 404), f"{name} answered {response.status_code}"
