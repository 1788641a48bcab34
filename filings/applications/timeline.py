"""The timeline of an application or a website: what happened, and what comes next.

Built from the audit rows the actions write (who, when, why), with the expected
next step and, where a deadline applies, its date in working days of the portal's
calendar (flagged approximate for years the State Council has not announced).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings.applications.drafts import DRAFT_LIFETIME
from filings.applications.sms_step import STEP_VALIDITY
from filings.choices import OPEN_APPLICATION_STATUSES, ApplicationStatus
from filings.models import Application, MiitVerification, ProvinceRule, Website
from icpportal.calendar import WorkingCalendar
from icpportal.models import AuditEvent

Status = ApplicationStatus
PROVIDER_REVIEW_WORKING_DAYS = 1

# What each recorded action means, in the customer's words.
ACTION_LABELS: dict[str, Promise] = {
    "application.create": _("Application started"),
    "application.submit": _("Submitted for provider review"),
    "application.resubmit": _("Corrected and submitted again"),
    "application.return": _("Returned for changes"),
    "application.pass": _("Passed provider review"),
    "application.miit_verified": _("MIIT code entered"),
    "application.miit_wrong_code": _("Wrong MIIT code entered"),
    "application.sms_failed": _("Returned: MIIT SMS verification not completed"),
    "application.bureau_submit": _("Sent to the bureau"),
    "application.approve": _("Approved by the bureau"),
    "application.reject": _("Rejected by the bureau"),
    "application.apply": _("Approved data put on file"),
    "application.withdraw": _("Withdrawn"),
    "application.withdraw_for_overdue_case": _("Cancelled: rectification case overdue"),
    "application.expire": _("Draft expired"),
    "website.create": _("Website put on file"),
    "website.update": _("Website details changed"),
    "website.domains": _("Domains updated"),
    "website.transfer_access": _("Access here opened for the transfer"),
    "website.transfer_ended": _("Transfer access ended"),
    "website.cancel_access": _("Access cancelled"),
    "website.deregister": _("Website deregistered"),
    # Rectification cases of the website: the steps that change its access.
    "case.open": _("Rectification case opened"),
    "case.extend": _("Rectification deadline extended"),
    "case.overdue": _("Rectification deadline passed"),
    "case.block": _("Access blocked: rectification overdue"),
    "case.lift_block": _("Access restored"),
    "case.resolve": _("Rectification case resolved"),
    "case.close_deregistered": _("Rectification case closed: website deregistered"),
}
# The case steps a website's timeline shows (the others are the case's own business).
CASE_ACTIONS_ON_WEBSITE = tuple(code for code in ACTION_LABELS if code.startswith("case."))
_CASE_MODEL = "inspections.rectificationcase"
# Rows that only record edits of a draft; the timeline leaves them out.
_QUIET = frozenset({"application.save_draft"})


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened: when, who, what, why."""

    at: datetime.datetime
    actor: str
    action: str
    label: str
    reason: str = ""
    status: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NextStep:
    """What happens next, who acts, and by when (``due`` may be None)."""

    label: str
    actor: str
    due: datetime.datetime | None = None
    working_days: int | None = None
    approximate: bool = False


def _entries(events: Iterable[AuditEvent]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=event.at,
            actor=event.actor_label,
            action=event.action,
            label=str(ACTION_LABELS.get(event.action, event.action)),
            reason=event.reason,
            status=str((event.after or {}).get("status", "")),
            details={k: v for k, v in (event.after or {}).items() if k != "status"},
        )
        for event in events
        if event.action not in _QUIET
    ]


def _working_deadline(
    start: datetime.datetime, days: int, calendar: WorkingCalendar | None = None
) -> NextStep:
    local = timezone.localtime(start).date()
    if calendar is None:
        calendar = WorkingCalendar(local, local + datetime.timedelta(days=days * 3 + 31))
    due = calendar.deadline_after(start, days)
    return NextStep(
        label="",
        actor="",
        due=due,
        working_days=days,
        approximate=calendar.is_approximate(local, due.date()),
    )


_UNKNOWN = object()


