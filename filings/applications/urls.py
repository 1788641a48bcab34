from django.urls import path

from filings.applications import views

urlpatterns = [
    path("applications/", views.ApplicationListView.as_view(), name="application-list"),
    path(
        "applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<int:pk>/submit/",
        views.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<int:pk>/resubmit/",
        views.ApplicationResubmitView.as_view(),
        name="application-resubmit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        views.ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/miit/<int:verification_pk>/",
        views.MiitCodeView.as_view(),
        name="application-miit-code",
    ),
]
