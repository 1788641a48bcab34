from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from icpportal.models.tenancy import Membership, Tenant
from icpportal.tenancy import TenantQuerySet

INVITATION_VALIDITY = datetime.timedelta(days=7)
_HMAC_SALT = "icpportal.accounts.invitation"


def new_invitation_token() -> str:
    """A fresh secret for an invitation link (256 bits from the OS's CSPRNG)."""
    return secrets.token_urlsafe(32)


def invitation_token_hash(token: str) -> str:
    """The keyed hash stored for ``token``: a leaked table row cannot be turned into a link."""
    return salted_hmac(_HMAC_SALT, token, algorithm="sha256").hexdigest()


class InvitationQuerySet(TenantQuerySet):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (expired ones included)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self, now: datetime.datetime | None = None) -> InvitationQuerySet:
        """Still usable: open and not yet expired."""
        return self.open().filter(expires_at__gt=now or timezone.now())

    def by_token(self, token: str) -> Invitation | None:
        if not token:
            return None
        return (
            self.select_related("tenant", "invited_by")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )


class Invitation(models.Model):
    """An e-mailed invitation to join a customer account with a role.

    The link in the e-mail carries a secret token; only its keyed hash is kept here.
    The link works once, for seven days, unless an owner revokes it first.
    """

    class State(models.TextChoices):
        # A context: "Pending" alone already means a domain's real-name review.
        PENDING = "pending", pgettext_lazy("invitation state", "Pending")
        ACCEPTED = "accepted", pgettext_lazy("invitation state", "Accepted")
        REVOKED = "revoked", pgettext_lazy("invitation state", "Revoked")
        EXPIRED = "expired", pgettext_lazy("invitation state", "Expired")

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="invitations"
    )
    # Kept lower-case, so one address has one open invitation per customer.
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A new invitation to the same address replaces the open one (the action
            # revokes it first); two open links for one person would be confusing.
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
                violation_error_message=_("This address already has an open invitation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.tenant} ({self.get_role_display()})"

    def state_at(self, now: datetime.datetime | None = None) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if (now or timezone.now()) >= self.expires_at:
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def state(self) -> str:
        return self.state_at()

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)
