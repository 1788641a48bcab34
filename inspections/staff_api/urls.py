from rest_framework.routers import SimpleRouter

from inspections.staff_api.bulk_jobs import BulkJobViewSet
from inspections.staff_api.campaigns import CampaignViewSet

router = SimpleRouter()
router.register("bulk-jobs", BulkJobViewSet, basename="api-staff-bulk-job")
router.register("campaigns", CampaignViewSet, basename="api-staff-campaign")
urlpatterns = router.urls
