"""Creating, starting and ending bulk jobs; who may run which step.

A repeated request (same user, step, parameters and cases within a few minutes) finds
the job it already created instead of running the step twice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from icpportal import audit
from icpportal.models import LEAD_ROLES, BulkJob, BulkJobItem
from icpportal.tenancy import staff_role
from inspections.queues.base import NOT_FILTERS

K = BulkJob.Kind
REPEAT_WINDOW = timedelta(minutes=10)
LEAD_ONLY = frozenset({K.WAIVE})
# A job over more cases than this is refused: narrow the filter first.
MAX_CASES = 10_000
# Messages of failed cases kept in the job's result.
MAX_ERRORS = 20


class BulkJobError(Exception):
    """A bulk job that cannot be created or run; ``message`` is for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BulkJobForbidden(BulkJobError):
    """The user's role does not allow this step."""


def check_may_run(user, kind: str) -> None:
    role = staff_role(user)
    if role is None:
        raise BulkJobForbidden(_("Only compliance staff apply steps to cases."))
    if kind in LEAD_ONLY and role not in LEAD_ROLES:
        raise BulkJobForbidden(_("Only a lead may waive findings."))


def clean_query(query: str) -> str:
    """The queue filter's query string without the page, the export format and empty
    fields, sorted."""
    data = QueryDict(query or "")
    pairs = sorted((k, v) for k in data if k not in NOT_FILTERS for v in data.getlist(k) if v != "")
    cleaned = QueryDict("", mutable=True)
    for key, value in pairs:
        cleaned.appendlist(key, value)
    return cleaned.urlencode()


def request_key(user, kind: str, params: dict, case_ids: list[int], query: str) -> str:
    text = json.dumps(
        [user.pk, kind, params, sorted(case_ids), query], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def do_create_bulk_job(
    *, actor, kind: str, params: dict, case_ids: list[int] = (), query: str = ""
) -> tuple[BulkJob, bool]:
    """Queue a bulk job; ``(job, False)`` when the same request made one moments ago."""
    check_may_run(actor, kind)
    case_ids = sorted(set(case_ids))
    query = "" if case_ids else clean_query(query)
    if len(case_ids) > MAX_CASES:
        raise BulkJobError(_("At most %(max)d cases at once.") % {"max": MAX_CASES})
    key = request_key(actor, kind, params, case_ids, query)
    with transaction.atomic():
        # One user's requests one after another: a double click finds the first job.
        users = get_user_model().objects.select_for_update()
        list(users.filter(pk=actor.pk).values_list("pk"))
        earlier = (
            BulkJob.objects.filter(
                idempotency_key=key, created_at__gte=timezone.now() - REPEAT_WINDOW
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None:
            return earlier, False
        job = BulkJob.objects.create(
            kind=kind,
            params=params,
            query=query,
            case_ids=case_ids,
            total=len(case_ids),
            requested_by=actor,
            idempotency_key=key,
        )
        audit.record(
            "bulk_job.create",
            job,
            actor=actor,
            after={"kind": kind, "params": params, "cases": len(case_ids), "query": query},
            reason=params.get("reason", ""),
        )
        transaction.on_commit(lambda: _queue(job.pk))
    return job, True


def _queue(job_id: int) -> None:
    from inspections.bulk.tasks import run_bulk_job

    run_bulk_job.delay(job_id)


def queue_filter(user, query: str):
    """The case queue's filter of ``query``, as ``user`` sees the queue."""
    from inspections.queues.filtersets import CaseQueueFilter, case_queue

    data = QueryDict(query or "")
    # The filter reads the user for "assigned to me".
    request = SimpleNamespace(user=user, GET=data)
    return CaseQueueFilter(data, queryset=case_queue(user), request=request)


def resolve_query(user, query: str) -> list[int]:
    """The ids of every case the queue's filter matches for ``user`` now."""
    matches = queue_filter(user, query)
    if not matches.is_valid():
        raise BulkJobError(_("The queue filter of this job is not valid."))
    return list(matches.qs.order_by("pk").values_list("pk", flat=True)[: MAX_CASES + 1])


def start(job: BulkJob) -> BulkJob:
    """Queued → running: the filter's matches are frozen as the job's cases."""
    case_ids = job.case_ids
    if job.query or not case_ids:
        case_ids = resolve_query(job.requested_by, job.query)
        if len(case_ids) > MAX_CASES:
            raise BulkJobError(
                _("The filter matches more than %(max)d cases: narrow it.") % {"max": MAX_CASES}
            )
    with transaction.atomic():
        started = BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.QUEUED).update(
            state=BulkJob.State.RUNNING,
            case_ids=case_ids,
            total=len(case_ids),
            started_at=timezone.now(),
        )
        if started:
            audit.record(
                "bulk_job.start",
                job,
                before={"state": BulkJob.State.QUEUED},
                after={"state": BulkJob.State.RUNNING, "cases": len(case_ids)},
            )
    job.refresh_from_db()
    return job


def summary_of(job_id: int) -> dict:
    """Counts by outcome and the first failed cases' messages: two queries."""
    items = BulkJobItem.objects.filter(job_id=job_id)
    outcomes = dict(
        items.order_by().values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    errors = [
        {"case": row["case_id"], "message": row["message"]}
        for row in items.filter(outcome=BulkJobItem.Outcome.FAILED)
        .order_by("id")
        .values("case_id", "message")[:MAX_ERRORS]
    ]
    return {"outcomes": outcomes, "errors": errors}


def end(job_id: int, *, failure: str = "") -> bool:
    """Running (or queued) → done, or failed with ``failure``; False if it had ended."""
    summary = summary_of(job_id)
    outcomes = summary["outcomes"]
    state = BulkJob.State.FAILED if failure else BulkJob.State.DONE
    with transaction.atomic():
        ended = BulkJob.objects.filter(
            pk=job_id, state__in=(BulkJob.State.QUEUED, BulkJob.State.RUNNING)
        ).update(
            state=state,
            finished_at=timezone.now(),
            summary=summary,
            done=sum(outcomes.values()),
            failed=outcomes.get(BulkJobItem.Outcome.FAILED, 0),
            failure_reason=failure[:2000],
        )
        if ended:
            job = BulkJob.objects.get(pk=job_id)
            audit.record(
                f"bulk_job.{'fail' if failure else 'finish'}",
                job,
                after={"state": state, "outcomes": outcomes},
                reason=failure[:500],
            )
    return bool(ended)
