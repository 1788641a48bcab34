from django.urls import path

from inspections.queue_views import assignment, customers, findings, triage

urlpatterns = [
    path("staff/triage/", triage.TriageQueueView.as_view(), name="staff-triage"),
    path(
        "staff/triage/<int:pk>/decide/",
        triage.TriageDecideView.as_view(),
        name="staff-triage-decide",
    ),
    path(
        "staff/customers/options/",
        customers.CustomerOptionsView.as_view(),
        name="staff-customer-options",
    ),
    path("staff/findings/", findings.FindingsQueueView.as_view(), name="staff-findings"),
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
