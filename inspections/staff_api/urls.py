"""Routes of the staff API, under /api/v1/staff/."""

from rest_framework.routers import SimpleRouter

from inspections.staff_api import views
from inspections.staff_api.bulk_jobs import BulkJobViewSet
from inspections.staff_api.campaigns import CampaignViewSet

router = SimpleRouter()
router.register("bulk-jobs", BulkJobViewSet, basename="api-staff-bulk-job")
router.register("campaigns", CampaignViewSet, basename="api-staff-campaign")
router.register("cases", views.StaffCaseViewSet, basename="api-staff-case")
router.register("triage", views.TriageViewSet, basename="api-staff-triage")
router.register("findings", views.StaffFindingViewSet, basename="api-staff-finding")

urlpatterns = router.urls
