"""What customers and staff do to a rectification case: one transaction and audit row each.

Views call these; they raise :class:`CaseActionError` with a message for the user when
the step is not allowed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from icpportal import audit
from icpportal.models import LEAD_ROLES
from icpportal.tenancy import staff_role
from inspections.enforcement import decisions, notices, periods
from inspections.enforcement.cases import resolve_cases
from inspections.enforcement.trail import case_event
from inspections.models import (
    Campaign,
    CampaignBlockApproval,
    CaseFinding,
    CaseMessage,
    CaseState,
    EnforcementControl,
    FindingStatus,
    HoldReason,
    RectificationCase,
)
from inspections.models.cases import RUNNING_STATES
from inspections.rules import default_registry

S = CaseState
MAX_EXTENSION_DAYS = 90


class CaseActionError(Exception):
    """A step the user asked for is not allowed; the message says why, in their language."""


def _locked(case: RectificationCase | int) -> RectificationCase:
    pk = case if isinstance(case, int) else case.pk
    return (
        RectificationCase.objects.select_for_update(of=("self",))
        .select_related("website__head", "tenant")
        .get(pk=pk)
    )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionError(_("Give a reason."))
    return reason


def _require_lead(actor) -> None:
    if staff_role(actor) not in LEAD_ROLES:
        raise CaseActionError(_("Only a lead may do this."))


def _record(case, action, actor, before_state, reason="", **after) -> None:
    audit.record_many(
        [
            case_event(
                case,
                action,
                actor=actor,
                before={"state": before_state},
                after={"state": case.state, **after},
                reason=reason,
            )
        ]
    )


def _new_deadline(case: RectificationCase, days: int, kind: str, now: datetime) -> datetime:
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise CaseActionError(_("Give between 1 and %(max)d days.") % {"max": MAX_EXTENSION_DAYS})
    start = max(now, case.deadline) if case.state in RUNNING_STATES else now
    return periods.deadline_for(start, kind, days)


def do_extend_case(
    case: RectificationCase | int, *, actor, days: int, reason: str, kind: str | None = None
) -> RectificationCase:
    """A new, later deadline. After the deadline passed: back to notified, block lifted."""
    reason = _require_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        before = case.state
        if can_proceed(case.extend_running):
            case.extend_running()
        elif can_proceed(case.extend_after_deadline):
            case.extend_after_deadline()
        else:
            raise CaseActionError(_("This case is closed: it cannot be extended."))
        old_deadline = case.deadline
        case.deadline = _new_deadline(case, days, kind or case.period_kind, now)
        case.extension_count += 1
        case.extension_reasons = [
            *case.extension_reasons,
            {
                "at": now.isoformat(),
                "by": actor.get_username(),
                "reason": reason,
                "deadline": case.deadline.isoformat(),
            },
        ]
        _restart_clock(case, now)
        case.save()
        _record(
            case, "case.extend", actor, before, reason,
            old_deadline=old_deadline.isoformat(), deadline=case.deadline.isoformat(),
        )  # fmt: skip
        if before == S.ACCESS_BLOCKED:
            decisions.allow([case], "deadline extended")
        notices.send_notice(
            case, notices.CASE_EXTENDED, occasion=str(case.extension_count), reason=reason
        )
    return case


def _restart_clock(case: RectificationCase, now: datetime) -> None:
    """Warnings are sent again for the new deadline; escalation picks up from it."""
    case.half_period_warned_at = None
    case.last_day_warned_at = None
    if case.clock_paused_at is not None:
        # The new deadline counts from now: only the pause from now on moves it later.
        case.paused_seconds += int((now - case.clock_paused_at).total_seconds())
        case.clock_paused_at = now
    case.hold_reason = HoldReason.CLOCK_PAUSED if case.clock_paused_at else ""
    if case.state == S.NOTIFIED and case.blocked_at:
        case.blocked_at = None
    case.cancel_requested_by = case.cancel_approved_by = None
    case.cancel_requested_at = case.cancel_approved_at = None
    case.next_step_at = periods.next_step_at(case)


def do_lift_block(
    case: RectificationCase | int, *, actor, reason: str, days: int
) -> RectificationCase:
    """A lead lifts the block at once, with a reason and a new deadline."""
    _require_lead(actor)
    reason = _require_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if not can_proceed(case.lift_block):
            raise CaseActionError(_("Access to this website is not blocked."))
        before = case.state
        case.lift_block()
        case.deadline = _new_deadline(case, days, case.period_kind, now)
        _restart_clock(case, now)
        case.save()
        _record(case, "case.lift_block", actor, before, reason, deadline=case.deadline.isoformat())
        decisions.allow([case], "block lifted")
        notices.send_notice(case, notices.CASE_UNBLOCKED, occasion=now.isoformat(), reason=reason)
    return case


def do_waive_finding(finding: CaseFinding | int, *, actor, reason: str) -> RectificationCase:
    """A lead waives one finding; with no failing finding left the case is resolved."""
    _require_lead(actor)
    reason = _require_reason(reason)
    now = timezone.now()
    finding_id = finding if isinstance(finding, int) else finding.pk
    with transaction.atomic():
        case_id = CaseFinding.objects.values_list("case_id", flat=True).get(pk=finding_id)
        case = _locked(case_id)
        finding = CaseFinding.objects.select_for_update().get(pk=finding_id)
        if not case.is_open or finding.status != FindingStatus.OPEN:
            raise CaseActionError(_("Only a failing finding of an open case can be waived."))
        finding.status = FindingStatus.WAIVED
        finding.waived_by = actor
        finding.waived_reason = reason
        finding.save(update_fields=["status", "waived_by", "waived_reason"])
        audit.record(
            "case.waive_finding",
            finding,
            actor=actor,
            tenant=case.tenant,
            before={"status": FindingStatus.OPEN, "case": case.pk},
            after={"status": FindingStatus.WAIVED, "rule": finding.rule_code},
            reason=reason,
        )
        if not case.findings.filter(status=FindingStatus.OPEN).exists():
            resolve_cases([case], now, reason=reason, actor=actor)
        else:
            case.waive()
    case.refresh_from_db()
    return case


def do_close_deregistered(
    case: RectificationCase | int, *, actor=None, reason: str
) -> RectificationCase:
    """The website or entity was deregistered: the case closes, nothing left to enforce."""
    reason = _require_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if not can_proceed(case.close_deregistered):
            raise CaseActionError(_("This case is already closed."))
        before = case.state
        case.close_deregistered()
        case.closed_at = now
        case.next_step_at = None
        case.hold_reason = ""
        case.save()
        _record(case, "case.close_deregistered", actor, before, reason)
    return case


def do_request_reinspection(case: RectificationCase | int, *, actor) -> RectificationCase:
    """The customer says the problems are fixed: the case's rules run on the website now.

    A one-website campaign over the failing rules is started; when it finishes, passing
    findings close and the case is resolved (and unblocked) or told what still fails.
    """
    from inspections.campaigns import Scope, do_create_campaign, do_start_campaign
    from inspections.models import CampaignScope

    with transaction.atomic():
        case = _locked(case)
        if (
            case.last_reinspection_id
            and Campaign.objects.filter(
                pk=case.last_reinspection_id, status__in=("pending", "running")
            ).exists()
        ):
            raise CaseActionError(_("A re-inspection is already running."))
        codes = list(
            case.findings.filter(status=FindingStatus.OPEN).values_list("rule_code", flat=True)
        )
        if not codes:
            raise CaseActionError(_("Nothing is failing any more."))
        # A rule retired since the case opened cannot run again: staff decide on it.
        codes = [code for code in codes if code in default_registry]
        if not codes:
            raise CaseActionError(
                _(
                    "These checks no longer run automatically. Write to compliance staff "
                    "in the case's messages."
                )
            )
        before = case.state
        if can_proceed(case.submit_remediation):
            case.submit_remediation()
            case.save()
            _record(case, "case.submit_remediation", actor, before)
        if can_proceed(case.start_reinspection):
            previous = case.state
            case.start_reinspection()
            step = "case.start_reinspection"
        elif can_proceed(case.reinspect_after_deadline):
            previous = case.state
            case.reinspect_after_deadline()
            step = "case.reinspect_after_deadline"
        else:
            raise CaseActionError(_("This case cannot be re-inspected now."))
        campaign = do_create_campaign(
            name=f"Re-inspection of case #{case.pk}",
            scope=Scope(kind=CampaignScope.WEBSITES, website_ids=(case.website_id,)),
            rule_codes=codes,
            actor=actor,
        )
        case.last_reinspection = campaign
        case.save()
        _record(case, step, actor, previous, campaign=campaign.pk)
        do_start_campaign(campaign, actor=actor)
    return case


def do_approve_cancel(case: RectificationCase | int, *, actor, reason: str) -> RectificationCase:
    """Approve cancelling a blocked website's access.

    With four-eyes on, the first lead proposes and a second, different lead approves;
    the cancel then runs at deadline + grace (at once if that has passed).
    """
    _require_lead(actor)
    reason = _require_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if case.state != S.ACCESS_BLOCKED:
            raise CaseActionError(_("Only a blocked website's access can be cancelled."))
        if case.cancel_approved_at:
            raise CaseActionError(_("Cancelling was approved already."))
        if settings.ENFORCEMENT_FOUR_EYES and case.cancel_requested_by_id is None:
            case.cancel_requested_by, case.cancel_requested_at = actor, now
            case.save(update_fields=["cancel_requested_by", "cancel_requested_at"])
            _record(case, "case.cancel_proposed", actor, case.state, reason)
            return case
        if settings.ENFORCEMENT_FOUR_EYES and case.cancel_requested_by_id == actor.pk:
            raise CaseActionError(_("A second lead must approve what you proposed."))
        case.cancel_approved_by, case.cancel_approved_at = actor, now
        case.hold_reason = ""
        case.next_step_at = max(now, periods.cancel_at(case))
        case.save(
            update_fields=[
                "cancel_approved_by",
                "cancel_approved_at",
                "hold_reason",
                "next_step_at",
            ]
        )
        _record(case, "case.cancel_approved", actor, case.state, reason)
    return case


def do_set_enforcement_pause(*, actor, paused: bool, reason: str) -> EnforcementControl:
    """A lead pauses (or resumes) every block and cancel."""
    _require_lead(actor)
    reason = _require_reason(reason)
    with transaction.atomic():
        EnforcementControl.objects.get_or_create(pk=EnforcementControl.SINGLETON_ID)
        control = EnforcementControl.objects.select_for_update().get(
            pk=EnforcementControl.SINGLETON_ID
        )
        before = control.paused
        control.paused = paused
        control.changed_by, control.changed_at, control.reason = actor, timezone.now(), reason
        control.save()
        audit.record(
            "enforcement.pause" if paused else "enforcement.resume",
            control,
            actor=actor,
            before={"paused": before},
            after={"paused": paused},
            reason=reason,
        )
    return control


def do_approve_campaign_blocks(campaign: Campaign, *, actor, reason: str) -> CampaignBlockApproval:
    """A lead lets one campaign block more websites than the threshold."""
    _require_lead(actor)
    reason = _require_reason(reason)
    with transaction.atomic():
        approval, created = CampaignBlockApproval.objects.get_or_create(
            campaign=campaign, defaults={"approved_by": actor, "reason": reason}
        )
        if not created:
            raise CaseActionError(_("This campaign's blocks were approved already."))
        released = RectificationCase.objects.filter(
            campaign=campaign, state=S.OVERDUE, hold_reason=HoldReason.CAMPAIGN_APPROVAL
        ).update(hold_reason="", next_step_at=timezone.now())
        audit.record(
            "enforcement.approve_campaign_blocks",
            campaign,
            actor=actor,
            after={"released_cases": released},
            reason=reason,
        )
    return approval


def do_post_message(
    case: RectificationCase, *, author, body: str, internal: bool = False
) -> CaseMessage:
    """A message in the case's thread; staff messages (not internal ones) notify the customer."""
    body = (body or "").strip()
    if not body:
        raise CaseActionError(_("Write a message."))
    from_staff = staff_role(author) is not None
    if internal and not from_staff:
        raise CaseActionError(_("Only staff write internal comments."))
    with transaction.atomic():
        message = CaseMessage.objects.create(
            case=case,
            tenant_id=case.tenant_id,
            author=author,
            from_staff=from_staff,
            internal=internal,
            body=body[:4000],
        )
        audit.record(
            "case.message",
            message,
            actor=author,
            tenant=case.tenant,
            after={"case": case.pk, "internal": internal},
        )
        if from_staff and not internal:
            notices.save_notices(
                [
                    row
                    for row in notices.notice_rows(
                        [case],
                        notices.CASE_MESSAGE,
                        now=timezone.now(),
                        occasion=f"m{message.pk}",
                        extra={"text": body[:500]},
                    )
                ]
            )
    return message


def grace_left(case: RectificationCase) -> timedelta:
    return periods.cancel_at(case) - timezone.now()
