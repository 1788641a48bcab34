"""Customer pages of filing applications (URL names in ``filings.applications.urls``)."""

from filings.applications.views.miit import MiitCodeView
from filings.applications.views.pages import ApplicationDetailView, ApplicationListView
from filings.applications.views.steps import (
    ApplicationResubmitView,
    ApplicationSubmitView,
    ApplicationWithdrawView,
)

__all__ = [
    "ApplicationDetailView",
    "ApplicationListView",
    "ApplicationResubmitView",
    "ApplicationSubmitView",
    "ApplicationWithdrawView",
    "MiitCodeView",
]
