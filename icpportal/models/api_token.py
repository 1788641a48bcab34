from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_HMAC_SALT = "icpportal.api.token"
# "icp_" + an 8-character public prefix + "_" + the secret.
TOKEN_PREFIX = "icp_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 8


def api_token_hash(token: str) -> str:
    """The keyed hash stored for ``token``: a leaked table row is no usable token."""
    return salted_hmac(_HMAC_SALT, token, algorithm="sha256").hexdigest()


def new_api_token() -> tuple[str, str]:
    """A fresh token and its public prefix (the part shown in lists)."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now: datetime.datetime | None = None) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def by_token(self, token: str) -> ApiToken | None:
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        return (
            self.select_related("user", "tenant").filter(token_hash=api_token_hash(token)).first()
        )


class ApiToken(models.Model):
    """A personal key for the REST API: a script or an integration acts as its user.

    The token is shown once, when it is created; only its keyed hash is kept. It works
    for the customer account it was made in, with its scopes (read, write), until it
    expires or its user revokes it.
    """

    class Scope(models.TextChoices):
        READ = "read", pgettext_lazy("API token scope", "Read")
        WRITE = "write", pgettext_lazy("API token scope", "Write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    # The customer account the token works in; none for compliance staff.
    tenant = models.ForeignKey(
        "icpportal.Tenant",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The token page lists one user's tokens, newest first.
            models.Index(fields=["user", "-created_at"], name="api_token_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.prefix}…)"

    @property
    def display_prefix(self) -> str:
        return f"{TOKEN_PREFIX}{self.prefix}…"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def is_active_at(self, now: datetime.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return self.is_active_at()

    def get_scopes_display(self) -> str:
        labels = dict(self.Scope.choices)
        return ", ".join(str(labels.get(s, s)) for s in self.scopes or [])
