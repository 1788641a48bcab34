"""The escalation scan: due cases move one step, set-based, exactly once.

Run every minute by a beat task (``inspections.enforcement.tasks``). Each batch is one
transaction that claims due cases with ``SELECT … FOR UPDATE SKIP LOCKED``, applies
each step to all its cases with one UPDATE, one bulk insert of audit rows, one of
outbox rows and one upsert of access decisions, and publishes the hosts to Redis after
commit. Any number of workers, or a duplicated beat, share the due cases without ever
applying a step twice; a run that dies leaves its batch untouched for the next one.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.applications.actions import do_withdraw_for_overdue_case
from filings.applications.queries import changes_under_review
from filings.choices import ApplicationKind, ApplicationStatus
from filings.models import Application, Website
from icpportal.calendar import WorkingCalendar
from inspections.enforcement import bulk, decisions, notices, periods, safeguards
from inspections.enforcement.trail import record_steps
from inspections.gate import reasons
from inspections.models import AccessState, CaseState, HoldReason, RectificationCase
from inspections.models.cases import OPEN_STATES

S = CaseState


@dataclass
class EscalationReport:
    """How many cases each step moved in one run."""

    steps: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, step: str, n: int) -> None:
        if n:
            self.steps[step] += n

    @property
    def total(self) -> int:
        return sum(self.steps.values())


def escalate_due_cases(
    *, batch_size: int | None = None, time_budget: float | None = None
) -> EscalationReport:
    """Move every due case one step (or more, when several are due), batch by batch."""
    batch_size = batch_size or settings.ESCALATION_BATCH
    budget = time_budget if time_budget is not None else settings.ESCALATION_TIME_BUDGET_SECONDS
    stop_at = time.monotonic() + budget
    report = EscalationReport()
    close_deregistered_cases(timezone.now(), report)
    sync_clock_pauses(timezone.now(), report)
    # Campaigns found unable to reach the approval threshold during this run.
    safe_campaigns: set[int] = set()
    while time.monotonic() < stop_at:
        paused = safeguards.enforcement_paused()
        moved = _run_batch(timezone.now(), batch_size, report, paused=paused)
        if not paused:
            moved += _run_block_batch(timezone.now(), batch_size, report, safe_campaigns)
        if not moved:
            break
    return report


def _audit(cases: list[RectificationCase], action: str, after: dict) -> None:
    by_state: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        by_state[case.state].append(case.pk)
    for state, ids in by_state.items():
        bulk.insert_audit(ids, action, before_state=state, after=after)


def _run_batch(now: datetime, limit: int, report: EscalationReport, *, paused: bool) -> int:
    """Warnings, deadlines and cancels of one claimed batch."""
    states = (S.OPEN, S.NOTIFIED) if paused else (S.OPEN, S.NOTIFIED, S.ACCESS_BLOCKED)
    with transaction.atomic():
        cases = list(
            RectificationCase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("website")
            .filter(state__in=states, next_step_at__lte=now)
            .order_by("next_step_at")[:limit]
        )
        if not cases:
            return 0
        calendar = WorkingCalendar(now.date() - timedelta(days=60), now.date() + timedelta(days=60))
        groups: dict[str, list[RectificationCase]] = defaultdict(list)
        for case in cases:
            groups[_step_of(case, now, calendar)].append(case)
        _apply_overdue(groups["overdue"], now, report)
        _apply_warning(groups["warn_last_day"], now, calendar, report, last_day=True)
        _apply_warning(groups["warn_half"], now, calendar, report, last_day=False)
        _apply_reschedule(groups["reschedule"], calendar)
        _apply_cancel_hold(groups["hold_cancel"], report)
        _apply_cancel(groups["cancel"], now, report)
    return len(cases)


def _step_of(case: RectificationCase, now: datetime, calendar: WorkingCalendar) -> str:
    if case.state == S.ACCESS_BLOCKED:
        if settings.ENFORCEMENT_FOUR_EYES and case.cancel_approved_at is None:
            return "hold_cancel"
        return "cancel"
    if case.clock_paused_at is not None:
        return "reschedule"
    if case.deadline <= now:
        return "overdue"
    if case.last_day_warned_at is None and periods.last_day_warning_at(case, calendar) <= now:
        return "warn_last_day"
    if case.half_period_warned_at is None and periods.half_period_at(case) <= now:
        return "warn_half"
    return "reschedule"


def _update(ids: list[int], from_states, **values) -> None:
    changed = RectificationCase.objects.filter(pk__in=ids, state__in=from_states).update(**values)
    if changed != len(ids):
        # The rows are locked by this transaction: anything else is a bug, not a race.
        raise RuntimeError(f"Escalation expected to move {len(ids)} cases, moved {changed}.")


def _ids(cases: list[RectificationCase]) -> list[int]:
    return [c.pk for c in cases]


def _apply_overdue(cases: list[RectificationCase], now: datetime, report: EscalationReport) -> None:
    if not cases:
        return
    _audit(cases, "case.overdue", {"state": S.OVERDUE})
    # The block follows at once, unless a safeguard holds it.
    _update(_ids(cases), (S.OPEN, S.NOTIFIED), state=S.OVERDUE, next_step_at=now, hold_reason="")
    report.add("overdue", len(cases))


def _apply_warning(cases, now, calendar, report, *, last_day: bool) -> None:
    if not cases:
        return
    for case in cases:
        # The last-day warning supersedes a half-period one not sent yet: one message.
        if last_day:
            case.last_day_warned_at = now
        if case.half_period_warned_at is None:
            case.half_period_warned_at = now
        case.next_step_at = periods.next_step_at(case, calendar)
    RectificationCase.objects.bulk_update(
        cases, ["half_period_warned_at", "last_day_warned_at", "next_step_at"]
    )
    event = notices.CASE_LAST_DAY if last_day else notices.CASE_HALF_PERIOD
    bulk.insert_notices(_ids(cases), event, now=now)
    step = "last_day" if last_day else "half_period"
    _audit(cases, "case.warning", {"warning": step})
    report.add(f"warn_{step}", len(cases))


def _apply_reschedule(cases: list[RectificationCase], calendar: WorkingCalendar) -> None:
    for case in cases:
        case.next_step_at = periods.next_step_at(case, calendar)
    if cases:
        RectificationCase.objects.bulk_update(cases, ["next_step_at"])


def _apply_cancel_hold(cases: list[RectificationCase], report: EscalationReport) -> None:
    if not cases:
        return
    _update(
        _ids(cases), (S.ACCESS_BLOCKED,), hold_reason=HoldReason.CANCEL_APPROVAL, next_step_at=None
    )
    _audit(cases, "case.hold", {"hold": HoldReason.CANCEL_APPROVAL})
    report.add("held_for_cancel_approval", len(cases))


def _apply_cancel(cases: list[RectificationCase], now: datetime, report: EscalationReport) -> None:
    pending = Website.AccessState.TRANSFER_PENDING
    outcomes = (
        (
            [c for c in cases if c.website.access_state == pending],
            S.TRANSFER_CANCELLED,
            notices.CASE_TRANSFER_CANCELLED,
            Website.AccessState.NOT_ACCESSED,
            reasons.TRANSFER_CANCELLED,
        ),
        (
            [c for c in cases if c.website.access_state != pending],
            S.ACCESS_CANCELLED,
            notices.CASE_CANCELLED,
            Website.AccessState.ACCESS_CANCELLED,
            reasons.CANCELLED,
        ),
    )
    for group, state, event, website_state, reason in outcomes:
        if not group:
            continue
        ids = _ids(group)
        _audit(group, f"case.{state}", {"state": state})
        _update(
            ids,
            (S.ACCESS_BLOCKED,),
            state=state,
            cancelled_at=now,
            closed_at=now,
            next_step_at=None,
            hold_reason="",
        )
        decisions.publish_after_commit(bulk.upsert_decisions(ids, AccessState.CANCELLED, reason))
        if state == S.TRANSFER_CANCELLED:
            # After the decisions: ending the transfer takes its domains out of use.
            _end_transfers(group)
        Website.objects.filter(pk__in=[c.website_id for c in group]).update(
            access_state=website_state, updated_at=now
        )
        bulk.insert_notices(ids, event, now=now)
        report.add(str(state), len(group))


def _end_transfers(cases: list[RectificationCase]) -> None:
    """The pending transfer applications of the cases' websites end with them."""
    label = {c.website_id: f"#{c.pk}" for c in cases}
    applications = Application.objects.filter(
        kind=ApplicationKind.TRANSFER,
        website_id__in=label,
        status__in=(ApplicationStatus.SMS_VERIFICATION, ApplicationStatus.BUREAU_REVIEW),
    )
    for application in applications:
        result = do_withdraw_for_overdue_case(
            application,
            case_label=label[application.website_id],
            reason=_("Rectification case %(case)s was not resolved by its deadline.")
            % {"case": label[application.website_id]},
        )
        if not result:
            raise RuntimeError(f"Transfer #{application.pk} could not end: {result.message}")


