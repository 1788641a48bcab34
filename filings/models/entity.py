from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.choices import EntityType, IdType
from filings.validators import (
    validate_entity_filing_number,
    validate_id_document,
    validate_landline,
    validate_mobile,
    validate_phone,
)
from icpportal.crypto import EncryptedTextField, keyed_hash
from icpportal.masking import mask_id_number, mask_phone
from icpportal.tenancy import TenantQuerySet


class IdentifiedMixin(models.Model):
    """An ID document number stored encrypted, with a keyed hash for exact look-ups."""

    id_type = models.CharField(_("ID document type"), max_length=30, choices=IdType.choices)
    id_number = EncryptedTextField(_("ID document number"))
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.id_number = (self.id_number or "").strip().upper()
        self.id_number_hash = keyed_hash(self.id_number) if self.id_number else ""
        if kwargs.get("update_fields") is not None and "id_number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "id_number_hash"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        super().clean_fields(exclude=exclude)
        # Checked here rather than in clean() so forms without the number skip it.
        if exclude and ("id_number" in exclude or "id_type" in exclude):
            return
        if self.id_type and self.id_number:
            try:
                validate_id_document(self.id_type, self.id_number)
            except ValidationError as error:
                raise ValidationError({"id_number": error.messages}) from None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Person(IdentifiedMixin):
    """A person in charge (负责人) of an entity or a website, with their ID and phones."""

    tenant = models.ForeignKey("icpportal.Tenant", on_delete=models.CASCADE, related_name="persons")
    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(
        _("mobile"),
        max_length=20,
        validators=[validate_mobile],
        help_text=_("E.164, e.g. +8613812345678"),
    )
    landline = models.CharField(
        _("landline"), max_length=24, blank=True, validators=[validate_landline]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    # Stamped by a successful SMS self-inspection; the contact-reachability rule reads it.
    mobile_verified_at = models.DateTimeField(_("mobile verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("person in charge")
        verbose_name_plural = _("persons in charge")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "id_type", "id_number_hash"],
                name="person_unique_id_per_tenant",
                violation_error_message=_("A person with this ID document already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)

    @property
    def masked_landline(self) -> str:
        return mask_phone(self.landline)


class Entity(IdentifiedMixin):
    """A filing entity (主体): the organisation or individual that owns the websites."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SHELL = "shell", _("Shell (no website accessed)")
        DEREGISTERED = "deregistered", _("Deregistered")

    tenant = models.ForeignKey(
        "icpportal.Tenant", on_delete=models.CASCADE, related_name="entities"
    )
    entity_type = models.CharField(_("entity type"), max_length=30, choices=EntityType.choices)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        "filings.ProvinceRule",
        verbose_name=_("province"),
        to_field="code",
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=300)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    head = models.ForeignKey(
        Person,
        verbose_name=_("entity head"),
        on_delete=models.PROTECT,
        related_name="entities_headed",
    )
    office_phone = models.CharField(
        _("office phone"), max_length=24, blank=True, validators=[validate_phone]
    )
    emergency_phone = models.CharField(
        _("emergency phone"), max_length=24, blank=True, validators=[validate_phone]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    filing_number = models.CharField(
        _("entity filing number"),
        max_length=40,
        blank=True,
        validators=[validate_entity_filing_number],
    )
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing_number"],
                condition=~models.Q(filing_number=""),
                name="entity_unique_filing_number",
                violation_error_message=_("This entity filing number is already in use."),
            ),
            models.UniqueConstraint(
                fields=["tenant", "id_type", "id_number_hash"],
                name="entity_unique_id_per_tenant",
                violation_error_message=_(
                    "An entity with this ID document already exists in your account."
                ),
            ),
        ]
        indexes = [
            # Province inspection campaigns and the staff province filter.
            models.Index(fields=["province", "state"], name="entity_province_state"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_office_phone(self) -> str:
        return mask_phone(self.office_phone)

    @property
    def masked_emergency_phone(self) -> str:
        return mask_phone(self.emergency_phone)
