from django.urls import include, path

from inspections import views
from inspections.dashboard import StaffDashboardView

urlpatterns = [
    path("staff/dashboard/", StaffDashboardView.as_view(), name="staff-dashboard"),
    path("staff/campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("staff/campaigns/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("staff/campaigns/impact/", views.CampaignImpactView.as_view(), name="campaign-impact"),
    path("staff/campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path(
        "staff/campaigns/<int:pk>/progress/",
        views.CampaignProgressView.as_view(),
        name="campaign-progress",
    ),
    path(
        "staff/campaigns/<int:pk>/start/", views.CampaignStartView.as_view(), name="campaign-start"
    ),
    path(
        "staff/campaigns/<int:pk>/cancel/",
        views.CampaignCancelView.as_view(),
        name="campaign-cancel",
    ),
    path(
        "staff/campaigns/schedules/new/",
        views.ScheduleCreateView.as_view(),
        name="schedule-create",
    ),
    path(
        "staff/campaigns/<int:pk>/schedule/toggle/",
        views.ScheduleToggleView.as_view(),
        name="schedule-toggle",
    ),
    path(
        "staff/campaigns/<int:pk>/schedule/delete/",
        views.ScheduleDeleteView.as_view(),
        name="schedule-delete",
    ),
    path("", include("inspections.case_views.urls")),
    path("", include("inspections.bulk.urls")),
    path("", include("inspections.queue_views.urls")),
]
