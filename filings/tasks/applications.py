"""Periodic jobs of applications: bureau answers, the MIIT 24 hours, draft reminders and expiry.

Each job takes ids, calls the actions (which lock and re-check every row), and is
safe to run twice at once or to repeat: a reminder has a dedup key, an expiry or a
decision happens once because the action re-reads the status under a lock.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from filings.applications.actions import do_bureau_decide, do_expire_draft, do_expire_sms_step
from filings.applications.drafts import DRAFT_LIFETIME, REMINDER_DAYS
from filings.applications.notices import notify_customer
from filings.choices import ApplicationStatus
from filings.models import Application, MiitVerification
from filings.registry import RegistryError, SubmissionState, get_registry

logger = logging.getLogger(__name__)

__all__ = ["expire_sms_steps", "poll_bureau", "remind_and_expire_drafts"]

BATCH = 500


@shared_task(ignore_result=True)
def poll_bureau(limit: int = BATCH) -> int:
    """Ask the registry about applications under bureau review; record final answers."""
    pending = (
        Application.objects.filter(status=ApplicationStatus.BUREAU_REVIEW)
        .exclude(registry_reference="")
        .order_by("bureau_submitted_at", "id")
        .values_list("pk", "registry_reference")[:limit]
    )
    registry = get_registry()
    decided = 0
    for pk, reference in pending:
        try:
            status = registry.status(reference)
        except RegistryError:
            # Unreachable or unknown now: asked again at the next run.
            logger.warning("Bureau status of application %s (%s) unavailable", pk, reference)
            continue
        if not status.is_final:
            continue
        result = do_bureau_decide(
            pk,
            approved=status.state == SubmissionState.APPROVED,
            reasons=status.reasons,
            issued_numbers=status.issued_numbers,
        )
        if result.ok:
            decided += 1
        else:
            logger.error(
                "Bureau decision on application %s not recorded: %s %s",
                pk,
                result.message,
                dict(result.field_errors),
            )
    return decided


@shared_task(ignore_result=True)
def expire_sms_steps(limit: int = BATCH) -> int:
    """Return applications whose heads did not enter their MIIT codes within 24 hours."""
    due = (
        MiitVerification.objects.filter(
            status=MiitVerification.Status.PENDING,
            expires_at__lte=timezone.now(),
            application__status=ApplicationStatus.SMS_VERIFICATION,
        )
        .values_list("application_id", flat=True)
        .distinct()[:limit]
    )
    return sum(1 for pk in due if do_expire_sms_step(pk).ok)


@shared_task(ignore_result=True)
def remind_and_expire_drafts(limit: int = BATCH) -> dict[str, int]:
    """Drafts idle 30 and 40 days get a reminder (once each); idle 45 days, they expire."""
    now = timezone.now()
    drafts = Application.objects.filter(status=ApplicationStatus.DRAFT)
    expired = sum(
        1
        for pk in drafts.filter(last_activity_at__lte=now - DRAFT_LIFETIME)
        .order_by("last_activity_at")
        .values_list("pk", flat=True)[:limit]
        if do_expire_draft(pk, now=now).ok
    )
    reminded = 0
    idle = drafts.filter(
        last_activity_at__lte=now - datetime.timedelta(days=min(REMINDER_DAYS)),
        last_activity_at__gt=now - DRAFT_LIFETIME,
    ).select_related("tenant")
    for application in idle.order_by("last_activity_at")[:limit]:
        days = (now - application.last_activity_at).days
        # The latest reminder due; a job that was down skips the earlier one.
        due = max(d for d in REMINDER_DAYS if d <= days)
        expires_on = timezone.localtime(application.last_activity_at + DRAFT_LIFETIME).date()
        # The key includes the idle period: a change starts the count again.
        period = int(application.last_activity_at.timestamp())
        reminded += notify_customer(
            application,
            "draft_reminder",
            occurrence=f"{period}:{due}",
            context={"days": due, "expires_on": expires_on.isoformat()},
        )
    return {"expired": expired, "reminded": reminded}