def _run_block_batch(
    now: datetime, limit: int, report: EscalationReport, safe_campaigns: set[int]
) -> int:
    """Blocks of overdue cases, within the hourly cap and the campaign threshold."""
    if not RectificationCase.objects.filter(state=S.OVERDUE, next_step_at__lte=now).exists():
        return 0
    granted = safeguards.reserve_blocks(limit, now)
    if not granted:
        report.add("blocks_over_hourly_cap", 1)
        return 0
    claimed: list[tuple[int, int | None]] = []
    blocked: list[int] = []
    try:
        with transaction.atomic():
            # Served by case_escalation_due; rows another worker holds are skipped.
            claimed = list(
                RectificationCase.objects.select_for_update(skip_locked=True)
                .filter(state=S.OVERDUE, next_step_at__lte=now)
                .order_by("next_step_at")
                .values_list("pk", "campaign_id")[:granted]
            )
            held_campaigns = safeguards.campaigns_needing_approval(
                (c for _, c in claimed), safe=safe_campaigns
            )
            held = [pk for pk, campaign in claimed if campaign in held_campaigns]
            blocked = [pk for pk, campaign in claimed if campaign not in held_campaigns]
            if held:
                bulk.insert_audit(
                    held,
                    "case.hold",
                    before_state=S.OVERDUE,
                    after={"hold": HoldReason.CAMPAIGN_APPROVAL},
                )
                _update(
                    held, (S.OVERDUE,), hold_reason=HoldReason.CAMPAIGN_APPROVAL, next_step_at=None
                )
                report.add("held_for_campaign_approval", len(held))
            if blocked:
                _apply_block(blocked, now, report)
    finally:
        safeguards.release_blocks(granted - len(blocked), now)
    return len(claimed)


