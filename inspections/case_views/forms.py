"""Forms of the case pages: bad input gets a message and nothing is saved."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.enforcement.actions import MAX_EXTENSION_DAYS


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(ReasonForm):
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        initial=5,
        help_text=_("Counted in the case's kind of days, from the current deadline."),
    )


class LiftBlockForm(ReasonForm):
    days = forms.IntegerField(
        label=_("New period (days)"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        initial=5,
        help_text=_("The customer gets this long from now to fix the problems."),
    )


class WaiveForm(ReasonForm):
    finding = forms.IntegerField(widget=forms.HiddenInput)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffMessageForm(MessageForm):
    internal = forms.BooleanField(
        label=_("Internal comment (the customer does not see it)"), required=False
    )


class PauseForm(ReasonForm):
    paused = forms.BooleanField(required=False, widget=forms.HiddenInput)
