from django.urls import path

from inspections.case_views import customer, staff

urlpatterns = [
    path("cases/", customer.CaseListView.as_view(), name="case-list"),
    path("cases/<int:pk>/", customer.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:pk>/messages/", customer.CaseMessageView.as_view(), name="case-message"),
    path("cases/<int:pk>/reinspect/", customer.CaseReinspectView.as_view(), name="case-reinspect"),
    path("staff/cases/", staff.StaffCaseListView.as_view(), name="staff-case-list"),
    path("staff/cases/<int:pk>/", staff.StaffCaseDetailView.as_view(), name="staff-case-detail"),
    path("staff/cases/<int:pk>/extend/", staff.ExtendCaseView.as_view(), name="staff-case-extend"),
    path("staff/cases/<int:pk>/lift/", staff.LiftBlockView.as_view(), name="staff-case-lift"),
    path("staff/cases/<int:pk>/waive/", staff.WaiveFindingView.as_view(), name="staff-case-waive"),
    path(
        "staff/cases/<int:pk>/approve-cancel/",
        staff.ApproveCancelView.as_view(),
        name="staff-case-approve-cancel",
    ),
    path(
        "staff/cases/<int:pk>/close/",
        staff.CloseDeregisteredView.as_view(),
        name="staff-case-close",
    ),
    path(
        "staff/cases/<int:pk>/messages/",
        staff.StaffMessageView.as_view(),
        name="staff-case-message",
    ),
    path(
        "staff/enforcement/pause/",
        staff.EnforcementPauseView.as_view(),
        name="staff-enforcement-pause",
    ),
    path(
        "staff/campaigns/<int:pk>/approve-blocks/",
        staff.ApproveCampaignBlocksView.as_view(),
        name="staff-campaign-approve-blocks",
    ),
]
