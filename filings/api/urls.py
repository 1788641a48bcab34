from rest_framework.routers import SimpleRouter

from filings.api.applications import ApplicationViewSet
from filings.api.materials import MaterialViewSet
from filings.api.views import DomainViewSet, EntityViewSet, PersonViewSet, WebsiteViewSet

router = SimpleRouter()
router.register("entities", EntityViewSet, basename="api-entity")
router.register("persons", PersonViewSet, basename="api-person")
router.register("websites", WebsiteViewSet, basename="api-website")
router.register("domains", DomainViewSet, basename="api-domain")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("materials", MaterialViewSet, basename="api-material")
urlpatterns = router.urls
