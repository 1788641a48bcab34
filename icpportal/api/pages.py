"""The "API tokens" page under the account menu: create, list and revoke one's tokens.

A new token is shown once, on the page that answers its creation; it is never kept.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from icpportal.api.tokens import (
    NAME_MAX_LENGTH,
    do_create_api_token,
    do_revoke_api_token,
    max_lifetime,
)
from icpportal.models import ApiToken
from icpportal.tenancy import is_staff_member

LIFETIME_CHOICES = (7, 30, 90, 180, 365)


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("What uses the token, e.g. “deploy script”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiToken.Scope.choices,
        initial=[ApiToken.Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Read: look at filings. Write: create and change applications and documents."),
    )
    lifetime_days = forms.TypedChoiceField(label=_("Expires after"), coerce=int, initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = max_lifetime().days
        days = [d for d in LIFETIME_CHOICES if d <= longest] or [longest]
        self.fields["lifetime_days"].choices = [(d, _("%(days)d days") % {"days": d}) for d in days]

    def expires_at(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(days=self.cleaned_data["lifetime_days"])


class ApiTokensView(LoginRequiredMixin, View):
    template_name = "accounts/api_tokens.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(NewTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewTokenForm(request.POST)
        secret = ""
        if form.is_valid():
            result = do_create_api_token(
                request.user,
                tenant=request.tenant,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
            if result.ok:
                secret = result.secret
                form = NewTokenForm()
            else:
                for name, errors in result.field_errors.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                if not result.field_errors:
                    form.add_error(None, result.message)
        response = self.page(form, secret=secret)
        # The page carrying a new token must not be kept by any cache.
        response["Cache-Control"] = "no-store"
        return response

    def page(self, form: NewTokenForm, secret: str = "") -> HttpResponse:
        user = self.request.user
        context = {
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=user)
            .select_related("tenant")
            .order_by("-created_at", "-id"),
            # Staff reach this page only with a verified second factor (the
            # two-factor middleware), which staff tokens require.
            "can_create": self.request.tenant is not None or is_staff_member(user),
            "now": timezone.now(),
        }
        return render(self.request, self.template_name, context)


class RevokeApiTokenView(LoginRequiredMixin, View):
    """Revoke one of the user's tokens (its id comes in the form; another user's token
    answers 404)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        token_id = request.POST.get("token", "")
        if not token_id.isdigit():
            raise Http404
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=int(token_id))
        result = do_revoke_api_token(token, actor=request.user)
        messages.success(request, result.message)
        return HttpResponseRedirect(reverse("api-tokens"))