def _apply_block(ids: list[int], now: datetime, report: EscalationReport) -> None:
    grace = timedelta(days=settings.ENFORCEMENT_CANCEL_GRACE_DAYS)
    bulk.insert_audit(ids, "case.block", before_state=S.OVERDUE, after={"state": S.ACCESS_BLOCKED})
    _update(
        ids,
        (S.OVERDUE,),
        state=S.ACCESS_BLOCKED,
        blocked_at=now,
        block_warned_at=now,
        hold_reason="",
        next_step_at=F("deadline") + grace,
    )
    decisions.publish_after_commit(bulk.upsert_decisions(ids, AccessState.BLOCKED, reasons.BLOCKED))
    bulk.insert_notices(ids, notices.CASE_BLOCKED, now=now)
    report.add("access_blocked", len(ids))


# --- Deregistered websites ----------------------------------------------------------------


def close_deregistered_cases(now: datetime, report: EscalationReport | None = None) -> int:
    """Open cases of websites or entities deregistered since: closed, nothing to enforce."""
    report = report or EscalationReport()
    with transaction.atomic():
        cases = list(
            RectificationCase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("website", "tenant")
            .filter(state__in=OPEN_STATES)
            .filter(
                Q(website__filing_state=Website.FilingState.DEREGISTERED)
                | Q(entity__state="deregistered")
            )
        )
        if not cases:
            return 0
        _audit(cases, "case.close_deregistered", {"state": S.CLOSED_DEREGISTERED})
        RectificationCase.objects.filter(pk__in=_ids(cases), state__in=OPEN_STATES).update(
            state=S.CLOSED_DEREGISTERED, closed_at=now, next_step_at=None, hold_reason=""
        )
    report.add("closed_deregistered", len(cases))
    return len(cases)


# --- The clock pause ---------------------------------------------------------------------


def _change_under_review():
    """A change of the case's website, or of its entity, under review (a subquery)."""
    return changes_under_review(
        OuterRef("website_id"), OuterRef("entity_id"), OuterRef("tenant_id")
    )


def sync_clock_pauses(now: datetime, report: EscalationReport | None = None) -> None:
    """Pause the clock of cases whose website has a change under review; resume the rest.

    On resume the deadline moves on by the time paused, and the next step is rescheduled.
    """
    report = report or EscalationReport()
    with transaction.atomic():
        to_pause = list(
            RectificationCase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("website", "tenant")
            .filter(state__in=(S.OPEN, S.NOTIFIED, S.REMEDIATION_SUBMITTED, S.RE_INSPECTING))
            .filter(clock_paused_at__isnull=True)
            .filter(Exists(_change_under_review()))
        )
        if to_pause:
            RectificationCase.objects.filter(pk__in=[c.pk for c in to_pause]).update(
                clock_paused_at=now, hold_reason=HoldReason.CLOCK_PAUSED, next_step_at=None
            )
            record_steps(to_pause, "case.clock_pause", after={"clock_paused_at": now.isoformat()})
            report.add("clock_paused", len(to_pause))
        to_resume = list(
            RectificationCase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("website", "tenant")
            .filter(clock_paused_at__isnull=False)
            .filter(
                ~Exists(_change_under_review())
                | ~Q(state__in=(S.OPEN, S.NOTIFIED, S.REMEDIATION_SUBMITTED, S.RE_INSPECTING))
            )
        )
        for case in to_resume:
            resume_clock(case, now)
        if to_resume:
            RectificationCase.objects.bulk_update(
                to_resume,
                ["deadline", "paused_seconds", "clock_paused_at", "hold_reason", "next_step_at"],
            )
            record_steps(to_resume, "case.clock_resume")
            report.add("clock_resumed", len(to_resume))


def resume_clock(case: RectificationCase, now: datetime) -> None:
    """Move the deadline on by the paused time (on the instance; the caller saves)."""
    paused_for = now - case.clock_paused_at
    case.deadline += paused_for
    case.paused_seconds += int(paused_for.total_seconds())
    case.clock_paused_at = None
    case.hold_reason = ""
    case.next_step_at = periods.next_step_at(case)
