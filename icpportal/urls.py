from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from icpportal import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("gate/", include("inspections.gate.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("icpportal.accounts.urls")),
    path("tenant/switch/", views.switch_tenant_view, name="switch-tenant"),
    path("", views.home, name="home"),
    path("", include("filings.urls")),
    path("", include("notifications.urls")),
    path("", include("inspections.urls")),
    path("", include("icpportal.api.urls")),
]

admin.site.site_header = admin.site.site_title = f"{settings.PROVIDER_NAME} ICP"
