"""Customer pages of filing applications: the list and one application's page."""

from __future__ import annotations

from django.views.generic import DetailView, ListView

from filings.models import Application
from icpportal.tenancy import TenantScopedMixin


class ApplicationListView(TenantScopedMixin, ListView):
    """The customer's applications, newest first."""

    model = Application
    paginate_by = 25
    template_name = "filings/applications/application_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("entity", "website")


class ApplicationDetailView(TenantScopedMixin, DetailView):
    """One application: its status, proposed data, self-check, actions and timeline."""

    model = Application
    template_name = "filings/applications/application_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("entity", "website")
