"""The bulk step form: the queue page's bar and the API validate with it alike."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from icpportal.api.viewsets import MAX_ID
from icpportal.models import LEAD_ROLES, BulkJob
from icpportal.tenancy import staff_role
from inspections.bulk.jobs import MAX_CASES, queue_filter
from inspections.enforcement.actions import MAX_EXTENSION_DAYS
from inspections.enforcement.assignment import active_staff
from inspections.rules import all_rules

K = BulkJob.Kind


class Selection(models.TextChoices):
    SELECTED = "selected", _("The selected cases")
    FILTER = "filter", _("All matching the filter")


class CaseIdsField(forms.Field):
    """The ticked rows' case ids (the checkboxes named ``case``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                raise forms.ValidationError(
                    _("“%(value)s” is not a case number."), params={"value": text[:20]}
                )
            ids.append(int(text))
        return sorted(set(ids))


class BulkJobForm(forms.Form):
    """Which step, its inputs, and which cases: the ticked ones or the whole filter."""

    SELECTED, FILTER = Selection.SELECTED, Selection.FILTER

    kind = forms.ChoiceField(label=_("Step"), choices=K.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    days = forms.IntegerField(
        label=_("Days"), min_value=1, max_value=MAX_EXTENSION_DAYS, required=False
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=active_staff(), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    scope = forms.ChoiceField(
        label=_("Cases"),
        choices=Selection.choices,
        initial=SELECTED,
    )
    case = CaseIdsField(label=_("Cases"), required=False)
    query = forms.CharField(label=_("Queue filter"), required=False, max_length=2000)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["rule"].choices = [("", "—")] + [(r.code, r.title) for r in all_rules()]
        self.fields["assignee"].queryset = active_staff()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        reason = (data.get("reason") or "").strip()
        data["reason"] = reason
        if kind in (K.EXTEND, K.WAIVE) and not reason:
            self.add_error("reason", _("Give a reason."))
        if kind == K.EXTEND and data.get("days") is None and "days" not in self.errors:
            self.add_error("days", _("Give the number of days."))
        if kind == K.ASSIGN and data.get("assignee") is None and "assignee" not in self.errors:
            self.add_error("assignee", _("Choose whom to assign the cases to."))
        assignee = data.get("assignee")
        if kind == K.ASSIGN and assignee and not self._may_assign_to(assignee):
            self.add_error("assignee", _("Only a lead may assign cases to someone else."))
        if kind == K.WAIVE and not data.get("rule") and "rule" not in self.errors:
            self.add_error("rule", _("Choose the rule whose findings are waived."))
        if data.get("scope") == self.FILTER and not self._filter_is_valid(data):
            self.add_error("query", _("The queue filter is not valid: filter the queue again."))
        if data.get("scope") == self.SELECTED:
            if not data.get("case"):
                self.add_error("case", _("Tick at least one case."))
            elif len(data["case"]) > MAX_CASES:
                self.add_error("case", _("Too many cases: apply to all matching the filter."))
        return data

    def _filter_is_valid(self, data) -> bool:
        return "query" in self.errors or queue_filter(self.user, data.get("query") or "").is_valid()

    def _may_assign_to(self, assignee) -> bool:
        return staff_role(self.user) in LEAD_ROLES or assignee.pk == getattr(self.user, "pk", None)

    def params(self) -> dict:
        """What the step needs, and nothing else (so equal requests compare equal)."""
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        params: dict = {}
        if kind in (K.EXTEND, K.WAIVE, K.ASSIGN, K.REINSPECT) and data["reason"]:
            params["reason"] = data["reason"]
        if kind == K.EXTEND:
            params["days"] = data["days"]
        if kind == K.ASSIGN:
            params["assignee"] = data["assignee"].pk
        if kind == K.WAIVE:
            params["rule"] = data["rule"]
        return params

    def selection(self) -> tuple[list[int], str]:
        """(case ids, "") for ticked cases; ([], query string) for the whole filter."""
        if self.cleaned_data["scope"] == self.FILTER:
            return [], self.cleaned_data.get("query") or ""
        return self.cleaned_data["case"], ""
