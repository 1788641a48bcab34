from django.urls import include, path

from filings import views

urlpatterns = [
    path("entities/", views.EntityListView.as_view(), name="entity-list"),
    path("entities/<int:pk>/", views.EntityDetailView.as_view(), name="entity-detail"),
    path("persons/", views.PersonListView.as_view(), name="person-list"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path(
        "persons/<int:pk>/id-number/", views.PersonIdNumberView.as_view(), name="person-id-number"
    ),
    path("websites/", views.WebsiteListView.as_view(), name="website-list"),
    path("websites/<int:pk>/", views.WebsiteDetailView.as_view(), name="website-detail"),
    path("", include("filings.materials.urls")),
    path("", include("filings.applications.urls")),
    path("", include("filings.wizards.urls")),
    path("", include("filings.review.urls")),
]
