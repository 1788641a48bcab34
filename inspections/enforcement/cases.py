"""Opening rectification cases from a finished campaign, and what a re-inspection changes.

A website with blocking failures gets a case (or its open case gets the new findings,
its deadline unchanged); findings that pass close themselves; a case with nothing
left failing is resolved and its website unblocked. Warnings and cannot_tell answers
never open a case (cannot_tell goes to the staff triage queue).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from filings.models import Website
from icpportal.calendar import WorkingCalendar
from inspections.enforcement import decisions, notices, periods
from inspections.enforcement.trail import record_steps
from inspections.findings import blocking_findings
from inspections.models import (
    CaseFinding,
    CaseState,
    FindingStatus,
    InspectionStatus,
    RectificationCase,
    RuleResult,
    WebsiteInspection,
)
from inspections.models.cases import OPEN_STATES
from inspections.rules import Status

S = CaseState
# Websites handled per transaction while opening cases.
OPENING_BATCH = 500
# Answers that count as "no longer failing" on a re-inspection.
CLEAR_STATUSES = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass
class OpeningReport:
    opened: int = 0
    joined: int = 0
    findings_passed: int = 0
    resolved: int = 0
    still_failing: int = 0


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def open_cases_for_campaign(campaign_id: int) -> OpeningReport:
    """Everything a finished campaign means for rectification cases (idempotent)."""
    report = OpeningReport()
    for batch in _batches(blocking_findings(campaign_id), OPENING_BATCH):
        _open_or_join(campaign_id, batch, timezone.now(), report)
    _apply_passes(campaign_id, timezone.now(), report)
    return report


def open_case_for_results(
    campaign_id: int, website_id: int, results: list[RuleResult]
) -> OpeningReport:
    """Open (or join) one website's case for results staff confirmed as failures."""
    report = OpeningReport()
    _open_or_join(campaign_id, [(website_id, results)], timezone.now(), report)
    return report


def _open_or_join(
    campaign_id: int,
    batch: list[tuple[int, list[RuleResult]]],
    now: datetime,
    report: OpeningReport,
) -> None:
    results = dict(batch)
    with transaction.atomic():
        websites = {
            w.pk: w
            for w in Website.objects.filter(
                pk__in=results, filing_state=Website.FilingState.FILED
            ).select_related("head", "tenant")
        }
        existing = {
            c.website_id: c
            for c in RectificationCase.objects.select_for_update()
            .filter(website_id__in=websites, state__in=OPEN_STATES)
            .select_related("website__head", "tenant")
        }
        calendar = WorkingCalendar(now.date(), now.date() + timedelta(days=60))
        new_cases = []
        for website_id, website in websites.items():
            if website_id in existing:
                continue
            kind, days = periods.period_for(r.rule_code for r in results[website_id])
            new_cases.append(
                RectificationCase(
                    tenant_id=website.tenant_id,
                    website=website,
                    entity_id=website.entity_id,
                    campaign_id=campaign_id,
                    opened_at=now,
                    deadline=calendar.deadline_after(now, days, working=kind == "working"),
                    period_kind=kind,
                    period_days=days,
                )
            )
        # Another campaign finishing at the same moment may open the same website's
        # case: the partial unique constraint keeps one, and both then join it.
        RectificationCase.objects.bulk_create(new_cases, ignore_conflicts=True)
        cases = {
            c.website_id: c
            for c in RectificationCase.objects.select_for_update()
            .filter(website_id__in=websites, state__in=OPEN_STATES)
            .select_related("website__head", "tenant")
        }
        opened = [c for w, c in cases.items() if w not in existing and c.campaign_id == campaign_id]
        added = _upsert_findings(cases, results, now)
        joined = [c for c in cases.values() if c not in opened and added.get(c.pk)]
        if opened:
            _notify_opened(opened, now, calendar)
            report.opened += len(opened)
        if joined:
            for case in joined:
                record_steps([case], "case.join", after={"rules": added[case.pk]})
            report.joined += len(joined)


