"""The working calendar that every deadline in the portal counts in.

A day is a working day if staff said so in a holiday override; otherwise if the
official State Council calendar (the ``chinesecalendar`` package) says so; and for
years the State Council has not announced yet, if it is Monday to Friday. Answers of
the last kind are flagged approximate so screens can say "estimated".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone

from icpportal.models import HolidayOverride

# Extra days loaded beyond the obvious span: Spring Festival and Golden Week each
# swallow up to nine days, so this keeps a typical deadline to a single query.
_MARGIN_DAYS = 31


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is a working day, and where that answer came from.

    ``source`` is "override" (staff entry), "official" (State Council calendar) or
    "weekend-fallback" (year not announced yet: Monday to Friday, approximate).
    """

    date: date
    is_working_day: bool
    approximate: bool
    source: str


def _span_for(n: int) -> int:
    """Calendar days that very likely hold ``n`` working days, with room for holidays."""
    return abs(n) * 7 // 5 + _MARGIN_DAYS


class WorkingCalendar:
    """The working calendar over a range of dates, with staff overrides loaded once.

    Use one instance to compute many deadlines in bulk. Dates outside the range still
    work: the range grows by whole chunks, one query each. Answers are cached on the
    instance only, so a fresh instance always sees the latest overrides.
    """

    def __init__(self, start: date, end: date) -> None:
        first, last = min(start, end), max(start, end)
        self._first = first
        self._last = first - timedelta(days=1)  # nothing loaded yet
        self._overrides: dict[date, bool] = {}
        self._days: dict[date, DayInfo] = {}
        self._load(first, last)

    def _load(self, first: date, last: date) -> None:
        """Load overrides for ``first..last``, which must adjoin what is loaded."""
        rows = HolidayOverride.objects.filter(date__range=(first, last)).values_list(
            "date", "is_working_day"
        )
        self._overrides.update(rows)
        self._first, self._last = min(self._first, first), max(self._last, last)

    def _ensure_loaded(self, d: date) -> None:
        # Grow by at least the current span so a long walk costs few queries,
        # never one per day.
        chunk = timedelta(days=max((self._last - self._first).days + 1, _MARGIN_DAYS))
        if d > self._last:
            self._load(self._last + timedelta(days=1), max(d, self._last + chunk))
        elif d < self._first:
            self._load(min(d, self._first - chunk), self._first - timedelta(days=1))

    def day_info(self, d: date) -> DayInfo:
        """Whether ``d`` is a working day, and whether that answer is only approximate."""
        info = self._days.get(d)
        if info is None:
            info = self._days[d] = self._compute(d)
        return info

    def _compute(self, d: date) -> DayInfo:
        self._ensure_loaded(d)
        if d in self._overrides:
            return DayInfo(d, self._overrides[d], approximate=False, source="override")
        try:
            official = chinese_calendar.is_workday(d)
        except NotImplementedError:
            # The State Council announces each year's holidays only late in the
            # year before; until the package knows the year, assume weekends only.
            return DayInfo(d, d.weekday() < 5, approximate=True, source="weekend-fallback")
        return DayInfo(d, official, approximate=False, source="official")

    def is_working_day(self, d: date) -> bool:
        """Whether people work on ``d``."""
        return self.day_info(d).is_working_day

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` (before it if ``n`` is negative).

        ``start`` itself is not counted, so 1 working day after a Friday is the next
        Monday (in a normal week), and ``n == 0`` gives ``start``.
        """
        step = timedelta(days=1 if n > 0 else -1)
        d, remaining = start, abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``: "working days left".

        Negative when ``end`` is before ``start`` (the deadline has passed).
        """
        if end < start:
            return -self.working_days_between(end, start)
        days = (end - start).days
        return sum(self.is_working_day(start + timedelta(days=i)) for i in range(1, days + 1))

    def deadline_after(self, start: datetime, n: int, *, working: bool = True) -> datetime:
        """End of the ``n``-th working (or calendar) day after ``start``, portal time zone.

        ``start`` must be timezone-aware. The result is 23:59:59.999999 on that day
        in the portal's time zone, so anything done that day is on time.
        """
        tz = timezone.get_default_timezone()
        local_day = timezone.localtime(start, tz).date()
        due = self.add_working_days(local_day, n) if working else local_day + timedelta(days=n)
        return datetime.combine(due, time.max, tzinfo=tz)

    def is_approximate(self, start: date, end: date) -> bool:
        """Whether any day from ``start`` to ``end`` (both included) is only estimated."""
        first, last = min(start, end), max(start, end)
        return any(
            self.day_info(first + timedelta(days=i)).approximate
            for i in range((last - first).days + 1)
        )


# Module-level shortcuts for one-off questions. Each builds a fresh calendar, so it
# sees overrides staff saved a moment ago; use WorkingCalendar directly in bulk.


def day_info(d: date) -> DayInfo:
    """Whether ``d`` is a working day, and where that answer came from."""
    return WorkingCalendar(d, d).day_info(d)


def is_working_day(d: date) -> bool:
    """Whether people work on ``d``."""
    return WorkingCalendar(d, d).is_working_day(d)


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (before it if ``n`` is negative)."""
    bound = start + timedelta(days=_span_for(n) if n >= 0 else -_span_for(n))
    return WorkingCalendar(start, bound).add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end`` < ``start``."""
    return WorkingCalendar(start, end).working_days_between(start, end)


def deadline_after(start: datetime, n: int, *, working: bool = True) -> datetime:
    """End of the ``n``-th working (or calendar) day after ``start``, portal time zone."""
    local_day = timezone.localtime(start, timezone.get_default_timezone()).date()
    bound = local_day + timedelta(days=_span_for(n) if n >= 0 else -_span_for(n))
    return WorkingCalendar(local_day, bound).deadline_after(start, n, working=working)


def is_approximate(start: date, end: date) -> bool:
    """Whether any day from ``start`` to ``end`` (both included) is only estimated."""
    return WorkingCalendar(start, end).is_approximate(start, end)
