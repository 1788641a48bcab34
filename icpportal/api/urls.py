"""The REST API's routes: /api/v1/ endpoints, the OpenAPI schema, Swagger UI, and the
API-token page under the account menu."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from icpportal.api import pages, schema  # noqa: F401  (schema: registers the token scheme)
from icpportal.api.token_views import ApiTokenViewSet

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("filings.api.urls")),
    path("api/v1/staff/", include("inspections.staff_api.urls")),
    path("api/v1/", include("inspections.api.urls")),
    path("accounts/api-tokens/", pages.ApiTokensView.as_view(), name="api-tokens"),
    path(
        "accounts/api-tokens/revoke/", pages.RevokeApiTokenView.as_view(), name="api-token-revoke"
    ),
]
