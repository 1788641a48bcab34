from django.urls import path

from filings.applications import views

urlpatterns = [
    path("applications/", views.ApplicationListView.as_view(), name="application-list"),
    path(
        "applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
]
