"""Writing notifications: call :func:`notify` inside the transaction of the event.

The row commits with the event or not at all; delivery starts after the commit.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.events import EVENTS, render
from notifications.models import Notification


def _language_of(user) -> str:
    profile_language = getattr(user, "preferred_language", "") if user is not None else ""
    return profile_language or settings.LANGUAGE_CODE


def notify(
    channel: str,
    template_key: str,
    *,
    recipient_user=None,
    address: str = "",
    tenant=None,
    context: dict | None = None,
    secret_context: dict | None = None,
    language: str | None = None,
    dedup_key: str | None = None,
) -> Notification | None:
    """Queue one message; returns None when ``dedup_key`` was already used.

    ``secret_context`` (e.g. a verification code) is stored encrypted and wiped once
    the message is delivered or given up.
    """
    if template_key not in EVENTS:
        raise KeyError(f"Unknown notification event {template_key!r}.")
    if channel != Notification.Channel.IN_APP and not address:
        raise ValueError("E-mail and SMS notifications need an address.")
    context = context or {}
    language = language or _language_of(recipient_user)
    now = timezone.now()
    notification = Notification(
        channel=channel,
        tenant=tenant,
        recipient_user=recipient_user,
        recipient_address=address,
        template_key=template_key,
        context=context,
        secret_context=json.dumps(secret_context) if secret_context else "",
        language=language,
        dedup_key=dedup_key,
        next_attempt_at=now,
    )
    if channel == Notification.Channel.IN_APP:
        # In-app messages are delivered by being written.
        rendered = render(template_key, context, language)
        notification.subject, notification.body = rendered.subject, rendered.body
        notification.status = Notification.Status.SENT
        notification.sent_at = now
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        if dedup_key and Notification.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    if notification.status == Notification.Status.QUEUED:
        transaction.on_commit(_kick_sender)
    return notification


def _kick_sender() -> None:
    from notifications.tasks import deliver_notifications

    deliver_notifications.delay()
