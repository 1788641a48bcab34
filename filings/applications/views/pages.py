"""The customer's list of applications and the page of one application."""

from __future__ import annotations

from django.views.generic import DetailView, ListView
from django_fsm import can_proceed

from filings.applications.actions import self_check
from filings.applications.forms import ApplicationFilterForm, WithdrawForm
from filings.applications.timeline import application_timeline, next_steps
from filings.applications.views.proposal import build_proposal
from filings.choices import ApplicationStatus
from filings.materials.checklist import checklist
from filings.models import Application, MiitVerification
from icpportal.tenancy import TenantScopedMixin

Status = ApplicationStatus
# What the list and the dashboard read of each row's entity and website.
ROW_RELATIONS = ("entity__province", "website__entity__province")


def with_next_steps(applications) -> list[Application]:
    """The applications, each with ``next_step`` set (a fixed number of queries)."""
    applications = list(applications)
    steps = next_steps(applications)
    for application in applications:
        application.next_step = steps[application.pk]
    return applications


class ApplicationListView(TenantScopedMixin, ListView):
    """The customer's applications, newest first, filtered by status and kind."""

    model = Application
    paginate_by = 25
    template_name = "filings/applications/application_list.html"

    def get_queryset(self):
        self.filter_form = ApplicationFilterForm(self.request.GET or None)
        queryset = super().get_queryset().select_related(*ROW_RELATIONS)
        return self.filter_form.filter(queryset).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["object_list"] = with_next_steps(context["object_list"])
        context["filtered"] = self.filter_form.is_bound and self.filter_form.is_valid()
        return context


class ApplicationDetailView(TenantScopedMixin, DetailView):
    """One application: status, proposed data with the self-check, materials, the steps
    its status allows, return reasons and the timeline."""

    model = Application
    template_name = "filings/applications/application_detail.html"
    context_object_name = "application"

    def get_queryset(self):
        return super().get_queryset().select_related(*ROW_RELATIONS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        outcomes, blocking = self_check(application) if application.is_editable else ([], {})
        proposal = build_proposal(application, outcomes, blocking)
        context.update(
            proposal=proposal,
            checklist=checklist(application),
            timeline=application_timeline(application),
            can_edit=application.is_editable,
            can_submit=can_proceed(application.submit),
            can_resubmit=can_proceed(application.resubmit),
            can_withdraw=can_proceed(application.withdraw),
            withdraw_form=WithdrawForm(),
            verifications=self._verifications(application),
        )
        return context

    def _verifications(self, application: Application) -> list[MiitVerification]:
        """The heads' MIIT codes of the current round (the newest row per head)."""
        if application.status != Status.SMS_VERIFICATION:
            return []
        latest: dict[str, MiitVerification] = {}
        for row in MiitVerification.objects.filter(application=application).order_by("id"):
            latest[row.role] = row
        return [latest[role] for role in application.required_heads if role in latest]
