"""Search and deadline windows shared by the staff queues."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from filings.models import Domain
from icpportal.calendar import WorkingCalendar


def website_search(text: str, *, website: str = "website", entity: str = "entity") -> Q:
    """Rows whose website or entity matches ``text``: domain, name or filing number.

    Names use icontains, so a two-character Chinese name (张三) matches as well; on
    PostgreSQL trigram indexes serve searches of three characters or more.
    """
    text = text.strip()
    live_domain = Domain.objects.filter(website=OuterRef(website), name__icontains=text.lower())
    return (
        Q(Exists(live_domain))
        | Q(**{f"{website}__name__icontains": text})
        | Q(**{f"{website}__filing_number__icontains": text})
        | Q(**{f"{entity}__name__icontains": text})
        | Q(**{f"{entity}__filing_number__icontains": text})
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def deadline_window(
    field: str,
    window: str,
    *,
    days: int | None = None,
    now: datetime.datetime | None = None,
) -> Q:
    """Rows whose ``field`` is overdue, due today, or due within ``days`` working days.

    Bounds are datetimes in the portal's time zone, so the deadline index serves them.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tomorrow = _day_start(today + datetime.timedelta(days=1))
    if window == "overdue":
        return Q(**{f"{field}__lt": now})
    if window == "today":
        return Q(**{f"{field}__gte": now, f"{field}__lt": tomorrow})
    if window == "within":
        last = WorkingCalendar(today, today).add_working_days(today, max(0, days or 0))
        end = _day_start(last + datetime.timedelta(days=1))
        return Q(**{f"{field}__gte": now, f"{field}__lt": end})
    return Q()


def date_range(field: str, first: datetime.date | None, last: datetime.date | None) -> Q:
    """Rows whose ``field`` falls on ``first`` .. ``last`` (both included, portal days)."""
    q = Q()
    if first:
        q &= Q(**{f"{field}__gte": _day_start(first)})
    if last:
        q &= Q(**{f"{field}__lt": _day_start(last + datetime.timedelta(days=1))})
    return q
