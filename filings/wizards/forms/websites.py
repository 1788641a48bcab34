"""The website, its domains, the filing to transfer, and the reason to cancel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import (
    PERSONAL_CATEGORIES,
    REGULATED_CATEGORIES,
    ContentCategory,
    EntityType,
    IdType,
    ServiceType,
)
from filings.payloads import read_text
from filings.validators import validate_fqdn, validate_website_filing_number
from filings.wizards.forms.base import DateInput, StepForm, check_id, choices_of


class WebsiteForm(StepForm):
    name = forms.CharField(label=gettext_lazy("Website name"), max_length=200)
    homepage_url = forms.URLField(
        label=gettext_lazy("Home page address"), max_length=300, assume_scheme="https"
    )
    content_category = forms.ChoiceField(label=gettext_lazy("Content category"))
    service_type = forms.ChoiceField(
        label=gettext_lazy("Service type"), choices=ServiceType.choices, initial=ServiceType.WEBSITE
    )
    pre_approval_number = forms.CharField(
        label=gettext_lazy("Pre-approval number"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Only for news, publishing, medical, culture, broadcasting, ride-hailing, "
            "games or finance content."
        ),
    )
    pre_approval_issuer = forms.CharField(
        label=gettext_lazy("Issued by"), max_length=200, required=False
    )

    def __init__(self, *args: Any, entity_type: str, **kwargs: Any):
        saved = dict(kwargs.get("saved") or {})
        approvals = saved.get("pre_approvals") or []
        first = approvals[0] if approvals and isinstance(approvals[0], dict) else {}
        kwargs.setdefault(
            "initial",
            {
                **{k: v for k, v in saved.items() if k != "pre_approvals"},
                "pre_approval_number": first.get("number", ""),
                "pre_approval_issuer": first.get("issuer", ""),
            },
        )
        super().__init__(*args, **kwargs)
        personal = entity_type == EntityType.INDIVIDUAL
        # A personal filing may only host personal content (DOMAIN.md).
        categories = PERSONAL_CATEGORIES if personal else ContentCategory.values
        self.fields["content_category"].choices = choices_of(
            [c for c in ContentCategory.values if c in categories], ContentCategory
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        category = cleaned.get("content_category")
        number = read_text(cleaned.get("pre_approval_number")).strip()
        if category in REGULATED_CATEGORIES and not number and not self.leaving:
            self.add_error(
                "pre_approval_number",
                _("%(category)s content needs a pre-approval: enter its number.")
                % {"category": ContentCategory(category).label},
            )
        return cleaned

    def section(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data.get(name) or ""
            for name in ("name", "homepage_url", "content_category", "service_type")
        }
        number = read_text(self.cleaned_data.get("pre_approval_number")).strip()
        category = data["content_category"]
        data["pre_approvals"] = (
            [
                {
                    "category": category,
                    "number": number,
                    "issuer": read_text(self.cleaned_data.get("pre_approval_issuer")).strip(),
                }
            ]
            if number and category in REGULATED_CATEGORIES
            else []
        )
        return data


class DomainForm(StepForm):
    name = forms.CharField(label=gettext_lazy("Domain"), max_length=253)
    registrar = forms.CharField(label=gettext_lazy("Registrar"), max_length=200, required=False)
    registrant_name = forms.CharField(
        label=gettext_lazy("Registrant"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("As the registrar's real-name record shows it."),
    )
    registrant_id_type = forms.ChoiceField(
        label=gettext_lazy("Registrant's ID document type"),
        choices=choices_of(IdType.values, IdType),
        required=False,
    )
    registrant_id_number = forms.CharField(
        label=gettext_lazy("Registrant's ID document number"), max_length=30, required=False
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"), widget=DateInput(), required=False
    )

    id_fields = ("registrant_id_number",)

    def clean_name(self) -> str:
        name = read_text(self.cleaned_data.get("name")).strip().rstrip(".").lower()
        if name:
            validate_fqdn(name)
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.kept_id("registrant_id_number") and cleaned.get("registrant_id_type"):
            check_id(self, "registrant_id_type", "registrant_id_number")
        return cleaned

    def section(self) -> dict[str, Any]:
        data = super().section()
        data.pop("DELETE", None)
        data["expires_on"] = data["expires_on"].isoformat() if data["expires_on"] else ""
        return data


class BaseDomainFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, saved_entries=(), leaving: bool = False, **kwargs: Any):
        self.saved_entries = list(saved_entries)
        self.leaving = leaving
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        saved = (
            self.saved_entries[index]
            if index is not None and index < len(self.saved_entries)
            else {}
        )
        return {"saved": saved, "leaving": self.leaving}

    def clean(self) -> None:
        if any(self.errors):
            return
        names = [entry["name"] for entry in self.entries()]
        if len(names) != len(set(names)):
            raise ValidationError(_("Each domain may be listed only once."))
        if not names and not self.leaving:
            raise ValidationError(_("Add at least one domain."))

    def entries(self) -> list[dict[str, Any]]:
        return [
            form.section()
            for form in self.forms
            if form.cleaned_data.get("name") and not form.cleaned_data.get("DELETE")
        ]


DomainFormSet = forms.formset_factory(
    DomainForm, formset=BaseDomainFormSet, extra=1, can_delete=True, max_num=20
)


class TransferForm(StepForm):
    """Which filing moves here: its website filing number, or one of its domains."""

    filing_number = forms.CharField(
        label=gettext_lazy("Website filing number"),
        max_length=48,
        required=False,
        help_text=gettext_lazy("Such as 京ICP备2026001073号-1."),
    )
    domain = forms.CharField(
        label=gettext_lazy("…or one of its domains"), max_length=253, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        number = read_text(cleaned.get("filing_number")).strip()
        domain = read_text(cleaned.get("domain")).strip().rstrip(".").lower()
        if number:
            try:
                validate_website_filing_number(number)
            except ValidationError as error:
                self.add_error("filing_number", error)
        elif domain:
            try:
                validate_fqdn(domain)
            except ValidationError as error:
                self.add_error("domain", error)
        elif not self.leaving:
            self.add_error("filing_number", _("Enter the filing number or one of its domains."))
        cleaned["domain"] = domain
        return cleaned


class ReasonForm(StepForm):
    text = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Why this is needed; the bureau reads it."),
    )
