"""Audit rows of case steps, built for bulk insertion."""

from __future__ import annotations

from collections.abc import Iterable

from icpportal import audit
from icpportal.models import AuditEvent
from inspections.models import RectificationCase


def case_event(
    case: RectificationCase,
    action: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    reason: str = "",
) -> AuditEvent:
    """One audit row about ``case`` (its tenant and website should be loaded)."""
    return audit.build(
        action, case, actor=actor, before=before, after=after, reason=reason, tenant=case.tenant
    )


def record_steps(
    cases: Iterable[RectificationCase],
    action: str,
    *,
    before_state: str | None = None,
    after: dict | None = None,
    reason: str = "",
) -> None:
    """The same step on many cases: one audit row each, one bulk insert."""
    audit.record_many(
        case_event(
            case,
            action,
            before={"state": before_state or case.state},
            after=after,
            reason=reason,
        )
        for case in cases
    )
