"""The customer's steps on an application: submit, resubmit after a return, withdraw.

The page posts here; the action decides (the state machine and the self-check), and
whatever it refuses comes back as a message on the application's page, nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_fsm import can_proceed

from filings.applications.actions import do_resubmit, do_submit, do_withdraw
from filings.applications.forms import WithdrawForm
from filings.applications.transitions import not_allowed
from filings.models import Application
from icpportal.tenancy import TenantScopedMixin


class ApplicationStepView(TenantScopedMixin, View):
    """Base of a step posted from the application's page."""

    model = Application
    http_method_names = ["post"]

    def get_application(self) -> Application:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def answer(self, application: Application, result):
        if result.ok:
            messages.success(self.request, result.message)
        else:
            messages.error(self.request, result.message)
        return redirect("application-detail", pk=application.pk)


class ApplicationSubmitView(ApplicationStepView):
    """Submit a draft for provider review (refused while the self-check blocks)."""

    def post(self, request, pk):
        application = self.get_application()
        return self.answer(application, do_submit(application, actor=request.user))


class ApplicationResubmitView(ApplicationStepView):
    """Send a corrected, returned application back to provider review."""

    def post(self, request, pk):
        application = self.get_application()
        return self.answer(application, do_resubmit(application, actor=request.user))


class ApplicationWithdrawView(ApplicationStepView):
    """Asks for confirmation (GET), then withdraws (POST)."""

    http_method_names = ["get", "post"]
    template_name = "filings/applications/withdraw.html"

    def get(self, request, pk):
        application = self.get_application()
        if not can_proceed(application.withdraw):
            return self.answer(application, not_allowed(application, _("withdrawn")))
        return render(
            request,
            self.template_name,
            {"application": application, "form": WithdrawForm()},
        )

    def post(self, request, pk):
        application = self.get_application()
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                self.template_name,
                {"application": application, "form": form},
                status=400,
            )
        result = do_withdraw(application, actor=request.user, reason=form.cleaned_data["reason"])
        return self.answer(application, result)
