"""How long a case runs, and when its next step (a warning, the deadline, a cancel) falls due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from icpportal.calendar import WorkingCalendar, deadline_after
from inspections.models import CaseState, PeriodKind, RectificationCase

S = CaseState
# The T-1 warning goes out at this local time on the last working day before the deadline.
LAST_DAY_WARNING_AT = time(9, 0)


def period_for(rule_codes: Iterable[str]) -> tuple[str, int]:
    """The period a case with these failing rules gets: the shortest one configured.

    Working and calendar days compare by their length in calendar days (7 working
    days ≈ 9 calendar days).
    """
    default = tuple(settings.RECTIFICATION_PERIOD)
    periods = [tuple(settings.RECTIFICATION_PERIODS.get(code, default)) for code in rule_codes]
    if not periods:
        return default

    def length(period: tuple[str, int]) -> float:
        kind, days = period
        return days * 7 / 5 if kind == PeriodKind.WORKING else days

    return min(periods, key=length)


def deadline_for(start: datetime, kind: str, days: int) -> datetime:
    """End of the last day of the period, in the portal's working calendar."""
    return deadline_after(start, days, working=kind == PeriodKind.WORKING)


def half_period_at(case: RectificationCase) -> datetime:
    """Half-way between the opening (paused time not counted) and the deadline."""
    start = case.opened_at + timedelta(seconds=case.paused_seconds)
    return start + (case.deadline - start) / 2


def last_day_warning_at(
    case: RectificationCase, calendar: WorkingCalendar | None = None
) -> datetime:
    """09:00 on the working day before the deadline's day (T-1 working day)."""
    tz = timezone.get_default_timezone()
    due_day = timezone.localtime(case.deadline, tz).date()
    calendar = calendar or WorkingCalendar(due_day - timedelta(days=31), due_day)
    return datetime.combine(calendar.add_working_days(due_day, -1), LAST_DAY_WARNING_AT, tzinfo=tz)


def cancel_at(case: RectificationCase) -> datetime:
    """When a blocked website's access is cancelled: deadline + grace."""
    return case.deadline + timedelta(days=settings.ENFORCEMENT_CANCEL_GRACE_DAYS)


def next_step_at(
    case: RectificationCase, calendar: WorkingCalendar | None = None
) -> datetime | None:
    """When the escalation scan should next look at ``case`` (None: nothing scheduled)."""
    if case.state in (S.OPEN, S.NOTIFIED):
        if case.clock_paused_at is not None:
            return None
        candidates = [case.deadline]
        if case.last_day_warned_at is None:
            warning = last_day_warning_at(case, calendar)
            if warning > case.opened_at:
                candidates.append(warning)
        if case.half_period_warned_at is None:
            candidates.append(half_period_at(case))
        return min(candidates)
    if case.state == S.OVERDUE:
        return case.deadline
    if case.state == S.ACCESS_BLOCKED:
        return cancel_at(case)
    return None
