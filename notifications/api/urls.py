from rest_framework.routers import SimpleRouter

from notifications.api.views import PhoneVerificationViewSet

router = SimpleRouter()
router.register("phone-verifications", PhoneVerificationViewSet, basename="phone-verification")
urlpatterns = router.urls
