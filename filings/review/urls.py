"""Provider review: staff check what customers submit before it goes to the bureau."""

from django.urls import path

from filings.review import views

urlpatterns = [
    path("staff/review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("staff/review/<int:pk>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("staff/review/<int:pk>/pass/", views.ReviewPassView.as_view(), name="review-pass"),
    path("staff/review/<int:pk>/return/", views.ReviewReturnView.as_view(), name="review-return"),
]
