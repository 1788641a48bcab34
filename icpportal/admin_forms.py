"""Forms of the admin: rows stay within one customer, and ID numbers are write-only.

An ID number is never put back into a form in clear: the change form shows it masked
and offers an empty "new ID number" field that replaces it when filled.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.validators import validate_id_document
from icpportal.crypto import keyed_hash


class TenantConsistentForm(forms.ModelForm):
    """Refuses links to another customer's rows (an entity head, a website's entity…).

    The admin reaches across customers, so its pickers offer every customer's rows;
    a link across customers would show one customer's data to another.
    """

    def _tenant_id(self) -> int | None:
        if "tenant" in self.fields:
            tenant = self.cleaned_data.get("tenant")
            return getattr(tenant, "pk", None)
        return getattr(self.instance, "tenant_id", None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        tenant_id = self._tenant_id()
        if tenant_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if not isinstance(value, models.Model) or not hasattr(value, "tenant_id"):
                continue
            if value.tenant_id != tenant_id:
                self.add_error(name, _("This belongs to another customer."))
        return cleaned


class ReplaceIdNumberForm(TenantConsistentForm):
    """A form whose stored ID number is replaced through ``new_id_number``, never shown.

    Subclasses name the model's number field (``id_field``, or ``None`` when only a
    keyed hash is kept), its document-type field and its hash field; ``unique_with``
    lists the fields that, with the hash, must be unique (as the model's constraint).
    """

    id_field: str | None = "id_number"
    id_type_field: str = "id_type"
    hash_field: str = "id_number_hash"
    unique_with: tuple[str, ...] = ()
    required_on_add: bool = True

    new_id_number = forms.CharField(
        label=_("New ID document number"),
        required=False,
        max_length=40,
        strip=True,
        help_text=_("Leave empty to keep the stored number; a number entered here replaces it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stored_id_number = getattr(self.instance, self.id_field, "") if self.id_field else ""
        if self.instance.pk is None and self.required_on_add:
            field = self.fields["new_id_number"]
            field.required = True
            field.label = _("ID document number")
            field.help_text = ""

    def has_stored_number(self) -> bool:
        if self.instance.pk is None:
            return False
        if self.id_field:
            return bool(self.stored_id_number)
        return bool(getattr(self.instance, self.hash_field, ""))

    def _current(self, name: str) -> Any:
        if name in self.fields and name in self.cleaned_data:
            return self.cleaned_data[name]
        return getattr(self.instance, name, None)

    def clean_new_id_number(self) -> str:
        return (self.cleaned_data.get("new_id_number") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        number = cleaned.get("new_id_number")
        id_type = self._current(self.id_type_field)
        if number:
            if not id_type:
                self.add_error(self.id_type_field, _("Choose the ID document type."))
            else:
                try:
                    validate_id_document(id_type, number)
                except ValidationError as exc:
                    self.add_error("new_id_number", exc)
        elif self.id_type_field in self.changed_data and self.has_stored_number():
            # The stored number was checked against the old type; it must be re-entered.
            self.add_error(
                "new_id_number", _("Enter the document number again for the new document type.")
            )
        return cleaned

    def validate_unique(self) -> None:
        super().validate_unique()
        number = self.cleaned_data.get("new_id_number")
        if not self.unique_with or "new_id_number" in self.errors:
            return
        if any(name in self.errors for name in self.unique_with):
            return
        if not number and not any(name in self.changed_data for name in self.unique_with):
            return
        lookup = {f"{name}__exact": self._current(name) for name in self.unique_with}
        lookup[self.hash_field] = (
            keyed_hash(number) if number else getattr(self.instance, self.hash_field)
        )
        clash = type(self.instance)._default_manager.filter(**lookup)
        if self.instance.pk is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error(
                "new_id_number" if number else None,
                _("A record with this ID document already exists for this customer."),
            )

    def save(self, commit: bool = True):
        number = self.cleaned_data.get("new_id_number")
        if number:
            if self.id_field:
                # The model's save() normalises the number and recomputes its hash.
                setattr(self.instance, self.id_field, number)
            else:
                setattr(self.instance, self.hash_field, keyed_hash(number))
        return super().save(commit)

    def audit_extra_changes(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The replaced number under its model name, so ``audit.record`` masks it."""
        number = self.cleaned_data.get("new_id_number")
        if not number or "new_id_number" not in self.changed_data:
            return {}, {}
        key = self.id_field or f"{self.hash_field.removesuffix('_hash')}_number"
        return {key: self.stored_id_number or ""}, {key: number}
