"""The entity and the persons in charge: who files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import ENTITY_ID_TYPES, PERSONAL_ID_TYPES, EntityType, IdType
from filings.models import Person, ProvinceRule
from filings.payloads import PERSON_REFERENCE, read_text
from filings.validators import validate_landline, validate_mobile, validate_phone
from filings.wizards.forms.base import StepForm, check_id, choices_of
from icpportal.crypto import keyed_hash
from icpportal.masking import mask_id_number

# ---- entity ------------------------------------------------------------------------------


class EntityBasicsForm(StepForm):
    """What kind of entity files, and in which province: they decide the rest."""

    entity_type = forms.ChoiceField(
        label=gettext_lazy("Entity type"), choices=choices_of(EntityType.values, EntityType)
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
        self.fields["id_type"].choices = choices_of(allowed, IdType)
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
        choices=choices_of(PERSONAL_ID_TYPES, IdType),
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
