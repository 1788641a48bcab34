"""Creating and revoking API tokens: the only ways a token changes.

A token belongs to one user and works in the customer account it was created in.
Compliance staff get a token only when their login has a second factor: a token
stands in for a login, so it must not be weaker than one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icpportal import audit
from icpportal.models import ApiToken, Membership
from icpportal.models.api_token import api_token_hash, new_api_token
from icpportal.tenancy import is_staff_member

NAME_MAX_LENGTH = 100


def staff_has_second_factor(user) -> bool:
    """Whether ``user`` has a confirmed second factor (a django-otp device)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from django_otp import devices_for_user

    return any(True for _device in devices_for_user(user, confirmed=True))


def max_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)


def default_expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    days = min(settings.API_TOKEN_DEFAULT_DAYS, settings.API_TOKEN_MAX_DAYS)
    return (now or timezone.now()) + datetime.timedelta(days=days)


@dataclass(frozen=True)
class TokenResult:
    """How a token action ended. ``secret`` is the token itself, present once: in the
    answer to its creation."""

    ok: bool
    code: str
    message: str = ""
    token: ApiToken | None = None
    secret: str = ""
    field_errors: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


def _refused(code: str, message: str, **kwargs) -> TokenResult:
    return TokenResult(False, code, str(message), **kwargs)


def _check_details(
    name: str, scopes: Iterable[str], expires_at: datetime.datetime | None, now
) -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the token a name, e.g. the script that uses it.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("The name can have at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}]
    wanted = list(dict.fromkeys(scopes or []))
    if not wanted:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif any(scope not in ApiToken.Scope.values for scope in wanted):
        errors["scopes"] = [_("Unknown scope.")]
    if expires_at is None:
        errors["expires_at"] = [_("Choose when the token expires.")]
    elif expires_at <= now:
        errors["expires_at"] = [_("The expiry must lie in the future.")]
    elif expires_at > now + max_lifetime():
        errors["expires_at"] = [
            _("A token can live at most %(days)d days.") % {"days": max_lifetime().days}
        ]
    ordered = [s for s in ApiToken.Scope.values if s in wanted]
    return {"name": name, "scopes": ordered, "expires_at": expires_at}, errors


def do_create_api_token(
    user,
    *,
    tenant,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime.datetime | None,
) -> TokenResult:
    """A new token for ``user`` in ``tenant`` (None: a compliance-staff token).

    The answer carries the token once; only its keyed hash is stored.
    """
    now = timezone.now()
    if tenant is None:
        if not is_staff_member(user):
            return _refused("no_account", _("API tokens work in a customer account."))
        if not staff_has_second_factor(user):
            return _refused(
                "second_factor_required",
                _("Set up a second factor for your login before you create an API token."),
            )
    elif not Membership.objects.filter(user=user, tenant=tenant, tenant__is_active=True).exists():
        return _refused("no_account", _("You are not a member of this customer account."))
    cleaned, errors = _check_details(name, scopes, expires_at, now)
    if errors:
        return _refused("invalid", _("Correct the marked details."), field_errors=errors)
    secret, prefix = new_api_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, tenant=tenant, prefix=prefix, token_hash=api_token_hash(secret), **cleaned
        )
        audit.record(
            "api_token.create",
            token,
            actor=user,
            tenant=tenant,
            after={
                "name": token.name,
                "prefix": token.prefix,
                "scopes": token.scopes,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return TokenResult(True, "created", _("The token was created."), token, secret)


def do_revoke_api_token(token: ApiToken, *, actor) -> TokenResult:
    """Stop a token from working, at once and for good."""
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is not None:
            return TokenResult(
                True, "already_revoked", _("The token was already revoked."), current
            )
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        audit.record(
            "api_token.revoke",
            current,
            actor=actor,
            tenant=current.tenant,
            after={"prefix": current.prefix},
        )
    return TokenResult(True, "revoked", _("The token was revoked."), current)


# Writing last_used_at on every request would turn each read into a write.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def note_token_use(token: ApiToken, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