def next_step(
    application: Application,
    *,
    calendar: WorkingCalendar | None = None,
    sms_expiry: Any = _UNKNOWN,
    province: Any = _UNKNOWN,
) -> NextStep | None:
    """The expected next step of an open application; None once it is finished.

    ``calendar``, ``sms_expiry`` and ``province`` are for :func:`next_steps`, which
    works them out once for a whole list.
    """
    status = application.status
    if status == Status.DRAFT:
        return NextStep(
            label=str(_("Complete the application and submit it")),
            actor=str(_("You")),
            due=application.last_activity_at + DRAFT_LIFETIME,
        )
    if status == Status.RETURNED:
        return NextStep(
            label=str(_("Correct the returned fields and submit again")), actor=str(_("You"))
        )
    if status == Status.PROVIDER_REVIEW:
        start = application.submitted_at or application.updated_at
        estimate = _working_deadline(start, PROVIDER_REVIEW_WORKING_DAYS, calendar)
        return NextStep(
            label=str(_("The provider reviews the application")),
            actor=str(_("Provider")),
            due=estimate.due,
            working_days=estimate.working_days,
            approximate=estimate.approximate,
        )
    if status == Status.SMS_VERIFICATION:
        expires = sms_expiry
        if expires is _UNKNOWN:
            expires = (
                MiitVerification.objects.filter(
                    application=application, status=MiitVerification.Status.PENDING
                )
                .order_by("expires_at")
                .values_list("expires_at", flat=True)
                .first()
            )
        return NextStep(
            label=str(_("Each head enters the code the MIIT sent by SMS")),
            actor=str(_("Heads in charge")),
            due=expires or (application.updated_at + STEP_VALIDITY),
        )
    if status == Status.BUREAU_REVIEW:
        start = application.bureau_submitted_at or application.updated_at
        if province is _UNKNOWN:
            province = _province_of(application)
        days = province.bureau_review_working_days if province else 20
        estimate = _working_deadline(start, days, calendar)
        return NextStep(
            label=str(_("The communications administration bureau reviews the application")),
            actor=str(_("Bureau")),
            due=estimate.due,
            working_days=days,
            approximate=estimate.approximate,
        )
    return None


def _province_of(application: Application) -> ProvinceRule | None:
    entity = application.entity or (application.website.entity if application.website else None)
    if entity is not None:
        return entity.province
    code = str(((application.payload or {}).get("entity") or {}).get("province") or "")
    return ProvinceRule.objects.filter(code=code.strip()).first() if code else None


def next_steps(applications: Iterable[Application]) -> dict[int, NextStep | None]:
    """The next step of each application of a list, by id, in a fixed number of queries.

    Select ``entity__province`` and ``website__entity__province`` with the list; one
    calendar, one look-up of the pending MIIT codes and one of the provinces named
    only in drafts serve every row.
    """
    applications = list(applications)
    sms_ids = [a.pk for a in applications if a.status == Status.SMS_VERIFICATION]
    expiries: dict[int, datetime.datetime] = {}
    if sms_ids:
        expiries = dict(
            MiitVerification.objects.filter(
                application_id__in=sms_ids, status=MiitVerification.Status.PENDING
            )
            .values("application_id")
            .annotate(first=Min("expires_at"))
            .values_list("application_id", "first")
        )
    bureau = [a for a in applications if a.status == Status.BUREAU_REVIEW]
    codes = {
        str(((a.payload or {}).get("entity") or {}).get("province") or "").strip()
        for a in bureau
        if a.entity is None and a.website is None
    } - {""}
    provinces = {p.code: p for p in ProvinceRule.objects.filter(code__in=codes)} if codes else {}
    starts = [
        a.submitted_at or a.updated_at for a in applications if a.status == Status.PROVIDER_REVIEW
    ] + [a.bureau_submitted_at or a.updated_at for a in bureau]
    calendar = None
    if starts:
        first = timezone.localtime(min(starts)).date()
        last = timezone.localtime(max(starts)).date()
        calendar = WorkingCalendar(first, last + datetime.timedelta(days=91))
    steps = {}
    for application in applications:
        entity = application.entity or (application.website.entity if application.website else None)
        if entity is not None:
            province = entity.province
        else:
            code = str(((application.payload or {}).get("entity") or {}).get("province") or "")
            province = provinces.get(code.strip())
        steps[application.pk] = next_step(
            application,
            calendar=calendar,
            sms_expiry=expiries.get(application.pk),
            province=province,
        )
    return steps


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    next_step: NextStep | None


def application_timeline(application: Application) -> Timeline:
    """Everything that happened to one application, oldest first, and what comes next."""
    events = AuditEvent.objects.filter(
        object_type=Application._meta.label_lower, object_id=str(application.pk)
    ).order_by("at", "id")
    return Timeline(_entries(events), next_step(application))


def website_timeline(website: Website) -> Timeline:
    """The website's history, its applications' and the access steps of its rectification
    cases, oldest first; the next step is that of its open application, if any."""
    applications = list(Application.objects.filter(website=website).order_by("created_at", "id"))
    case_ids = [
        str(pk)
        for pk in apps.get_model(_CASE_MODEL)
        .objects.filter(website=website)
        .values_list("pk", flat=True)
    ]
    events = AuditEvent.objects.filter(
        Q(object_type=Website._meta.label_lower, object_id=str(website.pk))
        | Q(
            object_type=Application._meta.label_lower,
            object_id__in=[str(a.pk) for a in applications],
        )
        | Q(object_type=_CASE_MODEL, object_id__in=case_ids, action__in=CASE_ACTIONS_ON_WEBSITE)
    ).order_by("at", "id")
    open_ones = [a for a in applications if a.status in OPEN_APPLICATION_STATUSES]
    return Timeline(_entries(events), next_step(open_ones[-1]) if open_ones else None)
