"""Who may call an endpoint: customers of an account, with the token's scopes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from icpportal.accounts.two_factor.enforcement import second_factor_refusal
from icpportal.models import LEAD_ROLES, ApiToken
from icpportal.tenancy import needs_second_factor, second_factor_verified, staff_role


def token_of(request) -> ApiToken | None:
    """The API token the request authenticated with, or None for a session."""
    return request.auth if isinstance(request.auth, ApiToken) else None


class TokenScopes(BasePermission):
    """A token reads with its "read" scope and changes with "write"; a session may do
    both (it passed the login and, for changes, the CSRF check), a staff or superuser
    session once its login also passed the second factor.

    Every API view lists this permission, staff endpoints included: an unverified
    staff session gets 403 with the code ``second_factor_required`` (a staff token
    needs the second factor to exist, see ``ApiTokenAuthentication``)."""

    message = _("This API token does not have the scope this request needs.")

    def has_permission(self, request, view) -> bool:
        token = token_of(request)
        if token is None:
            if needs_second_factor(request.user) and not second_factor_verified(request.user):
                raise PermissionDenied(second_factor_refusal())
            return True
        needed = ApiToken.Scope.READ if request.method in SAFE_METHODS else ApiToken.Scope.WRITE
        return token.has_scope(needed)


class CustomerAccount(BasePermission):
    """The caller works in a customer account (compliance staff have their own API)."""

    message = _("These endpoints are for customer accounts.")

    def has_permission(self, request, view) -> bool:
        return getattr(request, "tenant", None) is not None


class AccountOwner(BasePermission):
    """Only the owners of the customer account."""

    message = _("Only an owner of this customer account can do this.")

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.is_owner


def is_owner(request) -> bool:
    return AccountOwner().has_permission(request, None)


class ComplianceStaff(BasePermission):
    """Compliance staff only (the staff endpoints); ``lead_only_actions`` of the view
    (e.g. ``("create", "cancel")``) are for leads and admins."""

    message = _("These endpoints are for compliance staff.")

    def has_permission(self, request, view) -> bool:
        role = staff_role(request.user)
        if role is None:
            return False
        if getattr(view, "action", None) in getattr(view, "lead_only_actions", ()):
            self.message = _("Only a lead may do this.")
            return role in LEAD_ROLES
        return True
