from django.urls import path

from filings.materials import staff_views, views

urlpatterns = [
    path(
        "applications/<int:pk>/materials/",
        views.ApplicationMaterialsView.as_view(),
        name="application-materials",
    ),
    path(
        "entities/<int:pk>/materials/",
        views.EntityMaterialsView.as_view(),
        name="entity-materials",
    ),
    path(
        "persons/<int:pk>/materials/",
        views.PersonMaterialsView.as_view(),
        name="person-materials",
    ),
    path(
        "websites/<int:pk>/materials/",
        views.WebsiteMaterialsView.as_view(),
        name="website-materials",
    ),
    path(
        "materials/<int:pk>/download/",
        views.MaterialDownloadView.as_view(),
        name="material-download",
    ),
    path(
        "materials/<int:pk>/replace/",
        views.MaterialReplaceView.as_view(),
        name="material-replace",
    ),
    path(
        "materials/<int:pk>/delete/",
        views.MaterialDeleteView.as_view(),
        name="material-delete",
    ),
    path(
        "staff/materials/<int:pk>/",
        staff_views.StaffMaterialView.as_view(),
        name="staff-material",
    ),
    path(
        "staff/materials/<int:pk>/image/",
        staff_views.StaffMaterialImageView.as_view(),
        name="staff-material-image",
    ),
    path(
        "staff/materials/<int:pk>/pdf/",
        staff_views.StaffMaterialPdfView.as_view(),
        name="staff-material-pdf",
    ),
]
