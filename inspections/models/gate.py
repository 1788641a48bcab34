"""What the access gate answers for each host: allowed, blocked, cancelled or unfiled."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessState(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    BLOCKED = "blocked", _("Blocked pending rectification")
    CANCELLED = "cancelled", _("Access cancelled")
    UNFILED = "unfiled", _("No ICP filing")


class AccessDecision(models.Model):
    """The gate's decision for one host name, with the reason and the case behind it.

    Written by the enforcement actions in the same transaction as the case change and
    published to Redis after commit; the database row is the truth a reconcile
    rebuilds Redis from.
    """

    # Normalised: lower case, no port or trailing dot, IDNA (punycode).
    host = models.CharField(_("host"), max_length=253)
    state = models.CharField(_("decision"), max_length=10, choices=AccessState.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    case = models.ForeignKey(
        "inspections.RectificationCase",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_decisions",
    )
    website = models.ForeignKey(
        "filings.Website",
        verbose_name=_("website"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_decisions",
        db_index=False,  # accessdecision_website serves it
    )
    tenant = models.ForeignKey(
        "icpportal.Tenant",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        # Never searched by: an index would only slow the escalation's bulk upserts.
        db_index=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("access decision")
        verbose_name_plural = _("access decisions")
        ordering = ["host"]
        constraints = [
            # One decision per host: the upsert key of escalation, reconcile and publishing.
            # A constraint rather than unique=True: no second (LIKE) index on the host.
            models.UniqueConstraint(fields=["host"], name="accessdecision_unique_host"),
        ]
        indexes = [
            # Unblocking a website rewrites the decisions of all its hosts.
            models.Index(fields=["website"], name="accessdecision_website"),
        ]

    def __str__(self) -> str:
        return f"{self.host}: {self.state}"
