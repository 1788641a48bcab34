"""The forms of the wizard's steps: one payload section (or part of one) each.

The forms check what the customer types with the project's validators (ID documents,
phones, domains, filing numbers), so a wrong value is named next to its field before
anything is saved; ``filings.applications.drafts`` then checks the section's shape
when the step is saved. The entity's type and province, once chosen, decide which
ID documents and content categories are offered and which fields are required.

ID numbers already saved are never put back in a form: the field stays empty, its
help text shows the masked number, and leaving it empty keeps the saved one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import (
    ENTITY_ID_TYPES,
    PERSONAL_CATEGORIES,
    PERSONAL_ID_TYPES,
    REGULATED_CATEGORIES,
    ContentCategory,
    EntityType,
    IdType,
    ServiceType,
)
from filings.models import Person, ProvinceRule
from filings.payloads import PERSON_REFERENCE, read_text
from filings.validators import (
    validate_fqdn,
    validate_id_document,
    validate_landline,
    validate_mobile,
    validate_phone,
    validate_website_filing_number,
)
from icpportal.crypto import keyed_hash
from icpportal.masking import mask_id_number


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _choices(values, enum) -> list[tuple[str, str]]:
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


# ---- entity ------------------------------------------------------------------------------


class EntityBasicsForm(StepForm):
    """What kind of entity files, and in which province: they decide the rest."""

    entity_type = forms.ChoiceField(
        label=gettext_lazy("Entity type"), choices=_choices(EntityType.values, EntityType)
    )
    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"),
        queryset=ProvinceRule.objects.order_by("code"),
        to_field_name="code",
        help_text=gettext_lazy(
            "Where the entity is registered: the bureau of this province reviews the filing."
        ),
    )

    def section(self) -> dict[str, Any]:
        province = self.cleaned_data.get("province")
        return {
            "entity_type": self.cleaned_data.get("entity_type") or "",
            "province": province.code if province else "",
        }


class EntityForm(StepForm):
    """The entity's identity and contacts, as its certificate shows them."""

    name = forms.CharField(label=gettext_lazy("Entity name"), max_length=200)
    id_type = forms.ChoiceField(label=gettext_lazy("ID document type"))
    id_number = forms.CharField(
        label=gettext_lazy("ID document number"), max_length=30, required=False
    )
    address = forms.CharField(label=gettext_lazy("Address on the certificate"), max_length=300)
    legal_representative = forms.CharField(
        label=gettext_lazy("Legal representative"), max_length=100
    )
    office_phone = forms.CharField(
        label=gettext_lazy("Office phone"), max_length=30, required=False
    )
    emergency_phone = forms.CharField(
        label=gettext_lazy("Emergency phone"),
        max_length=30,
        help_text=gettext_lazy("Must differ from the heads' phones."),
    )
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    id_fields = ("id_number",)

    def __init__(
        self,
        *args: Any,
        entity_type: str,
        province: ProvinceRule | None,
        expected_id_hash: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.entity_type, self.province = entity_type, province
        # A transfer: the entity must be the one that holds the filing at the bureau.
        self.expected_id_hash = expected_id_hash
        allowed = ENTITY_ID_TYPES.get(entity_type, tuple(IdType.values))
        self.fields["id_type"].choices = _choices(allowed, IdType)
        if entity_type == EntityType.INDIVIDUAL:
            # An individual files in their own name: there is no legal representative.
            del self.fields["legal_representative"]
            self.fields["name"].label = _("Your full name")
        if province is not None and province.landline_required:
            self.fields["office_phone"].required = True
            self.fields["office_phone"].help_text = _(
                "%(province)s requires a landline with its area code, such as 025-12345678."
            ) % {"province": province.display_name}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_id(self, "id_type", "id_number")
        number = self.kept_id("id_number")
        checkable = self.expected_id_hash and number and "id_number" not in self.errors
        if checkable and keyed_hash(number) != self.expected_id_hash:
            self.add_error(
                "id_number",
                _("This is not the ID document of the entity that holds this filing."),
            )
        landline = self.province is not None and self.province.landline_required
        for name, check in (
            ("office_phone", validate_landline if landline else validate_phone),
            ("emergency_phone", validate_phone),
        ):
            value = read_text(cleaned.get(name)).strip()
            if value:
                try:
                    check(value)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def section(self) -> dict[str, Any]:
        data = super().section()
        data.setdefault("legal_representative", "")
        return data


# ---- persons in charge -------------------------------------------------------------------


class PersonForm(StepForm):
    """A person in charge: someone already on file, or a new person typed in."""

    person = forms.ModelChoiceField(
        label=gettext_lazy("Someone already on file"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("— a new person, entered below —"),
    )
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=100, required=False)
    id_type = forms.ChoiceField(
        label=gettext_lazy("ID document type"),
        choices=_choices(PERSONAL_ID_TYPES, IdType),
        required=False,
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID document number"), max_length=30, required=False
    )
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("The bureau sends this number a verification code."),
    )
    landline = forms.CharField(label=gettext_lazy("Landline"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)

    id_fields = ("id_number",)

    def __init__(
        self,
        *args: Any,
        tenant,
        same_as: dict | None = None,
        legal_representative: str = "",
        **kwargs: Any,
    ):
        saved = dict(kwargs.get("saved") or {})
        if PERSON_REFERENCE in saved:
            kwargs.setdefault("initial", {"person": saved[PERSON_REFERENCE]})
        super().__init__(*args, **kwargs)
        self.same_as = same_as
        self.legal_representative = legal_representative.strip()
        self.fields["person"].queryset = Person.objects.for_tenant(tenant).order_by("name", "pk")
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.name} · {mask_id_number(p.id_number)}"
        )
        if same_as is not None:
            self.fields["same_as_entity_head"] = forms.BooleanField(
                label=_("The website head is the entity head"),
                required=False,
                initial=bool(saved) and saved == same_as,
            )
            self.order_fields(["same_as_entity_head"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("same_as_entity_head") or cleaned.get("person"):
            return cleaned
        for name in ("name", "id_type", "mobile"):
            if not read_text(cleaned.get(name)).strip() and name not in self.errors:
                self.require(name)
        check_id(self, "id_type", "id_number")
        for name, check in (("mobile", validate_mobile), ("landline", validate_landline)):
            value = read_text(cleaned.get(name)).strip()
            if value:
                try:
                    check(value)
                except ValidationError as error:
                    self.add_error(name, error)
        name = read_text(cleaned.get("name")).strip()
        if self.legal_representative and name and name != self.legal_representative:
            self.add_error(
                "name",
                _("In this province the entity head must be the legal representative, %(name)s.")
                % {"name": self.legal_representative},
            )
        return cleaned

    def section(self) -> dict[str, Any]:
        if self.cleaned_data.get("same_as_entity_head") and self.same_as is not None:
            return dict(self.same_as)
        if person := self.cleaned_data.get("person"):
            return {PERSON_REFERENCE: person.pk}
        data = super().section()
        data.pop("person", None)
        data.pop("same_as_entity_head", None)
        return data


# ---- website, domains, transfer, reason ------------------------------------------------


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
        self.fields["content_category"].choices = _choices(
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
        choices=_choices(IdType.values, IdType),
        required=False,
    )
    registrant_id_number = forms.CharField(
        label=gettext_lazy("Registrant's ID document number"), max_length=30, required=False
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"), widget=_DateInput(), required=False
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
