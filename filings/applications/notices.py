"""Telling the customer where an application is: in-app and e-mail to its people.

Called inside the action's transaction (the outbox commits with the event). Every
message carries a dedup key, so a retried action or job never sends one twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from filings.models import Application
from icpportal.models import Membership
from notifications.models import Notification
from notifications.outbox import notify


def recipients(application: Application) -> list[Any]:
    """The tenant's owners, and whoever opened the application if still a member."""
    members = Membership.objects.filter(tenant_id=application.tenant_id, user__is_active=True)
    wanted = members.filter(role=Membership.Role.OWNER).values_list("user_id", flat=True)
    ids = set(wanted)
    if application.created_by_id and members.filter(user_id=application.created_by_id).exists():
        ids.add(application.created_by_id)
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def language_of(user) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def notify_customer(
    application: Application,
    event: str,
    *,
    occurrence: str,
    context: Mapping[str, Any] | None = None,
) -> int:
    """Send ``event`` about ``application`` in-app and by e-mail to its people.

    ``occurrence`` tells repeated events apart (e.g. the id of the audit row of this
    return), so each happening is sent once. Lazy translations in ``context`` are
    rendered in each recipient's language. Returns how many messages were queued
    (0 when every one was sent before).
    """
    queued = 0
    for user in recipients(application):
        language = language_of(user)
        with translation.override(language):
            values = {
                "number": application.pk,
                "kind": str(application.get_kind_display()),
                **{key: str(value) for key, value in (context or {}).items()},
            }
        key = f"{event}:{application.pk}:{occurrence}:{user.pk}"
        queued += (
            notify(
                Notification.Channel.IN_APP,
                event,
                recipient_user=user,
                tenant=application.tenant,
                context=values,
                language=language,
                dedup_key=f"{key}:in_app",
            )
            is not None
        )
        if user.email:
            queued += (
                notify(
                    Notification.Channel.EMAIL,
                    event,
                    recipient_user=user,
                    address=user.email,
                    tenant=application.tenant,
                    context=values,
                    language=language,
                    dedup_key=f"{key}:email",
                )
                is not None
            )
    return queued
