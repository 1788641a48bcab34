"""Celery tasks of the inspection engine: start a campaign, inspect one chunk, finish.

Tasks take ids, re-read the rows and are idempotent: a redelivered or duplicated
message does no work twice and never doubles a result (results are upserted on
(campaign, website, rule); an inspected website is skipped). Retries happen only on
transient database errors, with backoff; anything else fails loud.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Case, Exists, OuterRef, Value, When
from django.utils import timezone

from icpportal import audit
from inspections.campaigns import (
    Scope,
    do_copy_campaign,
    do_fail_campaign,
    do_start_campaign,
    websites_in_scope,
)
from inspections.enforcement.tasks import open_cases_for_campaign
from inspections.lookups import gather
from inspections.models import (
    Campaign,
    CampaignStatus,
    InspectionStatus,
    WebsiteInspection,
    WorstStatus,
)
from inspections.result_rows import ResultRows
from inspections.rules import Outcome, Severity, Status, rules_for, run_rules
from inspections.snapshot import input_hashes, load_snapshots

logger = logging.getLogger(__name__)

__all__ = [
    "finish_if_complete",
    "run_campaign_chunk",
    "run_scheduled_campaign",
    "start_campaign",
]

# Transient: a dropped connection, a deadlock, a serialisation failure.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}
# Inspection rows written per INSERT when a campaign starts.
INSPECTION_BATCH = 5000


def _soft_time_limit() -> int:
    # A chunk still running after 80% of the visibility timeout would be delivered to a
    # second worker: it splits itself in two instead (see run_campaign_chunk).
    visibility = int(getattr(settings, "CELERY_VISIBILITY_TIMEOUT", 3600))
    return int(getattr(settings, "INSPECTION_CHUNK_SOFT_TIME_LIMIT", max(2, visibility * 0.8)))


def _batched(values: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class StartCampaignTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        campaign_id = args[0] if args else kwargs.get("campaign_id")
        do_fail_campaign(campaign_id, f"{type(exc).__name__}: {exc}")


class CampaignChunkTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Failed for good (not a transient error, or out of retries): these websites
        # are counted as failed so the campaign can still finish.
        campaign_id = args[0] if args else kwargs["campaign_id"]
        website_ids = args[1] if len(args) > 1 else kwargs.get("website_ids", [])
        logger.error("Chunk of campaign %s failed for good: %r", campaign_id, exc)
        mark_failed(campaign_id, website_ids)
        finish_if_complete(campaign_id)


@shared_task(
    base=StartCampaignTask, bind=True, ignore_result=True, acks_late=True,
    reject_on_worker_lost=True, **RETRY,
)  # fmt: skip
def start_campaign(self, campaign_id: int, queue: str | None = None) -> int:
    """Resolve a running campaign's scope, create its inspections and queue its chunks.

    Set-based: website ids are streamed from the database and inserted in batches;
    every chunk is queued only once every inspection row exists, so no chunk can see
    the campaign complete too early. ``queue`` (else ``INSPECTION_QUEUE``) routes the
    chunks. Answers the number of chunks queued.
    """
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.RUNNING:
        return 0
    if campaign.queued_at is not None:  # a redelivered start: the chunks are queued
        finish_if_complete(campaign_id)
        return 0
    create_inspections(campaign)
    total = WebsiteInspection.objects.filter(campaign_id=campaign_id).count()
    Campaign.objects.filter(pk=campaign_id).update(total_websites=total)
    queue = queue or getattr(settings, "INSPECTION_QUEUE", "") or None
    chunks = 0
    for website_ids in _batched(pending_website_ids(campaign_id), campaign.chunk_size):
        options: dict[str, Any] = {"queue": queue} if queue else {}
        run_campaign_chunk.apply_async((campaign_id, website_ids), **options)
        chunks += 1
    Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.RUNNING).update(
        queued_at=timezone.now()
    )
    finish_if_complete(campaign_id)
    logger.info("Campaign %s: %s websites in %s chunks", campaign_id, total, chunks)
    return chunks


def create_inspections(campaign: Campaign) -> None:
    """One waiting WebsiteInspection per website in scope, inserted in batches."""
    ids = (
        websites_in_scope(Scope.of(campaign))
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=INSPECTION_BATCH)
    )
    for batch in _batched(ids, INSPECTION_BATCH):
        WebsiteInspection.objects.bulk_create(
            [WebsiteInspection(campaign_id=campaign.pk, website_id=pk) for pk in batch],
            ignore_conflicts=True,
        )


def pending_website_ids(campaign_id: int) -> Iterator[int]:
    return (
        WebsiteInspection.objects.filter(campaign_id=campaign_id, status=InspectionStatus.PENDING)
        .order_by("website_id")
        .values_list("website_id", flat=True)
        .iterator(chunk_size=INSPECTION_BATCH)
    )


@shared_task(
    base=CampaignChunkTask, bind=True, ignore_result=True, acks_late=True,
    reject_on_worker_lost=True, soft_time_limit=_soft_time_limit(), **RETRY,
)  # fmt: skip
def run_campaign_chunk(self, campaign_id: int, website_ids: Sequence[int]) -> int:
    """Inspect one chunk of a campaign's websites and store every rule's answer.

    Skips a campaign that is no longer running and websites already inspected, so a
    redelivered message does no work twice. Answers the number of websites inspected.

    Time: the message is acknowledged when the task ends (``acks_late``); one still
    unacknowledged after the broker's visibility timeout (``CELERY_VISIBILITY_TIMEOUT``,
    an hour by default) is delivered again to another worker. A chunk of the default
    500 websites makes six queries, resolves ~1,000 names with 64 DNS queries in
    flight (seconds, or tens of seconds when every resolver times out) and runs the
    rules in a second; slow RDAP look-ups stop after half the visibility timeout
    (``INSPECTION_LOOKUP_BUDGET_SECONDS``) and answer "unavailable". Should a chunk
    still reach 80% of the timeout (the soft time limit), it re-queues its two halves
    and ends, so no chunk outlives the timeout; a duplicate would double no result anyway.
    """
    campaign = Campaign.objects.filter(pk=campaign_id).values("status", "rule_codes").first()
    if campaign is None or campaign["status"] != CampaignStatus.RUNNING:
        return 0
    waiting = list(
        WebsiteInspection.objects.filter(
            campaign_id=campaign_id,
            website_id__in=list(website_ids),
            status=InspectionStatus.PENDING,
        )
        .order_by("website_id")
        .values_list("website_id", flat=True)
    )
    if not waiting:
        finish_if_complete(campaign_id)
        return 0
    try:
        inspected = inspect_chunk(campaign_id, campaign["rule_codes"], waiting)
    except SoftTimeLimitExceeded:
        if len(waiting) == 1:
            mark_failed(campaign_id, waiting)
        else:
            middle = len(waiting) // 2
            routing = (self.request.delivery_info or {}).get("routing_key")
            options: dict[str, Any] = {"queue": routing} if routing else {}
            for half in (waiting[:middle], waiting[middle:]):
                run_campaign_chunk.apply_async((campaign_id, half), **options)
            logger.warning("Chunk of campaign %s split: out of time", campaign_id)
        finish_if_complete(campaign_id)
        return 0
    finish_if_complete(campaign_id)
    return inspected


def inspect_chunk(campaign_id: int, rule_codes: Sequence[str], website_ids: list[int]) -> int:
    """Load, look up, judge and store the websites of one chunk (one bulk upsert)."""
    rules = rules_for(list(rule_codes) or None)
    clock = [time.monotonic()]
    snapshots = load_snapshots(website_ids)
    clock.append(time.monotonic())
    snapshots = gather(snapshots, rules)
    clock.append(time.monotonic())
    now = timezone.now()
    results = ResultRows(campaign_id, now)
    by_worst: dict[str, list[int]] = {}
    for snapshot, input_hash in zip(snapshots, input_hashes(snapshots), strict=True):
        # A pass keeps only the hash of its input: its evidence is not even masked.
        outcomes = run_rules(snapshot, rules, pass_evidence=False)
        for rule in rules:
            results.add(snapshot, rule.version, outcomes[rule.code], input_hash)
        by_worst.setdefault(worst_of(outcomes.values()), []).append(snapshot.website.id)
    clock.append(time.monotonic())
    inspected = [pk for ids in by_worst.values() for pk in ids]
    gone = sorted(set(website_ids) - set(inspected))
    with transaction.atomic():
        results.write()
        if inspected:
            worst = Case(
                *(When(website_id__in=ids, then=Value(w)) for w, ids in by_worst.items()),
                default=Value(WorstStatus.NOT_APPLICABLE),
            )
            WebsiteInspection.objects.filter(
                campaign_id=campaign_id,
                website_id__in=inspected,
                status=InspectionStatus.PENDING,
            ).update(status=InspectionStatus.DONE, worst_status=worst, finished_at=now)
        if gone:  # deleted since the campaign started
            mark_failed(campaign_id, gone)
    clock.append(time.monotonic())
    load, lookups, judge, store = (b - a for a, b in itertools.pairwise(clock))
    logger.info(
        "Chunk of campaign %s: websites=%d load=%.3f lookups=%.3f rules=%.3f store=%.3f",
        campaign_id, len(inspected), load, lookups, judge, store,
    )  # fmt: skip
    return len(inspected)


_WORST_ORDER = (
    WorstStatus.FAIL_BLOCKING,
    WorstStatus.FAIL_WARNING,
    WorstStatus.ERROR,
    WorstStatus.CANNOT_TELL,
    WorstStatus.PASS,
    WorstStatus.NOT_APPLICABLE,
)


def _worst_key(outcome: Outcome) -> str:
    if outcome.status == Status.FAIL:
        blocking = outcome.severity == Severity.BLOCKING
        return WorstStatus.FAIL_BLOCKING if blocking else WorstStatus.FAIL_WARNING
    return WorstStatus(str(outcome.status))


def worst_of(outcomes: Iterable[Outcome]) -> str:
    """fail blocking > fail warning > error > cannot_tell > pass > not_applicable."""
    keys = {_worst_key(o) for o in outcomes}
    return next((k for k in _WORST_ORDER if k in keys), WorstStatus.NOT_APPLICABLE)


def mark_failed(campaign_id: int, website_ids: Sequence[int]) -> int:
    """Count these waiting websites as not inspectable in this campaign."""
    return WebsiteInspection.objects.filter(
        campaign_id=campaign_id, website_id__in=list(website_ids), status=InspectionStatus.PENDING
    ).update(status=InspectionStatus.FAILED, finished_at=timezone.now())


def finish_if_complete(campaign_id: int) -> bool:
    """Finish a running campaign once no website waits; True for the one caller that did.

    One conditional UPDATE: PostgreSQL re-checks ``status = 'running'`` after a
    concurrent finisher commits, so exactly one chunk finishes the campaign.
    """
    waiting = WebsiteInspection.objects.filter(
        campaign_id=OuterRef("pk"), status=InspectionStatus.PENDING
    )
    with transaction.atomic():
        finished = (
            Campaign.objects.filter(
                pk=campaign_id, status=CampaignStatus.RUNNING, queued_at__isnull=False
            )
            .filter(~Exists(waiting))
            .update(status=CampaignStatus.FINISHED, finished_at=timezone.now())
        )
        if finished:
            campaign = Campaign.objects.get(pk=campaign_id)
            audit.record(
                "campaign.finish",
                campaign,
                before={"status": CampaignStatus.RUNNING},
                after={"status": CampaignStatus.FINISHED, "websites": campaign.total_websites},
            )
            # Its blocking findings open (or join) rectification cases, its passes close them.
            queue = settings.ESCALATION_QUEUE
            transaction.on_commit(
                lambda: open_cases_for_campaign.apply_async(
                    (campaign_id,), **({"queue": queue} if queue else {})
                )
            )
    return bool(finished)


@shared_task(ignore_result=True, acks_late=True, **RETRY)
def run_scheduled_campaign(template_campaign_id: int) -> int | None:
    """Create and start a copy of a recurring campaign (django-celery-beat calls this).

    The copy is created and started on behalf of the lead who made the schedule. A
    copy still running from the last time is left to finish: runs never stack, and a
    duplicated beat message starts one copy. A schedule deleted or paused meanwhile
    starts nothing.
    """
    with transaction.atomic():
        template = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("schedule", "created_by")
            .filter(pk=template_campaign_id)
            .first()
        )
        if template is None or template.schedule is None:
            logger.warning("Recurring campaign %s is no longer scheduled", template_campaign_id)
            return None
        if not template.schedule.enabled or template.status != CampaignStatus.PENDING:
            return None
        active = (CampaignStatus.PENDING, CampaignStatus.RUNNING)
        if template.runs.filter(status__in=active).exists():
            return None
        lead = template.created_by
        copy = do_copy_campaign(template.pk, actor=lead)
        do_start_campaign(copy, actor=lead)
    return copy.pk
