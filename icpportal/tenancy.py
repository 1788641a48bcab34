"""Tenant scoping: every customer-owned row is reached through its tenant, or not at all.

- ``TenantQuerySet.for_tenant(tenant)`` fails closed: no tenant, no rows.
- ``TenantQuerySet.for_staff(user)`` is the one door across tenants, for compliance staff.
- ``TenantMiddleware`` puts the user's current tenant on ``request.tenant``.
- ``TenantScopedMixin`` gives every customer view its queryset, so another tenant's
  object answers 404.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

SESSION_KEY = "icp_tenant_id"


class TenantQuerySet(models.QuerySet):
    tenant_field = "tenant"

    def for_tenant(self, tenant) -> TenantQuerySet:
        if tenant is None or getattr(tenant, "pk", None) is None:
            return self.none()
        return self.filter(**{self.tenant_field: tenant})

    def for_staff(self, user) -> TenantQuerySet:
        if staff_role(user) is None:
            return self.none()
        return self.all()


def staff_role(user) -> str | None:
    """The compliance-staff role of ``user`` (reviewer, lead, admin), or None."""
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is None or not profile.is_active:
        return None
    return profile.role


def is_staff_member(user) -> bool:
    return staff_role(user) is not None


def needs_second_factor(user) -> bool:
    """Whether ``user`` logs in with a second factor: compliance staff and superusers."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or staff_role(user) is not None


def second_factor_verified(user) -> bool:
    """Whether this session's login passed its second factor (django-otp's middleware
    marks the user of the request)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def memberships_of(user):
    from icpportal.models import Membership

    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, tenant__is_active=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def resolve_membership(request: HttpRequest, memberships: list):
    """The membership of the tenant chosen in this session, else the user's first one."""
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    chosen = [m for m in memberships if m.tenant_id == wanted]
    if chosen:
        return chosen[0]
    return memberships[0] if memberships else None


class TenantMiddleware:
    """Sets ``request.tenant`` and ``request.membership`` (None for staff and guests), and
    ``request.memberships``: the user's tenants, read once for the page's tenant switcher.

    Compliance staff belong to no tenant: their memberships are not looked up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.membership = None
        request.tenant = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and staff_role(user) is None:
            request.memberships = list(memberships_of(user))
            membership = resolve_membership(request, request.memberships)
            if membership is not None:
                request.membership = membership
                request.tenant = membership.tenant
        return self.get_response(request)


def switch_tenant(request: HttpRequest, tenant_id: int) -> bool:
    """Make ``tenant_id`` the current tenant if the user belongs to it."""
    if not memberships_of(request.user).filter(tenant_id=tenant_id).exists():
        return False
    request.session[SESSION_KEY] = tenant_id
    return True


class TenantScopedMixin(LoginRequiredMixin):
    """Base of every customer view: the queryset is the current tenant's rows only."""

    model: type[models.Model]
    owner_only = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.owner_only:
            membership = getattr(request, "membership", None)
            if membership is None or not membership.is_owner:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return self.model.objects.for_tenant(getattr(self.request, "tenant", None))

    def get_queryset(self):
        return self.get_base_queryset()


class StaffRequiredMixin(LoginRequiredMixin):
    """Base of every staff view: compliance staff only, optionally a minimum role, on a
    login that passed its second factor."""

    allowed_roles: tuple[str, ...] = ("reviewer", "lead", "admin")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if staff_role(request.user) not in self.allowed_roles:
                raise PermissionDenied
            if not second_factor_verified(request.user):
                from icpportal.accounts.two_factor.enforcement import to_second_factor

                return to_second_factor(request)
        return super().dispatch(request, *args, **kwargs)
