"""Account actions: sign up, invite, accept, revoke, change a role, remove a member.

Pages call these. Each runs in one transaction, writes an audit row and queues its
messages in the outbox (sent after the commit). A mistake the user can make comes
back as an :class:`AccountResult` with a message in their language, and nothing is
saved.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from itertools import count
from typing import Any

from axes.utils import reset as reset_login_lockout
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icpportal import audit
from icpportal.models import Invitation, Membership, Tenant
from icpportal.models.invitation import (
    INVITATION_VALIDITY,
    invitation_token_hash,
    new_invitation_token,
)
from notifications.models import Notification
from notifications.outbox import notify

RATE_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class AccountResult:
    """What an action did: ``ok`` and a message for the user; ``value`` the new object."""

    ok: bool
    message: str = ""
    value: Any = None


def _refused(message: str) -> AccountResult:
    return AccountResult(False, message)


# --- Rate limits ---------------------------------------------------------------------------


def count_attempt(scope: str, key: str, limit: int) -> int | None:
    """Count one attempt of ``key`` (an IP address) in this hour's window.

    Returns the seconds until the window ends when ``limit`` is exceeded, else None.
    The counter lives in the cache: shared by every web process when it is Redis.
    """
    now = int(time.time())
    window_start = now - now % RATE_WINDOW_SECONDS
    cache_key = f"icp:rate:{scope}:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=RATE_WINDOW_SECONDS + 60)
    try:
        attempts = cache.incr(cache_key)
    except ValueError:
        # The counter vanished between add and incr (evicted): start again.
        cache.set(cache_key, 1, timeout=RATE_WINDOW_SECONDS + 60)
        attempts = 1
    if attempts > limit:
        return max(window_start + RATE_WINDOW_SECONDS - now, 1)
    return None


def too_many_attempts_message(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    return ngettext(
        "Too many attempts from your network. Please try again in %(n)d minute.",
        "Too many attempts from your network. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def sign_up_limit() -> int:
    return getattr(settings, "SIGN_UP_LIMIT_PER_HOUR", 10)


def password_reset_limit() -> int:
    return getattr(settings, "PASSWORD_RESET_LIMIT_PER_HOUR", 10)


# --- Sign up ---------------------------------------------------------------------------------


def email_in_use(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email.strip()).exists()


def username_in_use(username: str) -> bool:
    user_model = get_user_model()
    return user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username}).exists()


def _create_user(username: str, email: str, password: str) -> AccountResult:
    """The new login, or a refusal when the name or address was taken meanwhile."""
    if username_in_use(username):
        return _refused(_("A user with that user name already exists."))
    if email_in_use(email):
        return _refused(
            _("An account with this e-mail address already exists. Log in or reset your password.")
        )
    user_model = get_user_model()
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        # Another sign-up took the same user name between the check and the insert.
        return _refused(_("A user with that user name already exists."))
    return AccountResult(True, value=user)


def _create_tenant(name: str, contact_email: str) -> Tenant:
    """A customer account whose short name (slug) is derived from its name and unique."""
    base = slugify(name)[:50].strip("-") or "customer"
    taken = set(Tenant.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug = next(
        candidate
        for candidate in (base if n == 1 else f"{base}-{n}" for n in count(1))
        if candidate not in taken
    )
    try:
        with transaction.atomic():
            return Tenant.objects.create(name=name, slug=slug, contact_email=contact_email)
    except IntegrityError:
        # A concurrent sign-up chose the same slug: a random suffix cannot collide again.
        slug = f"{base}-{secrets.token_hex(3)}"
        return Tenant.objects.create(name=name, slug=slug, contact_email=contact_email)


def do_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    tenant_name: str,
    language: str | None = None,
) -> AccountResult:
    """Create a login, its customer account and the owner membership, all or nothing.

    The password must already have passed Django's validators (the sign-up form).
    """
    email = get_user_model().objects.normalize_email(email.strip())
    tenant_name = tenant_name.strip()
    language = language or translation.get_language()
    with transaction.atomic():
        created = _create_user(username, email, password)
        if not created.ok:
            return created
        user = created.value
        tenant = _create_tenant(tenant_name, contact_email=email)
        membership = Membership.objects.create(user=user, tenant=tenant, role=Membership.Role.OWNER)
        audit.record(
            "account.sign_up",
            user,
            actor=user,
            tenant=tenant,
            after={"username": user.get_username(), "email": email, "tenant": tenant.name},
        )
        audit.record(
            "tenant.create",
            tenant,
            actor=user,
            after={"name": tenant.name, "slug": tenant.slug, "owner": user.get_username()},
        )
        notify(
            Notification.Channel.IN_APP,
            "account_welcome",
            recipient_user=user,
            tenant=tenant,
            context={"tenant": tenant.name, "provider": settings.PROVIDER_NAME},
            language=language,
        )
    return AccountResult(
        True,
        _("Welcome! Your customer account %(tenant)s is ready.") % {"tenant": tenant.name},
        membership,
    )


def do_sign_up_invited(
    token: str,
    *,
    username: str,
    password: str,
    language: str | None = None,
) -> AccountResult:
    """Create a login for the invited address and join the inviting customer account."""
    with transaction.atomic():
        invitation = Invitation.objects.by_token(token)
        problem = invitation_problem(invitation)
        if problem is not None:
            return _refused(problem)
        created = _create_user(username, invitation.email, password)
        if not created.ok:
            return created
        user = created.value
        audit.record(
            "account.sign_up",
            user,
            actor=user,
            tenant=invitation.tenant,
            after={
                "username": user.get_username(),
                "email": user.email,
                "invitation": invitation.pk,
            },
        )
        joined = do_accept_invitation(token, user=user, language=language)
        if not joined.ok:
            # The invitation was used or revoked a moment ago: no login without a place.
            transaction.set_rollback(True)
        return joined


# --- Invitations -----------------------------------------------------------------------------


def _is_owner(user, tenant: Tenant) -> bool:
    return Membership.objects.filter(user=user, tenant=tenant, role=Membership.Role.OWNER).exists()


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation link cannot be used, in the visitor's words; None if it can."""
    if invitation is None or not invitation.tenant.is_active:
        return _(
            "This invitation link is not valid. Check that you opened the whole link from "
            "the e-mail, or ask the customer account's owner for a new invitation."
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        return _(
            "This invitation has already been used. Each link works once: if it was you "
            "who accepted it, log in to reach %(tenant)s."
        ) % {"tenant": invitation.tenant.name}
    if state == Invitation.State.REVOKED:
        return _(
            "This invitation was withdrawn by an owner of %(tenant)s. Ask them for a new "
            "one if you still need access."
        ) % {"tenant": invitation.tenant.name}
    if state == Invitation.State.EXPIRED:
        return _(
            "This invitation expired on %(date)s. Ask an owner of %(tenant)s to send a new one."
        ) % {
            "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            "tenant": invitation.tenant.name,
        }
    return None


def do_invite(
    tenant: Tenant,
    *,
    email: str,
    role: str,
    actor,
    base_url: str,
    language: str | None = None,
) -> AccountResult:
    """E-mail a one-time link that lets the holder join ``tenant`` with ``role``.

    A newer invitation to the same address replaces an open one. ``base_url`` is the
    portal's address as the inviting owner reached it (for the link).
    """
    email = email.strip().lower()
    language = language or translation.get_language()
    if role not in Membership.Role.values:
        return _refused(_("Choose a role: owner or member."))
    with transaction.atomic():
        # Serialise invitations of one customer: the open-invitation constraint then
        # never turns a double click into an error page.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        if not _is_owner(actor, tenant):
            return _refused(_("Only owners of the customer account can invite members."))
        if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
            return _refused(
                _("%(email)s is already a member of %(tenant)s.")
                % {"email": email, "tenant": tenant.name}
            )
        now = timezone.now()
        replaced = list(
            Invitation.objects.for_tenant(tenant).open().filter(email=email).select_for_update()
        )
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit.record(
                "invitation.revoke",
                old,
                actor=actor,
                before={"email": old.email, "role": old.role},
                reason="Replaced by a new invitation to the same address.",
            )
        token = new_invitation_token()
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by=actor,
            expires_at=now + INVITATION_VALIDITY,
        )
        audit.record(
            "invitation.create",
            invitation,
            actor=actor,
            after={"email": email, "role": role, "expires_at": invitation.expires_at.isoformat()},
        )
        with translation.override(language):
            role_label = str(Membership.Role(role).label)
        notify(
            Notification.Channel.EMAIL,
            "account_invitation",
            address=email,
            tenant=tenant,
            context={
                "inviter": actor.get_full_name() or actor.get_username(),
                "tenant": tenant.name,
                "role": role_label,
                "provider": settings.PROVIDER_NAME,
                "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            },
            # The link is the invitation itself: encrypted until sent, never kept after.
            secret_context={
                "url": base_url.rstrip("/") + reverse("invitation-accept", args=[token])
            },
            language=language,
            dedup_key=f"invitation:{invitation.pk}",
        )
    if replaced:
        message = _("A new invitation was sent to %(email)s; the earlier link no longer works.") % {
            "email": email
        }
    else:
        message = _("An invitation was sent to %(email)s.") % {"email": email}
    return AccountResult(True, message, invitation)


def do_accept_invitation(token: str, *, user, language: str | None = None) -> AccountResult:
    """Join the invitation's customer account with its role; the link is then used up."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .filter(token_hash=invitation_token_hash(token or ""))
            .first()
        )
        problem = invitation_problem(invitation)
        if problem is not None:
            return _refused(problem)
        tenant = invitation.tenant
        if Membership.objects.filter(user=user, tenant=tenant).exists():
            return _refused(_("You are already a member of %(tenant)s.") % {"tenant": tenant.name})
        membership = Membership.objects.create(user=user, tenant=tenant, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            "invitation.accept",
            invitation,
            actor=user,
            after={"user": user.get_username(), "role": invitation.role},
        )
        audit.record(
            "membership.create",
            membership,
            actor=user,
            after={
                "user": user.get_username(),
                "role": membership.role,
                "invitation": invitation.pk,
            },
        )
        if invitation.invited_by_id is not None:
            notify(
                Notification.Channel.IN_APP,
                "account_member_joined",
                recipient_user=invitation.invited_by,
                tenant=tenant,
                context={"user": user.get_username(), "tenant": tenant.name},
                dedup_key=f"invitation-accepted:{invitation.pk}",
            )
    return AccountResult(True, _("You joined %(tenant)s.") % {"tenant": tenant.name}, membership)


def do_revoke_invitation(invitation: Invitation, *, actor) -> AccountResult:
    """Withdraw an invitation: its link stops working at once."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not _is_owner(actor, invitation.tenant):
            return _refused(_("Only owners of the customer account can revoke invitations."))
        state = invitation.state
        if state == Invitation.State.ACCEPTED:
            return _refused(_("This invitation was already accepted. Remove the member instead."))
        if state == Invitation.State.REVOKED:
            return _refused(_("This invitation was already revoked."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(
            "invitation.revoke",
            invitation,
            actor=actor,
            before={"email": invitation.email, "role": invitation.role, "state": state},
            after={"state": Invitation.State.REVOKED},
        )
    return AccountResult(
        True,
        _("The invitation to %(email)s was revoked; its link no longer works.")
        % {"email": invitation.email},
        invitation,
    )


# --- Members ---------------------------------------------------------------------------------


def _lock_owners(tenant_id: int) -> list[int]:
    """Lock the owner rows of a customer and return their user ids.

    Two owners demoting or removing each other at the same moment are serialised
    here, so the account can never be left without an owner.
    """
    return list(
        Membership.objects.select_for_update()
        .filter(tenant_id=tenant_id, role=Membership.Role.OWNER)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def _last_owner_message(membership: Membership) -> str:
    return _("%(user)s is the only owner of %(tenant)s. Make another member an owner first.") % {
        "user": membership.user.get_username(),
        "tenant": membership.tenant.name,
    }


def do_change_role(membership: Membership, *, role: str, actor) -> AccountResult:
    """Make a member an owner or an owner a member (never the last owner)."""
    if role not in Membership.Role.values:
        return _refused(_("Choose a role: owner or member."))
    with transaction.atomic():
        owners = _lock_owners(membership.tenant_id)
        if actor.pk not in owners:
            return _refused(_("Only owners of the customer account can change roles."))
        target = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "tenant")
            .get(pk=membership.pk)
        )
        label = {"user": target.user.get_username(), "role": Membership.Role(role).label}
        if target.role == role:
            return AccountResult(True, _("%(user)s is already %(role)s.") % label, target)
        if target.role == Membership.Role.OWNER and len(owners) <= 1:
            return _refused(_last_owner_message(target))
        before = target.role
        target.role = role
        target.save(update_fields=["role"])
        audit.record(
            "membership.change_role",
            target,
            actor=actor,
            before={"user": target.user.get_username(), "role": before},
            after={"user": target.user.get_username(), "role": role},
        )
    return AccountResult(True, _("%(user)s is now %(role)s.") % label, target)


def do_remove_member(membership: Membership, *, actor) -> AccountResult:
    """Take a login out of the customer account (never the last owner)."""
    with transaction.atomic():
        owners = _lock_owners(membership.tenant_id)
        if actor.pk not in owners:
            return _refused(_("Only owners of the customer account can remove members."))
        target = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "tenant")
            .get(pk=membership.pk)
        )
        if target.role == Membership.Role.OWNER and len(owners) <= 1:
            return _refused(_last_owner_message(target))
        username, tenant_name = target.user.get_username(), target.tenant.name
        audit.record(
            "membership.remove",
            target,
            actor=actor,
            before={"user": username, "role": target.role},
        )
        target.delete()
    return AccountResult(
        True,
        _("%(user)s no longer has access to %(tenant)s.")
        % {"user": username, "tenant": tenant_name},
    )


# --- Passwords -------------------------------------------------------------------------------


def do_record_password_change(user, *, how: str, language: str | None = None) -> None:
    """Audit a password change or reset and tell the owner of the login by e-mail.

    ``how`` is ``"change"`` (logged in) or ``"reset"`` (e-mailed link). A reset also
    lifts a login lockout: whoever reset the password proved they hold the mailbox.
    """
    with transaction.atomic():
        audit.record(f"account.password_{how}", user, actor=user)
        if user.email:
            notify(
                Notification.Channel.EMAIL,
                "account_password_changed",
                address=user.email,
                recipient_user=user,
                context={
                    "username": user.get_username(),
                    "provider": settings.PROVIDER_NAME,
                    "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                    "contact": settings.PROVIDER_CONTACT,
                },
                language=language or translation.get_language(),
            )
    if how == "reset":
        reset_login_lockout(username=user.get_username())
