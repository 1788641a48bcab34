from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from icpportal.masking import mask_phone
from icpportal.tenancy import TenantQuerySet


class PhoneVerification(FSMModelMixin, models.Model):
    """One SMS code sent to a person in charge to prove their mobile number is reachable.

    The code itself is never stored: only an HMAC of it keyed with a server secret.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the code")
        APPROVED = "approved", _("Verified")
        EXPIRED = "expired", _("Expired")
        MAX_ATTEMPTS = "max_attempts", _("Too many wrong codes")
        CANCELLED = "cancelled", _("Cancelled")

    class Purpose(models.TextChoices):
        SELF_INSPECTION = "self_inspection", _("Contact self-inspection")
        RECTIFICATION = "rectification", _("Rectification")

    tenant = models.ForeignKey(
        "icpportal.Tenant", on_delete=models.CASCADE, related_name="phone_verifications"
    )
    person = models.ForeignKey(
        "filings.Person",
        verbose_name=_("person in charge"),
        on_delete=models.CASCADE,
        related_name="phone_verifications",
    )
    phone = models.CharField(_("mobile"), max_length=20)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.SELF_INSPECTION
    )
    # A random salt per code, so equal codes never give equal HMACs.
    code_salt = models.CharField(max_length=32)
    code_hmac = models.CharField(max_length=64)
    status = FSMField(
        _("status"),
        max_length=15,
        choices=Status.choices,
        default=Status.PENDING,
        protected=True,
    )
    attempts = models.PositiveSmallIntegerField(_("wrong entries"), default=0)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Send limits count recent codes per number, per user and per address.
            models.Index(fields=["phone", "created_at"], name="verification_phone_recent"),
            models.Index(fields=["created_by", "created_at"], name="verification_user_recent"),
            models.Index(fields=["client_ip", "created_at"], name="verification_ip_recent"),
        ]
        constraints = [
            # A resend cancels the old code: at most one pending code per person.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="verification_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.get_status_display()}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    # The state machine: every change of status goes through one of these.
    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self) -> None:
        """The right code was entered in time."""

    @transition(field=status, source=Status.PENDING, target=Status.EXPIRED)
    def expire(self) -> None:
        """The code was not entered within its validity."""

    @transition(field=status, source=Status.PENDING, target=Status.MAX_ATTEMPTS)
    def lock(self) -> None:
        """Too many wrong codes were entered."""

    @transition(field=status, source=Status.PENDING, target=Status.CANCELLED)
    def cancel(self) -> None:
        """A new code was requested, or the user gave up."""
