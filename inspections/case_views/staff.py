"""Staff pages of rectification cases: the queue and one case with the allowed steps.

Reviewers extend, comment and close; leads also waive findings, lift blocks, approve
cancels, approve a campaign's blocks and switch the enforcement pause.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django_fsm import can_proceed

from icpportal import audit
from icpportal.models import LEAD_ROLES
from icpportal.redirects import next_url
from icpportal.tenancy import StaffRequiredMixin, staff_role
from inspections.case_views.customer import countdown
from inspections.case_views.evidence import materials_for, staff_evidence
from inspections.case_views.forms import (
    ExtendForm,
    LiftBlockForm,
    PauseForm,
    ReasonForm,
    StaffMessageForm,
    WaiveForm,
)
from inspections.case_views.guidance import rule_texts
from inspections.enforcement import actions
from inspections.enforcement.actions import CaseActionError
from inspections.models import (
    Campaign,
    CaseState,
    EnforcementControl,
    HoldReason,
    RectificationCase,
)
from inspections.queue_views import export
from inspections.queue_views.cases import case_queue_context
from inspections.queues.filtersets import CaseQueueFilter, case_queue

S = CaseState


def is_lead(user) -> bool:
    return staff_role(user) in LEAD_ROLES


class StaffCaseListView(StaffRequiredMixin, View):
    """The case queue: filters, search, sort, SLA clocks, assignment and the workload
    per reviewer; the enforcement switch and campaigns waiting for a lead. ``?format=csv``
    exports the filtered queue."""

    template_name = "inspections/cases/staff_list.html"

    def get(self, request):
        if request.GET.get("format") == "csv":
            filterset = CaseQueueFilter(
                request.GET, queryset=case_queue(request.user), request=request
            )
            return export.csv_response(request, export.CASES, filterset.qs)
        context = case_queue_context(request)
        waiting = (
            RectificationCase.objects.filter(hold_reason=HoldReason.CAMPAIGN_APPROVAL)
            .order_by()
            .values("campaign_id", "campaign__name")
            .annotate(n=Count("id"))
        )
        context.update(
            control=EnforcementControl.current(),
            is_lead=is_lead(request.user),
            pause_form=PauseForm(),
            campaigns_waiting=list(waiting),
        )
        return render(request, self.template_name, context)


FINAL = (S.ACCESS_CANCELLED, S.TRANSFER_CANCELLED, S.RESOLVED, S.CLOSED_DEREGISTERED)


class StaffCaseDetailView(StaffRequiredMixin, DetailView):
    """One case with its findings, thread, internal comments, timeline and the steps."""

    template_name = "inspections/cases/staff_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return RectificationCase.objects.for_staff(self.request.user).select_related(
            "website",
            "tenant",
            "entity",
            "campaign",
            "assignee",
            "last_reinspection",
            "cancel_requested_by",
            "cancel_approved_by",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        findings, material_ids = [], set()
        for finding in case.findings.select_related("waived_by", "result").order_by(
            "status", "rule_code"
        ):
            title, _fix = rule_texts(finding.rule_code)
            laid_out = staff_evidence(finding.evidence)
            material_ids.update(laid_out.material_ids)
            findings.append({"finding": finding, "title": title, "evidence": laid_out})
        documents = materials_for(user, case.tenant_id, material_ids)
        for item in findings:
            ids = item["evidence"].material_ids
            item["materials"] = [documents[pk] for pk in ids if pk in documents]
        messages_ = list(case.messages.select_related("author"))
        context.update(
            findings=findings,
            countdown=countdown(case),
            thread=[m for m in messages_ if not m.internal],
            internal_comments=[m for m in messages_ if m.internal],
            # The case's audit rows and its findings' (waivers), oldest first.
            timeline=list(audit.timeline(case, *(item["finding"] for item in findings))),
            is_lead=is_lead(user),
            steps=allowed_steps(case, user),
            extend_form=kwargs.get("extend_form") or ExtendForm(),
            lift_form=kwargs.get("lift_form") or LiftBlockForm(),
            reason_form=ReasonForm(),
            message_form=kwargs.get("message_form") or StaffMessageForm(),
        )
        return context


def allowed_steps(case: RectificationCase, user) -> dict[str, bool]:
    """The steps the case's state (and the user's role) allow now: the page shows only these."""
    lead = is_lead(user)
    blocked = lead and case.is_blocked and case.cancel_approved_at is None
    proposed_by = case.cancel_requested_by_id
    four_eyes = settings.ENFORCEMENT_FOUR_EYES
    return {
        "extend": can_proceed(case.extend_running) or can_proceed(case.extend_after_deadline),
        "lift": lead and can_proceed(case.lift_block),
        "waive": lead and case.is_open,
        "close": can_proceed(case.close_deregistered),
        "propose_cancel": blocked and four_eyes and proposed_by is None,
        "approve_cancel": blocked
        and (not four_eyes or (proposed_by is not None and proposed_by != user.pk)),
        "awaiting_second_lead": blocked and four_eyes and proposed_by == user.pk,
    }


class _CaseStep(StaffRequiredMixin, View):
    """A POST that runs one action on a case, then back to the case page."""

    form_class = ReasonForm
    lead_only = False
    form_context = ""

    def post(self, request, pk):
        if self.lead_only and not is_lead(request.user):
            raise PermissionDenied
        case = get_object_or_404(RectificationCase.objects.for_staff(request.user), pk=pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.run(case, form.cleaned_data)
            except CaseActionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, self.done_message())
                return redirect("staff-case-detail", pk=case.pk)
        else:
            messages.error(request, _("Please correct the errors below."))
        view = StaffCaseDetailView(request=request, kwargs={"pk": pk}, object=case)
        extra = {self.form_context: form} if self.form_context else {}
        return view.render_to_response(view.get_context_data(object=case, **extra), status=400)

    def run(self, case, data) -> None:
        raise NotImplementedError

    def done_message(self) -> str:
        return _("Done.")


class ExtendCaseView(_CaseStep):
    form_class = ExtendForm
    form_context = "extend_form"

    def run(self, case, data):
        actions.do_extend_case(
            case, actor=self.request.user, days=data["days"], reason=data["reason"]
        )

    def done_message(self):
        return _("The deadline was extended and the customer told.")


class LiftBlockView(_CaseStep):
    form_class = LiftBlockForm
    form_context = "lift_form"
    lead_only = True

    def run(self, case, data):
        actions.do_lift_block(
            case, actor=self.request.user, reason=data["reason"], days=data["days"]
        )

    def done_message(self):
        return _("The block was lifted; access is allowed again.")


class WaiveFindingView(_CaseStep):
    form_class = WaiveForm
    lead_only = True

    def run(self, case, data):
        finding = get_object_or_404(case.findings, pk=data["finding"])
        actions.do_waive_finding(finding, actor=self.request.user, reason=data["reason"])

    def done_message(self):
        return _("The finding was waived.")


class ApproveCancelView(_CaseStep):
    lead_only = True

    def run(self, case, data):
        actions.do_approve_cancel(case, actor=self.request.user, reason=data["reason"])

    def done_message(self):
        return _("Recorded. Cancelling access needs two different leads when four-eyes is on.")


class CloseDeregisteredView(_CaseStep):
    def run(self, case, data):
        actions.do_close_deregistered(case, actor=self.request.user, reason=data["reason"])

    def done_message(self):
        return _("The case was closed.")


class StaffMessageView(_CaseStep):
    form_class = StaffMessageForm
    form_context = "message_form"

    def run(self, case, data):
        actions.do_post_message(
            case, author=self.request.user, body=data["body"], internal=data["internal"]
        )

    def done_message(self):
        return _("The message was saved.")


class EnforcementPauseView(StaffRequiredMixin, View):
    """A lead pauses or resumes every block and cancel, with a reason."""

    allowed_roles = LEAD_ROLES

    def post(self, request):
        form = PauseForm(request.POST)
        if form.is_valid():
            actions.do_set_enforcement_pause(
                actor=request.user,
                paused=form.cleaned_data["paused"],
                reason=form.cleaned_data["reason"],
            )
            if form.cleaned_data["paused"]:
                messages.warning(
                    request, _("Enforcement is paused: nothing is blocked or cancelled.")
                )
            else:
                messages.success(request, _("Enforcement runs again."))
        else:
            messages.error(request, _("Give a reason to pause or resume enforcement."))
        # Back to the page the switch was on (the queue, or a campaign's page).
        return redirect(next_url(request, reverse("staff-case-list")))


class ApproveCampaignBlocksView(StaffRequiredMixin, View):
    """A lead lets one campaign block more websites than the threshold."""

    allowed_roles = LEAD_ROLES

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
            return redirect("staff-case-list")
        try:
            actions.do_approve_campaign_blocks(
                campaign, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except CaseActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The campaign's blocks are approved."))
        return redirect("staff-case-list")
