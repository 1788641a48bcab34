"""Safeguards of enforcement: the global pause and the lead's approval of a campaign's blocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnforcementControl(models.Model):
    """The lead's switch that pauses every block and cancel (one row).

    While paused, cases still become overdue and warnings still go out, but no access
    is blocked or cancelled.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    paused = models.BooleanField(_("enforcement paused"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("enforcement switch")
        verbose_name_plural = _("enforcement switch")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="enforcement_control_singleton")
        ]

    def __str__(self) -> str:
        return str(_("Enforcement paused") if self.paused else _("Enforcement running"))

    @classmethod
    def current(cls) -> EnforcementControl:
        control, _created = cls.objects.get_or_create(id=cls.SINGLETON_ID)
        return control


class BlockBudget(models.Model):
    """How many blocks were applied in one clock hour: the hourly cap counts here.

    Escalation reserves blocks with one conditional UPDATE before applying them, so
    concurrent workers never exceed the cap together.
    """

    hour = models.DateTimeField(_("hour"), unique=True)
    blocks = models.PositiveIntegerField(_("blocks"), default=0)

    class Meta:
        verbose_name = _("hourly block count")
        verbose_name_plural = _("hourly block counts")
        ordering = ["-hour"]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00}: {self.blocks}"


class CampaignBlockApproval(models.Model):
    """A lead's approval that one campaign may block more websites than the threshold."""

    campaign = models.OneToOneField(
        "inspections.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="block_approval",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("campaign block approval")
        verbose_name_plural = _("campaign block approvals")

    def __str__(self) -> str:
        return f"{self.campaign}: {self.approved_by}"
