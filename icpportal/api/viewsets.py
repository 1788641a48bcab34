"""The base of every customer API view: querysets scoped to the caller's tenant."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from icpportal.api.permissions import CustomerAccount, TokenScopes

MAX_ID = 2**63 - 1
ID_REGEX = r"[1-9][0-9]{0,17}"


class TenantScopedViewSetMixin:
    """Gives the view ``model.objects.for_tenant(request.tenant)``: another tenant's
    object is simply not there (404).

    Only customers reach these views (a login without a customer account gets 403),
    and a token reads only with its "read" scope and changes only with "write".
    """

    model = None
    permission_classes = [IsAuthenticated, CustomerAccount, TokenScopes]
    # Ids are positive bigints: anything else is no row's id (404 from the router).
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return self.model.objects.for_tenant(getattr(self.request, "tenant", None))


class TenantScopedViewSet(TenantScopedViewSetMixin, viewsets.GenericViewSet):
    pass
