"""The base of every customer API view: querysets scoped to the caller's tenant."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated


class TenantScopedViewSetMixin:
    """Gives the view ``model.objects.for_tenant(request.tenant)``: another tenant's
    object is simply not there (404)."""

    model = None
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return self.model.objects.for_tenant(getattr(self.request, "tenant", None))


class TenantScopedViewSet(TenantScopedViewSetMixin, viewsets.GenericViewSet):
    pass
