"""The page where a head enters the code the MIIT sent by SMS (工信部短信核验).

One page per head of the current round. The code goes straight to the action; it is
never shown back, logged or kept (``sensitive_post_parameters`` keeps it out of
error reports too).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from filings.applications import sms_step
from filings.applications.actions import do_record_miit_code
from filings.applications.forms import MiitCodeForm
from filings.choices import ApplicationStatus
from filings.models import Application, MiitVerification
from icpportal.tenancy import TenantScopedMixin

# Answers after which the page has nothing left to ask: back to the application.
_FINISHED = frozenset({"verified", "bureau_review", "max_attempts", "expired", "not_allowed"})


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
class MiitCodeView(TenantScopedMixin, View):
    """One head's code: masked mobile, expiry and tries left; a wrong code asks again."""

    model = Application
    template_name = "filings/applications/miit_code.html"

    def get_objects(self) -> tuple[Application, MiitVerification]:
        application = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        verification = get_object_or_404(
            MiitVerification.objects.for_tenant(self.request.tenant),
            application=application,
            pk=self.kwargs["verification_pk"],
        )
        return application, verification

    def render_page(self, application, verification, error: str = "", status: int = 200):
        waiting = (
            application.status == ApplicationStatus.SMS_VERIFICATION
            and verification.status == MiitVerification.Status.PENDING
        )
        context = {
            "application": application,
            "verification": verification,
            "form": MiitCodeForm(),  # never bound: the typed code is not shown back
            "error": error,
            "waiting": waiting,
            "tries_left": max(sms_step.MAX_WRONG_CODES - verification.attempts, 0),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk, verification_pk):
        application, verification = self.get_objects()
        return self.render_page(application, verification)

    def post(self, request, pk, verification_pk):
        application, verification = self.get_objects()
        form = MiitCodeForm(request.POST)
        if not form.is_valid():
            error = " ".join(form.errors["code"])
            return self.render_page(application, verification, error, status=400)
        result = do_record_miit_code(
            application, verification.role, form.cleaned_data["code"], actor=request.user
        )
        if result.code in _FINISHED or result.ok:
            (messages.success if result.ok else messages.error)(request, result.message)
            return redirect("application-detail", pk=application.pk)
        # A wrong code (or one the action could not take): ask again, code not echoed.
        verification.refresh_from_db()
        application.refresh_from_db()
        return self.render_page(application, verification, result.message, status=400)
