from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.choices import EntityType, IdType


def validate_cidr(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a network in CIDR form, e.g. 192.0.2.0/24 or 2001:db8::/32."),
            code="cidr",
            params={"value": value},
        ) from None


class ProviderNetwork(models.Model):
    """An address range of the access provider: servers, load balancers or its own CDN."""

    class Kind(models.TextChoices):
        SERVERS = "servers", _("Servers")
        LOAD_BALANCERS = "load_balancers", _("Load balancers")
        CDN = "cdn", _("CDN")

    cidr = models.CharField(
        _("network (CIDR)"), max_length=43, unique=True, validators=[validate_cidr]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("provider network")
        verbose_name_plural = _("provider networks")
        ordering = ["cidr"]

    def __str__(self) -> str:
        return f"{self.cidr} ({self.get_kind_display()})"

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.cidr)


class RegistryRecord(models.Model):
    """The bureau's view of one filing, including filings held at other providers.

    Maintained by the registry adapter (the local simulator by default); transfers are
    pre-filled from it and the access-provider rule reads it.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SHELL = "shell", _("Shell entity")
        DEREGISTERED = "deregistered", _("Deregistered")

    entity_filing_number = models.CharField(_("entity filing number"), max_length=40)
    website_filing_number = models.CharField(_("website filing number"), max_length=48, blank=True)
    entity_name = models.CharField(_("entity name"), max_length=200)
    entity_type = models.CharField(_("entity type"), max_length=30, choices=EntityType.choices)
    entity_id_type = models.CharField(_("ID document type"), max_length=30, choices=IdType.choices)
    entity_id_hash = models.CharField(max_length=64, db_index=True)
    province = models.ForeignKey(
        "filings.ProvinceRule", to_field="code", on_delete=models.PROTECT, related_name="+"
    )
    website_name = models.CharField(_("website name"), max_length=200, blank=True)
    # Codes of the providers through which the website is accessed.
    access_providers = models.JSONField(_("access providers"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("registry record")
        verbose_name_plural = _("registry records")
        ordering = ["entity_filing_number", "website_filing_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity_filing_number", "website_filing_number"],
                name="registry_unique_filing",
                violation_error_message=_("The bureau already holds this filing number."),
            )
        ]
        indexes = [
            models.Index(fields=["website_filing_number"], name="registry_website_number"),
        ]

    def __str__(self) -> str:
        return self.website_filing_number or self.entity_filing_number


class RegistryDomain(models.Model):
    """A domain listed on a filing at the bureau, for look-ups by domain."""

    record = models.ForeignKey(RegistryRecord, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domain"), max_length=253)

    class Meta:
        verbose_name = _("registry domain")
        verbose_name_plural = _("registry domains")
        constraints = [
            models.UniqueConstraint(fields=["record", "name"], name="registry_domain_unique"),
        ]
        indexes = [models.Index(fields=["name"], name="registry_domain_name")]

    def __str__(self) -> str:
        return self.name
