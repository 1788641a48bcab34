"""Account pages: sign up, the lockout page, password reset and change, the members page
and invitation links. Log in and log out are Django's own views (see ``urls.py``)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from icpportal.accounts.actions import (
    AccountResult,
    count_attempt,
    do_accept_invitation,
    do_change_role,
    do_invite,
    do_record_password_change,
    do_remove_member,
    do_revoke_invitation,
    do_sign_up,
    do_sign_up_invited,
    email_in_use,
    invitation_problem,
    password_reset_limit,
    sign_up_limit,
    too_many_attempts_message,
)
from icpportal.accounts.forms import InvitationForm, InvitedSignUpForm, RoleForm, SignUpForm
from icpportal.models import Invitation, Membership
from icpportal.tenancy import TenantQuerySet, TenantScopedMixin, switch_tenant

# Axes sits first in AUTHENTICATION_BACKENDS; a login made by the portal itself (after
# sign-up) names the backend that really holds the password.
MODEL_BACKEND = "icpportal.accounts.backends.PortalBackend"


def client_ip(request: HttpRequest) -> str:
    """The caller's address as the server sees it (nginx sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _log_in_to(request: HttpRequest, membership: Membership) -> None:
    login(request, membership.user, backend=MODEL_BACKEND)
    switch_tenant(request, membership.tenant_id)


