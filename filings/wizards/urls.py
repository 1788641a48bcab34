from django.urls import path

from filings.wizards import views

urlpatterns = [
    path("applications/new/", views.NewApplicationView.as_view(), name="application-new"),
    path(
        "applications/<int:pk>/wizard/",
        views.ApplicationWizardView.as_view(),
        name="application-wizard",
    ),
    path(
        "applications/<int:pk>/wizard/<slug:step>/",
        views.ApplicationWizardStepView.as_view(),
        name="application-wizard-step",
    ),
]
