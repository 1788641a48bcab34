"""Celery tasks of enforcement: they take ids, re-read, and are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from inspections.enforcement import cases, escalation

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True)
def escalate_due_cases(batch_size: int | None = None) -> int:
    """Every minute (beat): move due cases one step. Safe to run twice at once."""
    report = escalation.escalate_due_cases(batch_size=batch_size)
    if report.total:
        logger.info("Escalation moved cases: %s", dict(report.steps))
    return report.total


@shared_task(ignore_result=True, acks_late=True)
def open_cases_for_campaign(campaign_id: int) -> None:
    """After a campaign finished: open, join, close or resolve rectification cases."""
    report = cases.open_cases_for_campaign(campaign_id)
    logger.info("Campaign %s: %s", campaign_id, report)
