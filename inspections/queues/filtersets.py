"""The staff case queue: which cases a row shows, and the filters staff narrow it by.

``case_queue(user)`` is the one queryset of the queue page, its CSV export and the
staff cases API; ``CaseQueueFilter`` narrows it the same way in all three.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from inspections.models import CaseFinding, CaseState, FindingStatus, RectificationCase
from inspections.models.cases import FINAL_STATES, OPEN_STATES
from inspections.queues.base import QueueFilterSet, cached_province_filter, customer_filter
from inspections.queues.search import date_range, deadline_window, website_search
from inspections.rules import all_rules

# Sort choices → ORDER BY; each ends in the primary key so pages never overlap.
CASE_SORTS: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "opened_at": ("opened_at", "id"),
    "-opened_at": ("-opened_at", "-id"),
}
DEFAULT_SORT = "deadline"


class JoinedCodes(Aggregate):
    """Rule codes joined by spaces, in code order (STRING_AGG; GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ' ')",
            **extra_context,
        )


def case_queue(user) -> QuerySet[RectificationCase]:
    """Every case staff may see, with what a queue row shows and its failing findings.

    ``failing`` counts the case's open findings and ``failing_rules`` names them
    (space-separated), each in a subquery: one row per case, any page one query.
    """
    open_findings = (
        CaseFinding.objects.filter(case=OuterRef("pk"), status=FindingStatus.OPEN)
        .order_by()
        .values("case")
    )
    count = open_findings.annotate(n=Count("id")).values("n")
    codes = open_findings.annotate(codes=JoinedCodes("rule_code")).values("codes")
    return (
        RectificationCase.objects.for_staff(user)
        .select_related("website", "entity", "entity__province", "tenant", "assignee")
        .annotate(
            failing=Coalesce(Subquery(count, output_field=IntegerField()), 0),
            failing_rules=Coalesce(Subquery(codes, output_field=CharField()), Value("")),
        )
        .order_by(*CASE_SORTS[DEFAULT_SORT])
    )


def rule_choices() -> list[tuple[str, str]]:
    return [(rule.code, f"{rule.code} · {rule.title}") for rule in all_rules()]


STATE_CHOICES = [
    ("open", _("Open cases")),
    ("final", _("Closed cases")),
    ("all", _("All cases")),
    *CaseState.choices,
]
DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("within", _("Due within N working days")),
]
SORT_CHOICES = [
    ("deadline", _("Deadline, soonest first")),
    ("-deadline", _("Deadline, latest first")),
    ("opened_at", _("Opened, oldest first")),
    ("-opened_at", _("Opened, newest first")),
]


class AssigneeField(forms.CharField):
    """``me``, ``none`` or a user id."""

    def clean(self, value):
        value = super().clean(value).strip()
        if value and value not in ("me", "none") and not value.isdigit():
            raise forms.ValidationError(_("Choose me, nobody, or a staff member."))
        return value


class AssigneeFilter(django_filters.CharFilter):
    field_class = AssigneeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.Select(choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))]),
        )
        super().__init__(*args, **kwargs)


class CaseQueueFilter(QueueFilterSet):
    """Narrow the case queue by state, rule, place, customer, assignee and deadline."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Domain, website or entity name, filing number, or #case number"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, method="in_state", empty_label=None
    )
    rule = django_filters.ChoiceFilter(
        label=_("Failing rule"), choices=rule_choices, method="failing_rule"
    )
    province = cached_province_filter("entity__province")
    tenant = customer_filter()
    assignee = AssigneeFilter(label=_("Assignee"), method="assigned_to")
    due = django_filters.ChoiceFilter(label=_("Deadline"), choices=DUE_CHOICES, method="due_window")
    within_days = django_filters.NumberFilter(
        label=_("Working days"), method="noop", min_value=0, max_value=365
    )
    deadline = django_filters.DateFromToRangeFilter(
        label=_("Deadline between"), method="deadline_between"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORT_CHOICES, method="sorted_by", empty_label=None
    )

    class Meta:
        model = RectificationCase
        fields = ["q", "state", "rule", "province", "tenant", "assignee", "due", "deadline"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("state"):
            queryset = queryset.filter(state__in=OPEN_STATES)
        if not data.get("sort"):
            queryset = queryset.order_by(*CASE_SORTS[DEFAULT_SORT])
        return queryset

    def noop(self, queryset, name, value):
        # ``within_days`` only sets the window of ``due=within``.
        return queryset

    def search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        if text.startswith("#") and text[1:].isdigit():
            return queryset.filter(pk=int(text[1:]))
        return queryset.filter(website_search(text))

    def in_state(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "final":
            return queryset.filter(state__in=FINAL_STATES)
        return queryset.filter(state=value)

    def failing_rule(self, queryset, name, value: str):
        # Served by finding_open_rule (rule_code, case) where status is open.
        open_finding = CaseFinding.objects.filter(
            case=OuterRef("pk"), rule_code=value, status=FindingStatus.OPEN
        )
        return queryset.filter(Exists(open_finding))

    def assigned_to(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user if self.request else None)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value))

    def due_window(self, queryset, name, value):
        days = self.form.cleaned_data.get("within_days")
        return queryset.filter(deadline_window("deadline", value, days=int(days or 5)))

    def deadline_between(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(date_range("deadline", value.start, value.stop))

    def sorted_by(self, queryset, name, value):
        return queryset.order_by(*CASE_SORTS.get(value, CASE_SORTS[DEFAULT_SORT]))
