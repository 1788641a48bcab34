from django.urls import include, path

from notifications import views

urlpatterns = [
    path("notifications/", views.InboxView.as_view(), name="notification-inbox"),
    path("notifications/read/", views.MarkReadView.as_view(), name="notification-read-all"),
    path("notifications/<int:pk>/read/", views.MarkReadView.as_view(), name="notification-read"),
    path("notifications/history/", views.HistoryView.as_view(), name="notification-history"),
    path("contacts/", views.ContactSelfInspectionView.as_view(), name="contact-inspection"),
    path("contacts/<int:pk>/verify/", views.StartVerificationView.as_view(), name="contact-verify"),
    path(
        "contacts/verifications/<int:pk>/check/",
        views.CheckVerificationView.as_view(),
        name="contact-check",
    ),
    path(
        "staff/notifications/",
        views.StaffDeliveryView.as_view(),
        name="staff-notification-delivery",
    ),
    path(
        "staff/notifications/<int:pk>/resend/",
        views.ResendNotificationView.as_view(),
        name="staff-notification-resend",
    ),
    path("api/v1/", include("notifications.api.urls")),
]
