from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.choices import ContentCategory, IdType, ServiceType
from filings.validators import validate_fqdn, validate_website_filing_number
from icpportal.crypto import EncryptedTextField, keyed_hash
from icpportal.masking import mask_id_number
from icpportal.tenancy import TenantQuerySet


class Website(models.Model):
    """A filed website (网站) of an entity, with its head, domains and access state here."""

    class FilingState(models.TextChoices):
        FILED = "filed", _("Filed")
        DEREGISTERED = "deregistered", _("Deregistered")

    class AccessState(models.TextChoices):
        ACCESSED = "accessed", _("Accessed here")
        TRANSFER_PENDING = "transfer_pending", _("Transfer under bureau review")
        NOT_ACCESSED = "not_accessed", _("Not accessed here")
        ACCESS_CANCELLED = "access_cancelled", _("Access cancelled")

    tenant = models.ForeignKey(
        "icpportal.Tenant", on_delete=models.CASCADE, related_name="websites"
    )
    entity = models.ForeignKey(
        "filings.Entity",
        verbose_name=_("entity"),
        on_delete=models.PROTECT,
        related_name="websites",
    )
    name = models.CharField(_("website name"), max_length=200)
    homepage_url = models.URLField(_("homepage"), max_length=300)
    content_category = models.CharField(
        _("content category"), max_length=30, choices=ContentCategory.choices
    )
    # [{"category": "news", "number": "…", "issuer": "…"}]
    pre_approvals = models.JSONField(_("pre-approvals"), default=list, blank=True)
    head = models.ForeignKey(
        "filings.Person",
        verbose_name=_("website head"),
        on_delete=models.PROTECT,
        related_name="websites_headed",
    )
    service_type = models.CharField(
        _("service type"), max_length=20, choices=ServiceType.choices, default=ServiceType.WEBSITE
    )
    filing_number = models.CharField(
        _("website filing number"),
        max_length=48,
        blank=True,
        validators=[validate_website_filing_number],
    )
    filing_state = models.CharField(
        _("filing state"), max_length=15, choices=FilingState.choices, default=FilingState.FILED
    )
    access_state = models.CharField(
        _("access state"),
        max_length=20,
        choices=AccessState.choices,
        default=AccessState.ACCESSED,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("website")
        verbose_name_plural = _("websites")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing_number"],
                condition=~models.Q(filing_number=""),
                name="website_unique_filing_number",
                violation_error_message=_("This website filing number is already in use."),
            )
        ]
        indexes = [
            # Inspection campaigns walk filed, accessed websites in id order.
            models.Index(
                fields=["id"],
                condition=models.Q(filing_state="filed"),
                name="website_filed_id",
            ),
            models.Index(fields=["tenant", "filing_state"], name="website_tenant_state"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active_filing(self) -> bool:
        return self.filing_state == self.FilingState.FILED


class Domain(models.Model):
    """A domain name of a website, with its registrant, expiry and real-name status."""

    class RealNameStatus(models.TextChoices):
        VERIFIED = "verified", _("Real-name verified")
        PENDING = "pending", _("Pending")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown")

    tenant = models.ForeignKey("icpportal.Tenant", on_delete=models.CASCADE, related_name="domains")
    website = models.ForeignKey(
        Website, verbose_name=_("website"), on_delete=models.CASCADE, related_name="domains"
    )
    # Lower-case IDNA (punycode) form; the unicode form is derived for display.
    name = models.CharField(_("domain"), max_length=253, validators=[validate_fqdn])
    registrar = models.CharField(_("registrar"), max_length=200, blank=True)
    registrant_name = models.CharField(_("registrant"), max_length=200, blank=True)
    registrant_id_type = models.CharField(
        _("registrant ID type"), max_length=30, choices=IdType.choices, blank=True
    )
    registrant_id_number = EncryptedTextField(_("registrant ID number"), blank=True)
    registrant_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    real_name_status = models.CharField(
        _("real-name status"),
        max_length=10,
        choices=RealNameStatus.choices,
        default=RealNameStatus.UNKNOWN,
    )
    # False once the website is deregistered or the domain removed from the filing.
    is_active = models.BooleanField(_("in an active filing"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(is_active=True),
                name="domain_unique_active_filing",
                violation_error_message=_("This domain already belongs to an active filing."),
            )
        ]
        indexes = [
            # The access gate and staff search look domains up by name.
            models.Index(fields=["name"], name="domain_name"),
        ]

    def __str__(self) -> str:
        return self.unicode_name

    def save(self, *args, **kwargs):
        self.name = (self.name or "").strip().rstrip(".").lower()
        self.registrant_id_number = (self.registrant_id_number or "").strip().upper()
        self.registrant_id_hash = (
            keyed_hash(self.registrant_id_number) if self.registrant_id_number else ""
        )
        super().save(*args, **kwargs)

    @property
    def unicode_name(self) -> str:
        try:
            return self.name.encode("ascii").decode("idna")
        except UnicodeError:
            return self.name

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    @property
    def masked_registrant_id(self) -> str:
        return mask_id_number(self.registrant_id_number)
