"""The base of the wizard's step forms: required fields, saved ID numbers, ID checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from filings.payloads import read_text
from filings.validators import validate_id_document
from icpportal.masking import mask_id_number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


def choices_of(values, enum) -> list[tuple[str, str]]:
    return [("", "---------")] + [(value, enum(value).label) for value in values]


class StepForm(forms.Form):
    """A step's form. ``leaving`` (save and leave) relaxes the required fields: what
    is entered must still be right, but the customer may stop half way."""

    id_fields: tuple[str, ...] = ()
    # Fields that only the saved section knows (kept when the form does not show them).
    section_keys: tuple[str, ...] = ()

    def __init__(self, *args: Any, saved: dict | None = None, leaving: bool = False, **kwargs):
        self.saved = dict(saved or {})
        initial = {k: v for k, v in self.saved.items() if k not in self.id_fields}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.leaving = leaving
        for name in self.id_fields:
            if name in self.fields and read_text(self.saved.get(name)).strip():
                masked = mask_id_number(read_text(self.saved[name]))
                self.fields[name].help_text = _(
                    "Saved as %(masked)s. Leave empty to keep it, or type it again to change it."
                ) % {"masked": masked}
                self.fields[name].widget.attrs["placeholder"] = masked
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")

    def full_clean(self) -> None:
        if self.leaving:
            for field in self.fields.values():
                field.required = False
        super().full_clean()

    def kept_id(self, name: str) -> str:
        """The typed ID number, or the saved one when the field was left empty."""
        typed = read_text(self.cleaned_data.get(name)).strip().upper()
        return typed or read_text(self.saved.get(name)).strip().upper()

    def require(self, *names: str) -> None:
        """Mark fields required unless the customer is only saving and leaving."""
        for name in names:
            if name in self.cleaned_data and not self.cleaned_data.get(name) and not self.leaving:
                self.add_error(name, _("This field is required."))

    def section(self) -> dict[str, Any]:
        """What this step saves into its payload section."""
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        for name in self.id_fields:
            if name in data:
                data[name] = self.kept_id(name)
        return data


def check_id(form: StepForm, type_field: str, number_field: str) -> None:
    id_type = form.cleaned_data.get(type_field)
    number = form.kept_id(number_field)
    if number and id_type:
        try:
            validate_id_document(id_type, number)
        except ValidationError as error:
            form.add_error(number_field, error)
    elif not number and not form.leaving:
        form.add_error(number_field, _("This field is required."))
