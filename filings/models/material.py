from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.choices import ApplicationKind, EntityType, MaterialKind
from icpportal.crypto import EncryptedTextField, keyed_hash
from icpportal.masking import mask_id_number
from icpportal.tenancy import TenantQuerySet


def private_material_path(instance: Material, filename: str) -> str:
    """A random, unguessable name; the original name is kept in a column only."""
    return f"materials/{instance.tenant_id}/{secrets.token_hex(16)}"


class Material(models.Model):
    """An uploaded document: a certificate, an ID copy, a signed form, a photo…"""

    tenant = models.ForeignKey(
        "icpportal.Tenant", on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MaterialKind.choices)
    application = models.ForeignKey(
        "filings.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
    )
    entity = models.ForeignKey(
        "filings.Entity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
    )
    person = models.ForeignKey(
        "filings.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
    )
    website = models.ForeignKey(
        "filings.Website",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
    )
    file = models.FileField(_("file"), upload_to=private_material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=50)
    # Often an ID number: stored encrypted, with a keyed hash for exact matching.
    document_number = EncryptedTextField(_("document number"), blank=True)
    document_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    holder_name = models.CharField(_("holder"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Written by the integrity job that re-hashes stored files.
    integrity_checked_at = models.DateTimeField(null=True, blank=True)
    integrity_ok = models.BooleanField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(application__isnull=False)
                    | models.Q(entity__isnull=False)
                    | models.Q(person__isnull=False)
                    | models.Q(website__isnull=False)
                ),
                name="material_has_owner",
                violation_error_message=_("A material must belong to something."),
            )
        ]
        indexes = [
            # The integrity job walks materials least recently checked first.
            models.Index(fields=["integrity_checked_at"], name="material_integrity_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    def save(self, *args, **kwargs):
        self.document_number = (self.document_number or "").strip()
        self.document_number_hash = keyed_hash(self.document_number) if self.document_number else ""
        super().save(*args, **kwargs)

    @property
    def masked_document_number(self) -> str:
        return mask_id_number(self.document_number)


class MaterialRequirement(models.Model):
    """Which material an application needs, by application kind, entity type and province."""

    class Condition(models.TextChoices):
        ALWAYS = "always", _("Always")
        HEAD_NOT_LEGAL_REPRESENTATIVE = (
            "head_not_legal_rep",
            _("When the entity head is not the legal representative"),
        )
        NON_LOCAL_INDIVIDUAL = (
            "non_local_individual",
            _("When an individual's ID was issued in another province"),
        )
        REGULATED_CONTENT = "regulated_content", _("When the content needs a pre-approval")
        MANY_WEBSITES = "many_websites", _("When the entity files many websites")

    material_kind = models.CharField(_("material"), max_length=30, choices=MaterialKind.choices)
    application_kind = models.CharField(
        _("application kind"), max_length=30, choices=ApplicationKind.choices
    )
    # Blank: every entity type.
    entity_type = models.CharField(
        _("entity type"), max_length=30, choices=EntityType.choices, blank=True
    )
    # Null: every province.
    province = models.ForeignKey(
        "filings.ProvinceRule",
        null=True,
        blank=True,
        to_field="code",
        on_delete=models.CASCADE,
        related_name="material_requirements",
    )
    condition = models.CharField(
        _("condition"), max_length=30, choices=Condition.choices, default=Condition.ALWAYS
    )
    # E.g. Shanghai: the verification form must be signed within 90 days.
    max_age_days = models.PositiveIntegerField(_("maximum age (days)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("material requirement")
        verbose_name_plural = _("material requirements")
        ordering = ["application_kind", "material_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "material_kind",
                    "application_kind",
                    "entity_type",
                    "province",
                    "condition",
                ],
                name="material_requirement_unique",
                violation_error_message=_("This requirement already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_application_kind_display()}: {self.get_material_kind_display()}"
