"""The staff dashboard: open cases by state and by rule, cases opened and closed per
day, what is past its deadline, blocks and cancellations per week, applications by
status.

Each chart is one set-based query (grouped in the database, days and weeks in the
portal's time zone); the numbers are kept for a minute in the cache, so a busy
dashboard costs the database a handful of queries a minute. Labels are translated
when the page is drawn, so one cached set serves both languages.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from filings.choices import ApplicationStatus
from filings.models import Application
from filings.review.sla import sla_clocks
from icpportal.models import AuditEvent
from icpportal.tenancy import StaffRequiredMixin
from inspections.case_views.guidance import rule_texts
from inspections.models import CaseFinding, CaseState, FindingStatus, RectificationCase
from inspections.models.cases import OPEN_STATES

CACHE_KEY = "staff-dashboard:v1"
CACHE_SECONDS = 60
DAYS = 30
WEEKS = 12
# The audit rows escalation writes when it blocks or cancels. They stay when an extension
# or a lifted block clears the case's ``blocked_at``, so the chart keeps every block.
BLOCK_ACTION = "case.block"
CANCEL_ACTIONS = (f"case.{CaseState.ACCESS_CANCELLED}", f"case.{CaseState.TRANSFER_CANCELLED}")


def _day_counts(rows, start: datetime.date, days: int, step: int = 1) -> list[int]:
    """Counts for each of ``days`` consecutive periods from ``start`` (zeros filled in)."""
    by_day = {row["day"]: row["n"] for row in rows}
    return [by_day.get(start + datetime.timedelta(days=i * step), 0) for i in range(days)]


def open_cases_by_state() -> dict[str, int]:
    rows = (
        RectificationCase.objects.filter(state__in=OPEN_STATES)
        .values("state")
        .annotate(n=Count("id"))
    )
    counts = {row["state"]: row["n"] for row in rows}
    return {state: counts.get(state, 0) for state in OPEN_STATES}


def open_cases_by_rule() -> dict[str, int]:
    """How many open cases fail each rule, most first."""
    rows = (
        CaseFinding.objects.filter(case__state__in=OPEN_STATES, status=FindingStatus.OPEN)
        .values("rule_code")
        .annotate(n=Count("case_id", distinct=True))
        .order_by("-n", "rule_code")
    )
    return {row["rule_code"]: row["n"] for row in rows}


def _dated(field: str, kind: str, trunc, since: datetime.datetime):
    """``(kind, day, n)`` rows: cases per period of ``field`` since ``since``."""
    tz = timezone.get_default_timezone()
    return (
        RectificationCase.objects.filter(**{f"{field}__gte": since})
        .annotate(day=trunc(field, tzinfo=tz), kind=Value(kind, output_field=CharField()))
        .values("kind", "day")
        .annotate(n=Count("id"))
        .order_by()
    )


def _enforced(since: datetime.datetime) -> QuerySet:
    """``(kind, day, n)`` rows: cases blocked and cancelled per week since ``since``, read
    from the escalation's audit rows in one grouped query (``at`` is indexed)."""
    tz = timezone.get_default_timezone()
    kind = Case(
        When(action=BLOCK_ACTION, then=Value("blocked")),
        default=Value("cancelled"),
        output_field=CharField(),
    )
    return (
        AuditEvent.objects.filter(
            at__gte=since,
            object_type=RectificationCase._meta.label_lower,
            action__in=(BLOCK_ACTION, *CANCEL_ACTIONS),
        )
        .annotate(day=TruncWeek("at", tzinfo=tz), kind=kind)
        .values("kind", "day")
        .annotate(n=Count("object_id", distinct=True))
        .order_by()
    )


def _split(rows) -> dict[str, list[dict]]:
    series: dict[str, list[dict]] = {}
    for row in rows:
        day = row["day"]
        if isinstance(day, datetime.datetime):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        series.setdefault(row["kind"], []).append({"day": day, "n": row["n"]})
    return series


def _per_period(
    start: datetime.date,
    periods: int,
    step: int,
    rows_since: Callable[[datetime.datetime], QuerySet],
    kinds: tuple[str, ...],
) -> tuple[list[datetime.date], dict[str, list[int]]]:
    """The first day of each of ``periods`` periods of ``step`` days from ``start``, and
    each kind's count per period; ``rows_since`` gives the ``(kind, day, n)`` rows."""
    since = timezone.make_aware(
        datetime.datetime.combine(start, datetime.time.min), timezone.get_default_timezone()
    )
    series = _split(rows_since(since))
    firsts = [start + datetime.timedelta(days=i * step) for i in range(periods)]
    return firsts, {kind: _day_counts(series.get(kind, []), start, periods, step) for kind in kinds}


def cases_per_day(today: datetime.date) -> dict:
    """Cases opened and closed on each of the last 30 days (today included)."""

    def opened_and_closed(since):
        return _dated("opened_at", "opened", TruncDate, since).union(
            _dated("closed_at", "closed", TruncDate, since), all=True
        )

    start = today - datetime.timedelta(days=DAYS - 1)
    days, counts = _per_period(start, DAYS, 1, opened_and_closed, ("opened", "closed"))
    return {"days": days, **counts}


