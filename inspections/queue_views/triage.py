"""The staff triage queue: answers the rules could not give, and the decisions on them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from icpportal.redirects import next_url
from icpportal.tenancy import StaffRequiredMixin
from inspections.case_views.guidance import rule_texts
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.triage import do_decide
from inspections.models import RuleResult, TriageOutcome
from inspections.queue_views import export
from inspections.queues.base import active_filters
from inspections.queues.paging import queue_page
from inspections.queues.triage import TriageFilter, triage_queue


class TriageDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=TriageOutcome.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == TriageOutcome.ACCEPT_PASS and not data.get("reason", "").strip():
            self.add_error("reason", _("Give a reason for accepting this result as a pass."))
        return data


DONE_MESSAGES = {
    TriageOutcome.ACCEPT_PASS: gettext_lazy("Accepted as a pass."),
    TriageOutcome.CONFIRM_FAILURE: gettext_lazy(
        "Confirmed as a failure: the website's rectification case has the finding."
    ),
    TriageOutcome.RECHECK: gettext_lazy("The rule runs again on the website now."),
}


class TriageQueueView(StaffRequiredMixin, View):
    """Cannot_tell results nobody decided about yet, newest first. ``?format=csv`` exports."""

    template_name = "inspections/queues/triage.html"

    def get(self, request):
        base = triage_queue(request.user)
        filterset = TriageFilter(request.GET, queryset=base, request=request)
        if request.GET.get("format") == "csv":
            return export.csv_response(request, export.TRIAGE, filterset.qs)
        page = queue_page(filterset.qs, base, request.GET.get("page"))
        rows = [(result, rule_texts(result.rule_code)[0]) for result in page.rows]
        context = {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "filtered": bool(active_filters(request)),
            "outcomes": TriageOutcome.choices,
        }
        return render(request, self.template_name, context)


class TriageDecideView(StaffRequiredMixin, View):
    """A staff decision on one result, then back to the queue (its filters kept)."""

    def post(self, request, pk):
        result = get_object_or_404(RuleResult.objects.for_staff(request.user), pk=pk)
        form = TriageDecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return self.back()
        outcome = form.cleaned_data["outcome"]
        try:
            do_decide(result, outcome, actor=request.user, reason=form.cleaned_data["reason"])
        except CaseActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, str(DONE_MESSAGES[outcome]))
        return self.back()

    def back(self):
        return redirect(next_url(self.request, reverse("staff-triage")))
