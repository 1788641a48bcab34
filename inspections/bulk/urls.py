from django.urls import path

from inspections.bulk import views

urlpatterns = [
    path("staff/bulk/", views.BulkJobListView.as_view(), name="staff-bulk-jobs"),
    path("staff/bulk/matching/", views.BulkMatchingView.as_view(), name="staff-bulk-matching"),
    path("staff/bulk/<int:pk>/", views.BulkJobDetailView.as_view(), name="staff-bulk-job"),
    path(
        "staff/bulk/<int:pk>/progress/",
        views.BulkJobProgressView.as_view(),
        name="staff-bulk-job-progress",
    ),
]
