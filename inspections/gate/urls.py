from django.urls import path

from inspections.gate import views

app_name = "gate"

urlpatterns = [
    # Normally answered by GateCheckMiddleware; routed too so it works without it.
    path("check", views.check, name="check"),
    path("blocked/", views.blocked_page, name="blocked"),
    path("unfiled/", views.unfiled_page, name="unfiled"),
]
