from django.urls import path

from inspections.queue_views import assignment

urlpatterns = [
    path("staff/cases/<int:pk>/take/", assignment.TakeCaseView.as_view(), name="staff-case-take"),
    path(
        "staff/cases/<int:pk>/assign/",
        assignment.AssignCaseView.as_view(),
        name="staff-case-assign",
    ),
    path(
        "staff/cases/<int:pk>/unassign/",
        assignment.UnassignCaseView.as_view(),
        name="staff-case-unassign",
    ),
]
