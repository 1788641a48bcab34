from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from icpportal.crypto import EncryptedTextField
from icpportal.masking import mask_phone


class NotificationQuerySet(models.QuerySet):
    def in_app_for(self, user):
        return self.filter(channel=Notification.Channel.IN_APP, recipient_user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one recipient on one channel: written in the same transaction as the
    event that causes it (the outbox), then delivered by a worker."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Both foreign keys are served by the leading column of an index below
    # (notification_tenant_recent, notification_inbox): no index of their own.
    tenant = models.ForeignKey(
        "icpportal.Tenant",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    # E-mail address or E.164 phone number; empty for in-app messages.
    recipient_address = models.CharField(_("address"), max_length=254, blank=True)
    template_key = models.CharField(_("event"), max_length=60)
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Values that must never rest in clear (a verification code): encrypted, and wiped
    # once the message reaches a final state.
    secret_context = EncryptedTextField(blank=True, default="")
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # One event never notifies the same recipient twice on the same channel
    # (notification_unique_dedup). NULL, not "", for messages without a key: NULLs
    # never collide in the unique constraint.
    dedup_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    provider_message_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Rendered text kept for the history pages (never contains a secret).
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A constraint rather than unique=True: the same unique index serves
            # ON CONFLICT (dedup_key) of the bulk outbox writes, without the second,
            # pattern-matching index that a unique field gets and no query uses.
            models.UniqueConstraint(fields=["dedup_key"], name="notification_unique_dedup"),
        ]
        indexes = [
            # The sender claims due queued rows, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="queued"),
                name="notification_due",
            ),
            # Stuck "sending" rows are found by their claim time.
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="notification_sending",
            ),
            # The header inbox counts a user's unread in-app messages; a user's history
            # and the cascade when a user is deleted use its leading column. Rows to an
            # address only (the person in charge) are never looked up by user.
            models.Index(
                fields=["recipient_user", "channel", "read_at"],
                condition=models.Q(recipient_user__isnull=False),
                name="notification_inbox",
            ),
            # An owner's history of the account; the cascade when a customer is deleted.
            models.Index(fields=["tenant", "-created_at"], name="notification_tenant_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template_key} → {self.masked_address}"

    @property
    def masked_address(self) -> str:
        if self.channel == self.Channel.SMS:
            return mask_phone(self.recipient_address)
        return self.recipient_address
