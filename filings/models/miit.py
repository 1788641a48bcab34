"""The MIIT side of an application: its SMS step, its submission to the bureau, and the
counters that filing numbers are issued from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.choices import HeadRole
from icpportal.masking import mask_phone
from icpportal.tenancy import TenantQuerySet


class MiitVerification(models.Model):
    """One MIIT SMS code a head of an application must enter (工信部短信核验).

    The registry sends the code to the head's mobile; the head has 24 hours and a few
    tries. The code is never stored: only an HMAC of it keyed with a server secret.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the code")
        VERIFIED = "verified", _("Verified")
        EXPIRED = "expired", _("Expired")
        MAX_ATTEMPTS = "max_attempts", _("Too many wrong codes")
        CANCELLED = "cancelled", _("Cancelled")

    tenant = models.ForeignKey(
        "icpportal.Tenant", on_delete=models.CASCADE, related_name="miit_verifications"
    )
    application = models.ForeignKey(
        "filings.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="miit_verifications",
    )
    role = models.CharField(_("head"), max_length=20, choices=HeadRole.choices)
    # The person on file, when the head is one already (a first filing's heads are not).
    person = models.ForeignKey(
        "filings.Person",
        verbose_name=_("person in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    head_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile"), max_length=20)
    # Written by the registry when it sends the code; a random salt per code.
    code_salt = models.CharField(max_length=32, blank=True)
    code_hmac = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("wrong entries"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("MIIT SMS verification")
        verbose_name_plural = _("MIIT SMS verifications")
        ordering = ["application", "role", "-sent_at"]
        constraints = [
            # A new SMS step cancels the old codes: one pending code per head.
            models.UniqueConstraint(
                fields=["application", "role"],
                condition=models.Q(status="pending"),
                name="miit_one_pending_per_head",
            )
        ]
        indexes = [
            # The 24-hour job finds pending codes past their expiry.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="pending"),
                name="miit_pending_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {mask_phone(self.phone)} {self.get_status_display()}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class BureauSubmission(models.Model):
    """An application as the simulated bureau received it, and the bureau's answer.

    The local registry simulator keeps these; it decides a submission by rules once
    ``due_at`` has passed (``REGISTRY_SIMULATOR_DELAY_SECONDS`` after submission).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Under bureau review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    application = models.OneToOneField(
        "filings.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="bureau_submission",
    )
    reference = models.CharField(_("bureau reference"), max_length=64, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    due_at = models.DateTimeField(_("decision due at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    issued_numbers = models.JSONField(_("issued filing numbers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bureau submission")
        verbose_name_plural = _("bureau submissions")
        ordering = ["submitted_at", "id"]
        indexes = [
            # The bureau decides pending submissions once they are due.
            models.Index(fields=["due_at"], condition=models.Q(state="pending"), name="bureau_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_state_display()})"


class FilingNumberCounter(models.Model):
    """The last serial issued in one numbering scope.

    Entity serials count per province and year (scope ``滇2026``); website serials
    count per entity number (scope ``滇ICP备2026000001号``). Issuing locks the row, so
    two approvals at the same moment never get the same number.
    """

    scope = models.CharField(_("scope"), max_length=48, unique=True)
    last_serial = models.PositiveIntegerField(_("last serial"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("filing-number counter")
        verbose_name_plural = _("filing-number counters")
        ordering = ["scope"]

    def __str__(self) -> str:
        return f"{self.scope}: {self.last_serial}"