def _upsert_findings(
    cases: dict[int, RectificationCase], results: dict[int, list[RuleResult]], now: datetime
) -> dict[int, list[str]]:
    """Findings of the cases from the results; the rule codes newly added per case."""
    current = {
        (f.case_id, f.rule_code): f
        for f in CaseFinding.objects.filter(case__in=list(cases.values()))
    }
    to_create, to_update, added = [], [], {}
    for website_id, case in cases.items():
        for result in results.get(website_id, ()):
            finding = current.get((case.pk, result.rule_code))
            if finding is None:
                to_create.append(
                    CaseFinding(
                        case=case,
                        tenant_id=case.tenant_id,
                        rule_code=result.rule_code,
                        rule_version=result.rule_version,
                        result=result,
                        severity=result.severity,
                        message=result.message,
                        evidence=result.evidence,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                )
                added.setdefault(case.pk, []).append(result.rule_code)
                continue
            finding.result = result
            finding.rule_version = result.rule_version
            finding.message, finding.evidence = result.message, result.evidence
            finding.last_seen_at = now
            if finding.status == FindingStatus.PASSED:
                # Failing again after it passed: open once more (a waiver stays).
                finding.status = FindingStatus.OPEN
                added.setdefault(case.pk, []).append(result.rule_code)
            to_update.append(finding)
    CaseFinding.objects.bulk_create(to_create, batch_size=1000)
    CaseFinding.objects.bulk_update(
        to_update,
        ["result", "rule_version", "message", "evidence", "last_seen_at", "status"],
        batch_size=1000,
    )
    return added


def _notify_opened(cases: list[RectificationCase], now: datetime, calendar) -> None:
    """The opening notices go out with the case: open → notified in the same transaction."""
    record_steps(cases, "case.open", before_state="", after={"state": S.OPEN})
    notices.save_notices(notices.notice_rows(cases, notices.CASE_OPENED, now=now))
    for case in cases:
        # Not through the transition: the state of these rows was just written as open.
        case.__dict__["state"] = S.NOTIFIED
        case.next_step_at = periods.next_step_at(case, calendar)
    RectificationCase.objects.filter(pk__in=[c.pk for c in cases], state=S.OPEN).update(
        state=S.NOTIFIED
    )
    RectificationCase.objects.bulk_update(cases, ["next_step_at"])
    record_steps(cases, "case.notify", before_state=S.OPEN, after={"state": S.NOTIFIED})


def _apply_passes(campaign_id: int, now: datetime, report: OpeningReport) -> None:
    """Close findings this campaign found passing; resolve cases with nothing left."""
    passed = RuleResult.objects.filter(
        campaign_id=campaign_id,
        website_id=OuterRef("case__website_id"),
        rule_code=OuterRef("rule_code"),
        status__in=CLEAR_STATUSES,
    )
    inspected = WebsiteInspection.objects.filter(
        campaign_id=campaign_id, website_id=OuterRef("website_id"), status=InspectionStatus.DONE
    )
    with transaction.atomic():
        report.findings_passed += (
            CaseFinding.objects.filter(status=FindingStatus.OPEN, case__state__in=OPEN_STATES)
            .filter(Exists(passed))
            .update(status=FindingStatus.PASSED, last_seen_at=now)
        )
        touched = list(
            RectificationCase.objects.select_for_update(of=("self",))
            .filter(state__in=OPEN_STATES)
            .filter(Exists(inspected))
            .select_related("website__head", "tenant")
        )
        still_open = set(
            CaseFinding.objects.filter(case__in=touched, status=FindingStatus.OPEN).values_list(
                "case_id", flat=True
            )
        )
        clean = [c for c in touched if c.pk not in still_open]
        failing = [
            c for c in touched if c.pk in still_open and c.last_reinspection_id == campaign_id
        ]
        resolve_cases(clean, now, reason="re-inspection passed")
        report.resolved += len(clean)
        back = [c for c in failing if c.state == S.RE_INSPECTING]
        if back:
            RectificationCase.objects.filter(
                pk__in=[c.pk for c in back], state=S.RE_INSPECTING
            ).update(state=S.NOTIFIED)
            record_steps(back, "case.still_failing", after={"state": S.NOTIFIED})
            for case in back:
                case.__dict__["state"] = S.NOTIFIED
                case.next_step_at = periods.next_step_at(case)
            RectificationCase.objects.bulk_update(back, ["next_step_at"])
        if failing:
            notices.save_notices(
                notices.notice_rows(
                    failing, notices.CASE_STILL_FAILING, now=now, occasion=str(campaign_id)
                )
            )
        report.still_failing += len(failing)


def resolve_cases(
    cases: list[RectificationCase], now: datetime, *, reason: str, actor=None
) -> None:
    """Resolve open cases (inside the caller's transaction): access allowed again."""
    if not cases:
        return
    was_blocked = [c for c in cases if c.state in (S.OVERDUE, S.ACCESS_BLOCKED)]
    RectificationCase.objects.filter(pk__in=[c.pk for c in cases], state__in=OPEN_STATES).update(
        state=S.RESOLVED, resolved_at=now, closed_at=now, next_step_at=None, hold_reason=""
    )
    from icpportal import audit
    from inspections.enforcement.trail import case_event

    audit.record_many(
        case_event(
            c, "case.resolve", before={"state": c.state}, after={"state": S.RESOLVED},
            actor=actor, reason=reason,
        )
        for c in cases
    )  # fmt: skip
    if was_blocked:
        decisions.allow(was_blocked, "rectification resolved")
    notices.save_notices(notices.notice_rows(cases, notices.CASE_RESOLVED, now=now))
