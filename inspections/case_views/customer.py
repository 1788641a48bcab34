"""The customer's case pages: their cases, one case with what to do, messages, re-inspection."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, Count, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from icpportal.calendar import working_days_between
from icpportal.tenancy import TenantScopedMixin
from inspections.case_views.forms import MessageForm
from inspections.case_views.guidance import finding_guidance
from inspections.enforcement import periods
from inspections.enforcement.actions import (
    CaseActionError,
    do_post_message,
    do_request_reinspection,
)
from inspections.models import CaseState, FindingStatus, RectificationCase
from inspections.models.cases import OPEN_STATES

S = CaseState
# States in which the customer may ask for a re-inspection.
REINSPECTABLE_STATES = (S.OPEN, S.NOTIFIED, S.REMEDIATION_SUBMITTED, S.OVERDUE, S.ACCESS_BLOCKED)


class CustomerCaseMixin(TenantScopedMixin):
    model = RectificationCase

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("website", "entity")


class CaseListView(CustomerCaseMixin, ListView):
    """The customer's rectification cases: open ones first, by deadline."""

    template_name = "inspections/cases/customer_list.html"
    paginate_by = 25

    def get_queryset(self):
        closed_last = Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1))
        return (
            self.get_base_queryset()
            .annotate(failing=Count("findings", filter=Q(findings__status=FindingStatus.OPEN)))
            .order_by(closed_last, "deadline", "id")
        )


def countdown(case: RectificationCase) -> dict:
    """What the case page says about time: days left and what happens at the deadline."""
    now = timezone.now()
    today = timezone.localdate()
    due_day = timezone.localtime(case.deadline).date()
    return {
        "deadline": case.deadline,
        "passed": case.deadline <= now,
        "working_days_left": working_days_between(today, due_day) if case.is_open else None,
        "calendar_days_left": (due_day - today).days,
        "cancel_at": periods.cancel_at(case),
        "paused": case.clock_paused_at is not None,
    }


class CaseDetailView(CustomerCaseMixin, DetailView):
    """One case: each failing rule in plain words, what to do, the countdown, the thread."""

    template_name = "inspections/cases/customer_detail.html"
    context_object_name = "case"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        context.update(
            findings=finding_guidance(case),
            countdown=countdown(case),
            thread=case.messages.filter(internal=False).select_related("author"),
            message_form=kwargs.get("message_form") or MessageForm(),
            reinspection=case.last_reinspection,
            may_reinspect=case.state in REINSPECTABLE_STATES,
        )
        return context


class CaseMessageView(CustomerCaseMixin, View):
    """The customer writes to staff in the case's thread."""

    def post(self, request, pk):
        case = get_object_or_404(self.get_queryset(), pk=pk)
        form = MessageForm(request.POST)
        if not form.is_valid():
            view = CaseDetailView(request=request, kwargs={"pk": pk}, object=case)
            context = view.get_context_data(object=case, message_form=form)
            return view.render_to_response(context, status=400)
        try:
            do_post_message(case, author=request.user, body=form.cleaned_data["body"])
        except CaseActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your message was sent to compliance staff."))
        return redirect("case-detail", pk=case.pk)


class CaseReinspectView(CustomerCaseMixin, View):
    """The customer asks for a re-inspection: the case's rules run on the website now."""

    def post(self, request, pk):
        case = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            do_request_reinspection(case, actor=request.user)
        except CaseActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The re-inspection has started. This page shows its result when it is done."),
            )
        return redirect("case-detail", pk=case.pk)