def blocks_per_week(today: datetime.date) -> dict:
    """Websites blocked and access (or transfers) cancelled in each of the last 12 weeks,
    weeks starting on Monday. A block counts in its week even after an extension or a
    lifted block lets the website back in."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    start = this_monday - datetime.timedelta(weeks=WEEKS - 1)
    weeks, counts = _per_period(start, WEEKS, 7, _enforced, ("blocked", "cancelled"))
    return {"weeks": weeks, **counts}


def sla_breaches(now: datetime.datetime) -> dict[str, int]:
    """Open cases past their deadline, and applications past the one-working-day
    provider-review clock."""
    cases = RectificationCase.objects.aggregate(
        n=Count("id", filter=Q(state__in=OPEN_STATES, deadline__lt=now))
    )["n"]
    reviewing = Application.objects.filter(status=ApplicationStatus.PROVIDER_REVIEW).only(
        "id", "submitted_at", "updated_at"
    )
    late = sum(1 for clock in sla_clocks(reviewing, now=now).values() if clock.overdue)
    return {"cases_past_deadline": cases, "reviews_past_sla": late}


def applications_by_status() -> dict[str, int]:
    rows = Application.objects.values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in ApplicationStatus.values}


def dashboard_numbers() -> dict:
    """Every chart's numbers, from the cache when they are under a minute old."""

    def compute() -> dict:
        now = timezone.now()
        today = timezone.localdate(now)
        return {
            "at": now,
            "by_state": open_cases_by_state(),
            "by_rule": open_cases_by_rule(),
            "per_day": cases_per_day(today),
            "sla": sla_breaches(now),
            "per_week": blocks_per_week(today),
            "applications": applications_by_status(),
        }

    return cache.get_or_set(CACHE_KEY, compute, CACHE_SECONDS)


@dataclass(frozen=True)
class Chart:
    """One chart: a <canvas> drawn by static/js/dashboard.js from ``data`` (passed
    through ``json_script``), and the same numbers as a table for readers without it."""

    key: str
    title: str
    kind: str  # "bar", "line" or "doughnut"
    labels: list[str]
    series: list[tuple[str, list[int]]]

    @property
    def data(self) -> dict:
        return {
            "type": self.kind,
            "labels": self.labels,
            "datasets": [{"label": name, "data": values} for name, values in self.series],
        }

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [
            (label, [values[i] for _name, values in self.series])
            for i, label in enumerate(self.labels)
        ]

    @property
    def total(self) -> int:
        return sum(sum(values) for _name, values in self.series)


def _pairs(counts: dict[str, int], labels: dict[str, str]) -> tuple[list[str], list[int]]:
    return [str(labels.get(code, code)) for code in counts], list(counts.values())


def charts(numbers: dict) -> list[Chart]:
    """The dashboard's charts in the current language."""
    states = dict(CaseState.choices)
    state_labels, state_counts = _pairs(numbers["by_state"], states)
    rules = {code: rule_texts(code)[0] for code in numbers["by_rule"]}
    rule_labels, rule_counts = _pairs(numbers["by_rule"], rules)
    per_day, per_week, sla = numbers["per_day"], numbers["per_week"], numbers["sla"]
    statuses = dict(ApplicationStatus.choices)
    status_labels, status_counts = _pairs(numbers["applications"], statuses)
    return [
        Chart(
            "by-state", _("Open cases by state"), "bar", state_labels, [(_("Cases"), state_counts)]
        ),
        Chart(
            "by-rule",
            _("Open cases by failing rule"),
            "bar",
            rule_labels,
            [(_("Cases"), rule_counts)],
        ),
        Chart(
            "per-day",
            _("Cases opened and closed per day (last 30 days)"),
            "line",
            [day.strftime("%m-%d") for day in per_day["days"]],
            [(_("Opened"), per_day["opened"]), (_("Closed"), per_day["closed"])],
        ),
        Chart(
            "sla",
            _("Past their deadline"),
            "bar",
            [_("Open cases past their deadline"), _("Applications past the review SLA")],
            [(_("Count"), [sla["cases_past_deadline"], sla["reviews_past_sla"]])],
        ),
        Chart(
            "per-week",
            _("Blocks and cancellations per week (last 12 weeks)"),
            "bar",
            [week.strftime("%m-%d") for week in per_week["weeks"]],
            [(_("Blocked"), per_week["blocked"]), (_("Cancelled"), per_week["cancelled"])],
        ),
        Chart(
            "applications",
            _("Applications by status"),
            "bar",
            status_labels,
            [(_("Applications"), status_counts)],
        ),
    ]


class StaffDashboardView(StaffRequiredMixin, TemplateView):
    """Where compliance staff land: the state of cases, enforcement and review."""

    template_name = "inspections/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        numbers = dashboard_numbers()
        context.update(charts=charts(numbers), numbers=numbers, is_staff_member=True)
        return context
