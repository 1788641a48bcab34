"""Keeping a staff login that has not passed its second factor away from the portal.

Compliance staff and superusers whose session is not verified by django-otp reach
only the two-factor pages, log-in and log-out: a page answers with a redirect to the
verify page (which sends them on to the set-up when they have no authenticator
yet), the API with 403 and the code ``second_factor_required``. Customers are not
concerned. ``StaffRequiredMixin`` and the API's ``StaffSecondFactor`` permission
check the same again behind this middleware.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from icpportal.tenancy import needs_second_factor, second_factor_verified

SECOND_FACTOR_REQUIRED = "second_factor_required"

# What an unverified staff login may still open (view names, namespaced).
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "two-factor-setup",
        "two-factor-verify",
        "two-factor-recovery-codes",
        "set_language",
        "healthz",
    }
)


def with_next(url: str, next_url: str = "") -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def verify_url(next_url: str = "") -> str:
    """The verify page, sending the user on to ``next_url`` once the code matches."""
    return with_next(reverse("two-factor-verify"), next_url)


def second_factor_refusal() -> dict[str, str]:
    return {
        "code": SECOND_FACTOR_REQUIRED,
        "detail": _("Confirm your login with your second factor (authenticator app) first."),
    }


def to_second_factor(request: HttpRequest) -> HttpResponse:
    """Where an unverified staff login goes instead of the page it asked for."""
    next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
    target = verify_url(next_url)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SecondFactorMiddleware:
    """Refuses everything but the two-factor pages to an unverified staff login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or second_factor_verified(user) or not needs_second_factor(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if is_api_request(request):
            # A request with an Authorization header is the API token's (the session
            # is not used then); the API's own permission checks the rest.
            if request.META.get("HTTP_AUTHORIZATION"):
                return None
            return JsonResponse(second_factor_refusal(), status=403)
        return to_second_factor(request)
