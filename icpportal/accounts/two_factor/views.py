"""The two-factor pages of staff logins: set up the authenticator app, confirm a login
with a code, make new recovery codes."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login

from icpportal.accounts.two_factor.actions import (
    SecondFactorResult,
    authenticator_of,
    authenticator_secret,
    do_confirm_authenticator,
    do_regenerate_recovery_codes,
    do_verify_second_factor,
    pending_authenticator,
    recovery_codes_left,
)
from icpportal.accounts.two_factor.enforcement import verify_url, with_next
from icpportal.accounts.two_factor.forms import AuthenticatorCodeForm, SecondFactorForm
from icpportal.redirects import next_url
from icpportal.tenancy import needs_second_factor, second_factor_verified


def safe_next(request: HttpRequest) -> str:
    """The page to go on to (``next``), when it is on this site; else the home page."""
    return next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def qr_code_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG (drawn here, nothing leaves the server)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        border=2,
        dark="#000",
        light="#fff",
        svgclass="portal-qr-code",
        title=_("QR code for your authenticator app"),
    )
    return mark_safe(svg)  # noqa: S308  (segno draws paths only; it escapes the title)


def _no_store(response: HttpResponse) -> HttpResponse:
    # Pages showing a secret or recovery codes must not be kept by any cache.
    response["Cache-Control"] = "no-store"
    return response


def _status_of(result: SecondFactorResult) -> int:
    return 429 if result.code == "throttled" else 400


class LoginView(auth_views.LoginView):
    """Django's log-in page; staff and superusers go on to their second factor."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        user = self.request.user
        if needs_second_factor(user) and not second_factor_verified(user):
            return verify_url(url)
        return url


class TwoFactorPage(LoginRequiredMixin, View):
    """Base of the two-factor pages: staff and superusers only."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not needs_second_factor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def log_in_with(self, result: SecondFactorResult) -> None:
        """Mark this session as verified by ``result.device``, under a new session key."""
        self.request.session.cycle_key()
        otp_login(self.request, result.device)


class SetupView(TwoFactorPage):
    """A staff login without an authenticator app scans a QR code, confirms with a code,
    and is shown ten recovery codes once."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and authenticator_of(request.user) is not None:
            if second_factor_verified(request.user):
                return redirect("two-factor-recovery-codes")
            return redirect(verify_url(request.GET.get("next", "")))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(AuthenticatorCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AuthenticatorCodeForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        device_id = request.POST.get("device", "")
        result = do_confirm_authenticator(
            request.user, int(device_id) if device_id.isdigit() else 0, form.cleaned_data["code"]
        )
        if not result:
            form.add_error("code", result.message)
            return self.page(form, status=_status_of(result))
        self.log_in_with(result)
        context = {"codes": result.recovery_codes, "next": safe_next(request), "first": True}
        return _no_store(render(request, "accounts/recovery_codes.html", context))

    def page(self, form: AuthenticatorCodeForm, status: int = 200) -> HttpResponse:
        device = pending_authenticator(self.request.user)
        context = {
            "form": form,
            "device": device,
            "qr_code": qr_code_svg(device.config_url),
            "secret": authenticator_secret(device),
            "otpauth_uri": device.config_url,
            "next": self.request.GET.get("next") or self.request.POST.get("next", ""),
        }
        return _no_store(render(self.request, self.template_name, context, status=status))


class VerifyView(TwoFactorPage):
    """After the password, a staff login enters a code from the app or a recovery code."""

    template_name = "accounts/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and needs_second_factor(request.user):
            if second_factor_verified(request.user):
                return redirect(safe_next(request))
            if authenticator_of(request.user) is None:
                return redirect(with_next(reverse("two-factor-setup"), request.GET.get("next", "")))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(SecondFactorForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        result = do_verify_second_factor(request.user, form.cleaned_data["code"])
        if not result:
            form.add_error("code", result.message)
            return self.page(form, status=_status_of(result))
        self.log_in_with(result)
        if result.message:
            messages.warning(request, result.message)
        return redirect(safe_next(request))

    def page(self, form: SecondFactorForm, status: int = 200) -> HttpResponse:
        next_url = self.request.GET.get("next") or self.request.POST.get("next", "")
        context = {"form": form, "next": next_url}
        return render(self.request, self.template_name, context, status=status)


class RecoveryCodesView(TwoFactorPage):
    """How many recovery codes are left; new ones replace them all (on a verified login)."""

    template_name = "accounts/recovery_codes.html"

    def dispatch(self, request, *args, **kwargs):
        # The second-factor middleware lets this page through (OPEN_BEFORE_SECOND_FACTOR):
        # this check is what keeps a password-only login from making new codes.
        if (
            request.user.is_authenticated
            and needs_second_factor(request.user)
            and not second_factor_verified(request.user)
        ):
            return redirect(verify_url(request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"left": recovery_codes_left(request.user)}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        result = do_regenerate_recovery_codes(request.user)
        if not result:
            messages.error(request, result.message)
            return redirect("two-factor-setup")
        context = {"codes": result.recovery_codes, "next": resolve_url("home")}
        return _no_store(render(request, self.template_name, context))
