"""What staff decided about a rule answer the rules could not give (cannot_tell)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from icpportal.tenancy import TenantQuerySet


class TriageOutcome(models.TextChoices):
    ACCEPT_PASS = "accept_pass", _("Accepted as pass")
    CONFIRM_FAILURE = "confirm_failure", _("Confirmed as failure")
    RECHECK = "recheck", _("Sent for re-check")


class TriageDecision(models.Model):
    """A staff member's call on one cannot_tell result: pass, failure, or check again.

    One decision per result; a result with a decision leaves the triage queue. A
    confirmed failure opens (or joins) the website's rectification case; a re-check
    runs the rule again, and its new result comes to the queue if it still cannot tell.
    """

    result = models.OneToOneField(
        "inspections.RuleResult",
        verbose_name=_("result"),
        on_delete=models.CASCADE,
        related_name="triage",
    )
    # The result's customer, copied so tenant scoping needs no join.
    tenant = models.ForeignKey("icpportal.Tenant", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("decision"), max_length=20, choices=TriageOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    case = models.ForeignKey(
        "inspections.RectificationCase",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # only read from the decision
    )
    recheck = models.ForeignKey(
        "inspections.Campaign",
        verbose_name=_("re-check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # only read from the decision
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.result_id}"
