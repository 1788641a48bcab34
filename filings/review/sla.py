"""The provider-review clock: one working day on the portal's working calendar.

``deadline_clocks`` gives the same clock for anything else with a deadline (the staff
case queue's rectification deadlines).

An application submitted (or resubmitted) on any day is due by the end of the next
working day, in the portal's time zone (Asia/Shanghai), as the customer's timeline
promises. Weekends, official holidays and staff overrides do not count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from filings.applications.timeline import PROVIDER_REVIEW_WORKING_DAYS
from filings.models import Application
from icpportal.calendar import WorkingCalendar


@dataclass(frozen=True)
class SlaClock:
    """How long staff have left to review one application.

    ``working_days_left`` counts the working days after today up to the due day
    (0 on the due day itself); ``hours_left`` is set on the due day only.
    """

    due: datetime.datetime
    overdue: bool
    working_days_left: int
    hours_left: int | None
    approximate: bool

    @property
    def due_today(self) -> bool:
        return not self.overdue and self.hours_left is not None


def sla_clocks(
    applications: Iterable[Application], *, now: datetime.datetime | None = None
) -> dict[int, SlaClock]:
    """The clock of each application under provider review, by id, from one calendar."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rows = [(a.pk, a.submitted_at or a.updated_at) for a in applications]
    if not rows:
        return {}
    first = min(timezone.localtime(start).date() for _pk, start in rows)
    # Due dates lie a few days after the oldest submission; the calendar grows if not.
    calendar = WorkingCalendar(min(first, today), max(today, first) + datetime.timedelta(days=14))
    due = {pk: calendar.deadline_after(start, PROVIDER_REVIEW_WORKING_DAYS) for pk, start in rows}
    starts = {pk: timezone.localtime(start).date() for pk, start in rows}
    return deadline_clocks(due, now=now, calendar=calendar, starts=starts)


def deadline_clocks(
    deadlines: dict[int, datetime.datetime],
    *,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
    starts: dict[int, datetime.date] | None = None,
) -> dict[int, SlaClock]:
    """The clock of anything with a deadline (by id): working days left, or overdue.

    One calendar for all rows; ``starts`` (when known) widens the "estimated" check
    back to the day the clock started.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if not deadlines:
        return {}
    days = [timezone.localtime(due).date() for due in deadlines.values()]
    calendar = calendar or WorkingCalendar(min(*days, today), max(*days, today))
    clocks = {}
    for pk, due in deadlines.items():
        due_day = timezone.localtime(due).date()
        overdue = now > due
        hours_left = None
        if not overdue and due_day == today:
            hours_left = max(0, int((due - now).total_seconds() // 3600))
        start = (starts or {}).get(pk, today)
        clocks[pk] = SlaClock(
            due=due,
            overdue=overdue,
            working_days_left=calendar.working_days_between(today, due_day),
            hours_left=hours_left,
            approximate=calendar.is_approximate(start, due_day),
        )
    return clocks
