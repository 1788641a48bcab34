"""Forms of the customer's application pages: list filters, withdrawal, MIIT codes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationKind, ApplicationStatus


class ApplicationFilterForm(forms.Form):
    """The filters of the application list; an unknown value is reported, not applied."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ApplicationStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *ApplicationKind.choices],
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["status"]:
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["kind"]:
            queryset = queryset.filter(kind=self.cleaned_data["kind"])
        return queryset


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MiitCodeForm(forms.Form):
    """The code the MIIT sent a head by SMS. The value is never shown back."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control form-control-lg portal-mono",
            }
        ),
        error_messages={"required": _("Enter the code from the SMS.")},
    )
