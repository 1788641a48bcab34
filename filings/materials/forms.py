"""Forms of the material pages: a file and the details printed on the document.

The forms only read the input; the actions decide whether the file and the dates are
acceptable (one place for the rules, whichever page or wizard calls them) and the
view puts their messages back on the form with :meth:`MaterialDetailsForm.show_result`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import MaterialKind
from filings.materials.uploads import (
    DOCUMENT_NUMBER_MAX_LENGTH,
    HOLDER_NAME_MAX_LENGTH,
    METADATA_FIELDS,
    too_large_message,
)

# A hint for the browser's file picker only: the content decides, not the name.
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MaterialDetailsForm(forms.Form):
    """The file and what is printed on the document."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=gettext_lazy("A JPEG or PNG photo or scan, or a PDF."),
    )
    document_number = forms.CharField(
        label=gettext_lazy("Document number"),
        required=False,
        max_length=DOCUMENT_NUMBER_MAX_LENGTH,
        help_text=gettext_lazy("The certificate, licence or ID number printed on the document."),
    )
    holder_name = forms.CharField(
        label=gettext_lazy("Holder"),
        required=False,
        max_length=HOLDER_NAME_MAX_LENGTH,
        help_text=gettext_lazy("The person or organisation named on the document."),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), required=False, widget=_DateInput()
    )
    signed_on = forms.DateField(
        label=gettext_lazy("Signed on"), required=False, widget=_DateInput()
    )

    file_required = True

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The size guard skipped the file before Django stored it: say why it is missing.
        if self.too_large:
            self.add_error("file", too_large_message())
        elif self.file_required and not cleaned.get("file"):
            self.add_error("file", _("Choose a file to upload."))
        return cleaned

    def metadata(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in METADATA_FIELDS}

    def show_result(self, result) -> None:
        """Put an action's refusal on the form, next to the fields it is about."""
        for name, messages in result.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not result.field_errors:
            self.add_error(None, result.message)


class MaterialUploadForm(MaterialDetailsForm):
    """A new document: which one it is, the file and its details."""

    kind = forms.ChoiceField(label=gettext_lazy("Document"))

    field_order = ["kind", "file", "document_number", "holder_name", "valid_until", "signed_on"]

    def __init__(self, *args: Any, kinds: Iterable[str] = (), fixed_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        allowed = list(kinds) or list(MaterialKind.values)
        self.fields["kind"].choices = [(k, MaterialKind(k).label) for k in allowed]
        if fixed_kind:
            self.fields["kind"].initial = fixed_kind
            self.fields["kind"].widget = forms.HiddenInput()


class MaterialReplaceForm(MaterialDetailsForm):
    """A new file for a document, or only corrected details."""

    file_required = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A JPEG or PNG photo or scan, or a PDF. Leave it empty to keep the current file "
            "and only correct the details."
        )
