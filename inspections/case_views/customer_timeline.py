"""A case's history as the customer sees it: the steps of its audit rows, in plain words.

Staff-only steps (holds, the four-eyes approvals of a cancel) are left out, and so are
staff names: the customer reads "compliance staff".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from icpportal import audit
from icpportal.models import StaffProfile
from inspections.models import CaseState, RectificationCase

S = CaseState

# Audit action → what the customer reads. Actions not listed are staff-only.
STEP_LABELS = {
    "case.open": _("Case opened"),
    "case.join": _("New findings joined the case"),
    "case.notify": _("You were notified"),
    "case.warning": _("Reminder sent"),
    "case.submit_remediation": _("Remediation submitted"),
    "case.start_reinspection": _("Re-inspection started"),
    "case.reinspect_after_deadline": _("Re-inspection started"),
    "case.still_failing": _("Re-inspection: some checks still fail"),
    "case.resolve": _("Resolved"),
    "case.overdue": _("Deadline passed"),
    "case.block": _("Access blocked"),
    f"case.{S.ACCESS_CANCELLED}": _("Access cancelled"),
    f"case.{S.TRANSFER_CANCELLED}": _("Transfer cancelled"),
    "case.extend": _("Deadline extended"),
    "case.lift_block": _("Block lifted"),
    "case.clock_pause": _("Clock paused"),
    "case.clock_resume": _("Clock resumed"),
    "case.close_deregistered": _("Closed: deregistered"),
}
# Steps whose reason the customer is told anyway (in the notice about them).
REASON_SHOWN = {"case.extend", "case.lift_block", "case.close_deregistered"}


@dataclass(frozen=True)
class Step:
    at: datetime
    event: str  # the action without its "case." prefix, e.g. "extend"
    label: str
    by: str  # "customer", "staff" or "system"
    state: str | None
    deadline: datetime | None
    reason: str


def customer_timeline(case: RectificationCase) -> list[Step]:
    """The customer-visible steps of ``case``, oldest first (one query)."""
    events = (
        audit.timeline(case)
        .filter(action__in=STEP_LABELS)
        .annotate(
            by_staff=Exists(StaffProfile.objects.filter(user_id=OuterRef("actor_id"))),
        )
        .only("at", "action", "actor_id", "after", "reason")
    )
    steps = []
    for event in events:
        by = "system" if event.actor_id is None else ("staff" if event.by_staff else "customer")
        after = event.after or {}
        deadline = after.get("deadline")
        steps.append(
            Step(
                at=event.at,
                event=event.action.removeprefix("case."),
                label=str(STEP_LABELS[event.action]),
                by=by,
                state=after.get("state") or None,
                deadline=parse_datetime(deadline) if isinstance(deadline, str) else None,
                reason=event.reason if event.action in REASON_SHOWN else "",
            )
        )
    return steps