def locked_out(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The page django-axes shows after too many failed log-ins (AXES_LOCKOUT_CALLABLE)."""
    # Every failure during a lockout restarts the cool-off, so it runs from now.
    cool_off = get_cool_off(request) or datetime.timedelta(hours=1)
    context = {
        "retry_at": timezone.localtime() + cool_off,
        "minutes": int(cool_off.total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=429)


class SignUpView(FormView):
    """A visitor creates a login and a customer account, and is logged in."""

    template_name = "accounts/sign_up.html"
    form_class = SignUpForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        wait = count_attempt("sign-up", client_ip(request), sign_up_limit())
        if wait is not None:
            context = self.get_context_data(form=self.form_class())
            context["throttled"] = too_many_attempts_message(wait)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        result = do_sign_up(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            tenant_name=data["tenant_name"],
            language=get_language(),
        )
        if not result.ok:
            form.add_error(None, result.message)
            return self.form_invalid(form)
        _log_in_to(self.request, result.value)
        messages.success(self.request, result.message)
        return redirect("home")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail; limited per network address against mail floods."""

    @property
    def extra_email_context(self) -> dict:
        # The e-mail is rendered without a request: the context processors do not run.
        return {"provider_name": settings.PROVIDER_NAME}

    def post(self, request, *args, **kwargs):
        wait = count_attempt("password-reset", client_ip(request), password_reset_limit())
        if wait is not None:
            context = self.get_context_data(form=self.form_class())
            context["throttled"] = too_many_attempts_message(wait)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link; the link then stops working."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            do_record_password_change(form.user, how="reset", language=get_language())
        return response

    def render_to_response(self, context, **response_kwargs):
        # A wrong, used or outdated link: the page explains, the status says "not found".
        if not self.validlink:
            response_kwargs.setdefault("status", 404)
        return super().render_to_response(context, **response_kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """A logged-in user changes their password (the old one is asked for)."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            do_record_password_change(form.user, how="change", language=get_language())
        messages.success(self.request, _("Your password was changed."))
        return response


class _MembershipScoped(TenantScopedMixin):
    """Memberships of the current customer only (Membership has a plain manager)."""

    model = Membership

    def get_base_queryset(self):
        return TenantQuerySet(Membership).for_tenant(getattr(self.request, "tenant", None))


def _report(request: HttpRequest, result: AccountResult) -> None:
    (messages.success if result.ok else messages.error)(request, result.message)


class MembersView(_MembershipScoped, ListView):
    """The logins of the current customer account with their roles.

    Owners also see open invitations and may invite, change roles and remove members;
    members see the list read-only (so they know whom to ask).
    """

    template_name = "accounts/members.html"
    paginate_by = 100

    def get_queryset(self):
        # "owner" sorts after "member": descending puts the owners first.
        return super().get_queryset().select_related("user").order_by("-role", "user__username")

    @property
    def is_owner(self) -> bool:
        membership = self.request.membership
        return membership is not None and membership.is_owner

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(context["object_list"])
        context.update(
            is_owner=self.is_owner,
            owner_count=sum(1 for m in memberships if m.is_owner),
            role_choices=Membership.Role.choices,
            invitations=(
                list(
                    Invitation.objects.for_tenant(self.request.tenant)
                    .open()
                    .select_related("invited_by")
                    .order_by("-created_at")
                )
                if self.is_owner
                else []
            ),
        )
        context.setdefault("invite_form", InvitationForm())
        return context

    def post(self, request, *args, **kwargs):
        """Invite someone (owners only)."""
        if not self.is_owner:
            raise PermissionDenied
        form = InvitationForm(request.POST)
        if form.is_valid():
            result = do_invite(
                request.tenant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                base_url=request.build_absolute_uri("/"),
                language=get_language(),
            )
            if result.ok:
                messages.success(request, result.message)
                return redirect("members")
            form.add_error("email", result.message)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class _OwnerAction(TenantScopedMixin, SingleObjectMixin, View):
    """A POST by an owner on one row of the current customer account; back to Members."""

    owner_only = True
    http_method_names = ["post"]

    def act(self, obj) -> AccountResult:
        raise NotImplementedError

    def post(self, request, pk: int):
        result = self.act(self.get_object())
        _report(request, result)
        if (
            result.ok
            and not Membership.objects.filter(user=request.user, tenant=request.tenant).exists()
        ):
            # The owner removed themselves: the members page is no longer theirs.
            return redirect("home")
        return redirect("members")


class ChangeRoleView(_MembershipScoped, _OwnerAction):
    """An owner makes a member an owner, or an owner a member."""

    def act(self, membership: Membership) -> AccountResult:
        form = RoleForm(self.request.POST)
        if not form.is_valid():
            return AccountResult(False, _("Choose a role: owner or member."))
        return do_change_role(membership, role=form.cleaned_data["role"], actor=self.request.user)


class RemoveMemberView(_MembershipScoped, _OwnerAction):
    """An owner takes a login out of the customer account."""

    def act(self, membership: Membership) -> AccountResult:
        return do_remove_member(membership, actor=self.request.user)


class RevokeInvitationView(_OwnerAction):
    """An owner withdraws an open invitation; its link stops working."""

    model = Invitation

    def act(self, invitation: Invitation) -> AccountResult:
        return do_revoke_invitation(invitation, actor=self.request.user)


class InvitationView(View):
    """The page an invitation e-mail links to.

    A logged-in user accepts with one click; a visitor creates a login for the invited
    address right here (or logs in first). A wrong link answers 404, a used, revoked or
    expired one 410, each with a message saying what to do.
    """

    template_name = "accounts/invitation.html"

    def _render(self, request, invitation, *, form=None, throttled: str = "", status: int = 200):
        problem = invitation_problem(invitation)
        if problem is not None:
            status = 404 if invitation is None else 410
        context = {
            "invitation": invitation,
            "problem": problem,
            "form": form,
            "throttled": throttled,
            "is_member": (
                request.user.is_authenticated
                and invitation is not None
                and Membership.objects.filter(user=request.user, tenant=invitation.tenant).exists()
            ),
            "address_has_account": invitation is not None and email_in_use(invitation.email),
            "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, token: str):
        invitation = Invitation.objects.by_token(token)
        form = None
        if invitation is not None and not request.user.is_authenticated:
            form = InvitedSignUpForm(invitation=invitation)
        return self._render(request, invitation, form=form)

    def post(self, request, token: str):
        invitation = Invitation.objects.by_token(token)
        if invitation is None:
            return self._render(request, None)
        if request.user.is_authenticated:
            result = do_accept_invitation(token, user=request.user, language=get_language())
            if not result.ok:
                messages.error(request, result.message)
                return redirect("invitation-accept", token=token)
            switch_tenant(request, result.value.tenant_id)
            messages.success(request, result.message)
            return redirect("home")
        wait = count_attempt("sign-up", client_ip(request), sign_up_limit())
        if wait is not None:
            return self._render(
                request,
                invitation,
                form=InvitedSignUpForm(invitation=invitation),
                throttled=too_many_attempts_message(wait),
                status=429,
            )
        form = InvitedSignUpForm(request.POST, invitation=invitation)
        if form.is_valid():
            result = do_sign_up_invited(
                token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                language=get_language(),
            )
            if result.ok:
                _log_in_to(request, result.value)
                messages.success(request, result.message)
                return redirect("home")
            form.add_error(None, result.message)
        return self._render(request, invitation, form=form, status=400)
