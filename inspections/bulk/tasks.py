"""The worker side of bulk jobs: start (freeze the cases), handle them in chunks, end.

``run_bulk_job`` takes the job id and where to go on from; it is acknowledged when it
ends (``acks_late``), so a lost worker's chunk runs again and skips what it handled.
It re-queues itself after a time budget well inside the broker's visibility timeout.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from celery import Task, shared_task
from django.db.models import F

from icpportal.models import BulkJob, BulkJobItem
from inspections.bulk.jobs import BulkJobError, check_may_run, end, start
from inspections.bulk.steps import handle_case
from inspections.tasks import RETRY

logger = logging.getLogger(__name__)
CHUNK = 100
# Seconds of work per task run before it re-queues the rest.
TIME_BUDGET = 120


class BulkJobTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        job_id = args[0] if args else kwargs["job_id"]
        logger.error("Bulk job %s failed: %r", job_id, exc)
        end(job_id, failure=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=BulkJobTask, bind=True, ignore_result=True, acks_late=True,
    reject_on_worker_lost=True, **RETRY,
)  # fmt: skip
def run_bulk_job(self, job_id: int, offset: int = 0) -> int:
    """Handle the job's cases from ``offset`` on; answers how many it handled."""
    job = BulkJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not job.is_active:
        return 0
    try:
        # Checked again at run time: the requester may have lost the role meanwhile.
        check_may_run(job.requested_by, job.kind)
        if job.state == BulkJob.State.QUEUED:
            job = start(job)
    except BulkJobError as error:
        end(job_id, failure=error.message)
        return 0
    if job.state != BulkJob.State.RUNNING:
        return 0
    handled = 0
    stop_at = time.monotonic() + TIME_BUDGET
    while offset < len(job.case_ids):
        handled += handle_chunk(job, job.case_ids[offset : offset + CHUNK])
        offset += CHUNK
        if offset < len(job.case_ids) and time.monotonic() > stop_at:
            run_bulk_job.apply_async((job_id, offset))
            return handled
    end(job_id)
    return handled


def handle_chunk(job: BulkJob, case_ids: list[int]) -> int:
    """Apply the step to the chunk's cases not yet handled; progress counters move on."""
    handled_before = set(
        BulkJobItem.objects.filter(job_id=job.pk, case_id__in=case_ids).values_list(
            "case_id", flat=True
        )
    )
    outcomes: Counter[str] = Counter()
    for case_id in case_ids:
        if case_id in handled_before:
            continue
        outcome = handle_case(job, case_id)
        if outcome is not None:
            outcomes[outcome] += 1
    handled = sum(outcomes.values())
    if handled:
        BulkJob.objects.filter(pk=job.pk).update(
            done=F("done") + handled,
            failed=F("failed") + outcomes[BulkJobItem.Outcome.FAILED],
        )
    return handled
