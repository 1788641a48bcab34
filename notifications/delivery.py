"""Delivering queued notifications: claim, send, record — never twice.

Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and moved to ``sending`` in
the same transaction, so two senders never take the same row. Transient failures are
retried with capped exponential backoff; after the last attempt the row fails with
its reason. A row left in ``sending`` by a dead worker is released after a lease.
"""

from __future__ import annotations

import datetime
import json
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications.events import render, sms_params
from notifications.models import Notification
from notifications.sms import SmsPermanentError, SmsTransientError, get_sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
SENDING_LEASE = datetime.timedelta(minutes=10)


class TransientDeliveryError(Exception):
    """The channel may work on a later try."""


class PermanentDeliveryError(Exception):
    """Retrying will not help (bad address, rejected template…)."""


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS)
    )


def claim_due(limit: int = 100) -> list[Notification]:
    """Take up to ``limit`` due queued rows for this sender."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        if rows:
            Notification.objects.filter(
                pk__in=[row.pk for row in rows], status=Notification.Status.QUEUED
            ).update(status=Notification.Status.SENDING, claimed_at=now)
    for row in rows:
        row.status, row.claimed_at = Notification.Status.SENDING, now
    return rows


def release_stale(now: datetime.datetime | None = None) -> int:
    """Put rows whose sender died back in the queue."""
    now = now or timezone.now()
    return Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - SENDING_LEASE
    ).update(status=Notification.Status.QUEUED, next_attempt_at=now)


def _send_email(row: Notification, subject: str, body: str) -> str:
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [row.recipient_address]).send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentDeliveryError(f"recipient refused: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientDeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
    return ""


def _send_sms(row: Notification, text: str, context: dict) -> str:
    try:
        return get_sms_backend().send(
            row.recipient_address,
            text,
            template_key=row.template_key,
            params=sms_params(row.template_key, context),
        )
    except SmsTransientError as exc:
        raise TransientDeliveryError(str(exc)) from exc
    except SmsPermanentError as exc:
        raise PermanentDeliveryError(str(exc)) from exc


def deliver(row: Notification) -> Notification.Status:
    """Send one claimed row and record the outcome."""
    context = dict(row.context)
    if row.secret_context:
        context.update(json.loads(row.secret_context))
    rendered = render(row.template_key, context, row.language)
    public = render(row.template_key, {**context, **_redacted(row)}, row.language)
    now = timezone.now()
    update: dict = {"attempts": row.attempts + 1, "claimed_at": None}
    try:
        if row.channel == Notification.Channel.EMAIL:
            message_id = _send_email(row, rendered.subject, rendered.body)
        else:
            message_id = _send_sms(row, rendered.sms, context)
    except TransientDeliveryError as exc:
        update["last_error"] = str(exc)[:2000]
        if update["attempts"] >= MAX_ATTEMPTS:
            update.update(status=Notification.Status.FAILED, secret_context="")
        else:
            update.update(
                status=Notification.Status.QUEUED, next_attempt_at=now + backoff(update["attempts"])
            )
    except PermanentDeliveryError as exc:
        update.update(
            status=Notification.Status.FAILED, last_error=str(exc)[:2000], secret_context=""
        )
    else:
        update.update(
            status=Notification.Status.SENT,
            sent_at=now,
            secret_context="",
            provider_message_id=message_id or "",
            last_error="",
            subject=public.subject[:200],
            body=public.sms if row.channel == Notification.Channel.SMS else public.body,
        )
    Notification.objects.filter(pk=row.pk, status=Notification.Status.SENDING).update(**update)
    if update["status"] == Notification.Status.FAILED:
        logger.warning(
            "notification %s failed after %s attempts: %s",
            row.pk,
            update["attempts"],
            update["last_error"],
        )
    return update["status"]


def _redacted(row: Notification) -> dict:
    """Placeholders for secret values in the copy kept for the history pages."""
    if not row.secret_context:
        return {}
    return {key: "••••••" for key in json.loads(row.secret_context)}


def deliver_due(limit: int = 100) -> int:
    """Claim and send one batch; returns how many rows were handled."""
    rows = claim_due(limit)
    for row in rows:
        deliver(row)
    return len(rows)
