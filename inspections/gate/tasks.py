"""Periodic job of the access gate (listed in CELERY_IMPORTS and CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from inspections.gate.reconcile import reconcile


@shared_task(name="inspections.gate.tasks.reconcile_access_decisions")
def reconcile_access_decisions() -> dict:
    """Recompute every host's gate decision and rebuild Redis from the database."""
    result = reconcile()
    return {"changed": result.changed, "unfiled": result.unfiled, "redis": result.redis_rebuilt}
