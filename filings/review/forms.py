"""The reviewer's forms: return with a reason per field, or pass with a note."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.review.diff import SectionDiff

OVERALL = "reason-overall"
_PREFIX = "reason-"


def reason_field_name(path: str) -> str:
    """The form field of the reason for payload ``path`` (``""``: the whole application)."""
    return f"{_PREFIX}{path}" if path else OVERALL


class ReturnForm(forms.Form):
    """One optional reason per payload field the page lists, and one overall.

    The action decides what counts: at least one reason, and only fields the
    application has. Its refusals come back on the form through :meth:`show_refusal`.
    """

    def __init__(self, sections: Iterable[SectionDiff], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.paths: list[str] = []
        for section in sections:
            for row in section.fields:
                if not row.path:
                    continue
                self.paths.append(row.path)
                self.fields[reason_field_name(row.path)] = forms.CharField(
                    label=_("Reason for “%(field)s”") % {"field": f"{section.label} · {row.label}"},
                    required=False,
                    max_length=500,
                    widget=forms.TextInput(attrs={"form": "return-form"}),
                )
        self.fields[OVERALL] = forms.CharField(
            label=_("Overall reason"),
            required=False,
            max_length=2000,
            help_text=_("Anything that is not about one field, e.g. a missing document."),
            widget=forms.Textarea(attrs={"rows": 3, "form": "return-form"}),
        )

    def reasons(self) -> dict[str, str]:
        """Payload path → reason, for the reasons typed in (``""`` for the overall one)."""
        reasons = {path: self.cleaned_data.get(reason_field_name(path), "") for path in self.paths}
        reasons[""] = self.cleaned_data.get(OVERALL, "")
        return {path: text.strip() for path, text in reasons.items() if text and text.strip()}

    def show_refusal(self, message: str, field_errors: Mapping[str, Sequence[str]]) -> None:
        """Put the action's refusal on the form, each message next to its field."""
        placed = False
        for path, errors in field_errors.items():
            name = reason_field_name(path)
            for error in errors:
                if name in self.fields:
                    self.add_error(name, error)
                    placed = True
                else:
                    self.add_error(None, f"{path}: {error}" if path else error)
                    placed = True
        if not placed:
            self.add_error(None, message)

    def bound_reason(self, path: str):
        return self[reason_field_name(path)]


class PassForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(),
    )
