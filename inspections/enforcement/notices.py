"""The messages of a case to the customer's owners and the website's person in charge.

Each notice is e-mail + in-app to every owner of the customer and SMS + e-mail to the
website head, written as outbox rows in the transaction of the step that causes it.
Escalation writes them in bulk (:func:`notice_rows` + :func:`save_notices`); a dedup
key per case, event and recipient makes a repeated step write nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from icpportal.models import Membership
from inspections.models import RectificationCase
from notifications.events import Event, register, render
from notifications.models import Notification

CASE_OPENED = "case_opened"
CASE_HALF_PERIOD = "case_half_period"
CASE_LAST_DAY = "case_last_day"
CASE_BLOCKED = "case_blocked"
CASE_CANCELLED = "case_access_cancelled"
CASE_TRANSFER_CANCELLED = "case_transfer_cancelled"
CASE_EXTENDED = "case_extended"
CASE_UNBLOCKED = "case_unblocked"
CASE_RESOLVED = "case_resolved"
CASE_STILL_FAILING = "case_still_failing"
CASE_MESSAGE = "case_message"
CASE_REMINDER = "case_reminder"

register(
    Event(
        key=CASE_OPENED,
        subject=_("Website {site}: ICP filing problems to fix by {deadline}"),
        body=_(
            "The special inspection found problems with the ICP filing of {site} "
            "(case {case}). Fix them by {deadline} and ask for a re-inspection in the "
            "portal. If they are not fixed by then, access to the website's domains will "
            "be blocked, and later access will be cancelled."
        ),
        sms=_("{site}: ICP filing problems, fix by {deadline}. See the portal."),
        sms_params=("site", "deadline"),
    )
)
register(
    Event(
        key=CASE_HALF_PERIOD,
        subject=_("Reminder: half the time to fix {site} has passed"),
        body=_(
            "Half of the time to fix the ICP filing problems of {site} (case {case}) has "
            "passed. The deadline is {deadline}; after it, access to the website's "
            "domains will be blocked."
        ),
        sms=_("{site}: half the fixing time passed, due {deadline}."),
        sms_params=("site", "deadline"),
    )
)
register(
    Event(
        key=CASE_LAST_DAY,
        subject=_("Last working day: {site} will be blocked after {deadline}"),
        body=_(
            "The ICP filing problems of {site} (case {case}) are still open. If they are "
            "not fixed by {deadline}, access to the website's domains will be blocked "
            "and visitors will see an interception page."
        ),
        sms=_("{site}: fix by {deadline} or access is blocked."),
        sms_params=("site", "deadline"),
    )
)
register(
    Event(
        key=CASE_BLOCKED,
        subject=_("Access to {site} is blocked"),
        body=_(
            "The deadline of case {case} passed with the ICP filing problems of {site} "
            "unfixed, so access to its domains is blocked now. Fix the problems and ask "
            "for a re-inspection: access comes back at once when it passes. If nothing "
            "changes, access will be cancelled on {cancel_on}."
        ),
        sms=_("{site}: access blocked. Cancelled on {cancel_on} if unfixed."),
        sms_params=("site", "cancel_on"),
    )
)
register(
    Event(
        key=CASE_CANCELLED,
        subject=_("Access of {site} is cancelled"),
        body=_(
            "The ICP filing problems of {site} (case {case}) were not fixed, so its access "
            "at {provider} is cancelled. The filing number remains; the bureau may "
            "deregister a filing without access. You may apply for access again."
        ),
        sms=_("{site}: access cancelled. Apply again to return."),
        sms_params=("site",),
    )
)
register(
    Event(
        key=CASE_TRANSFER_CANCELLED,
        subject=_("The transfer of {site} is cancelled"),
        body=_(
            "The ICP filing problems of {site} (case {case}) were not fixed, so its pending "
            "transfer to {provider} is cancelled. You may apply for the transfer again."
        ),
        sms=_("{site}: transfer cancelled. You may apply again."),
        sms_params=("site",),
    )
)
register(
    Event(
        key=CASE_EXTENDED,
        subject=_("New deadline for {site}: {deadline}"),
        body=_(
            "The deadline of case {case} ({site}) is now {deadline}. Reason: {reason}. "
            "Any block on the website's domains is lifted."
        ),
        sms=_("{site}: new deadline {deadline}."),
        sms_params=("site", "deadline"),
    )
)
register(
    Event(
        key=CASE_UNBLOCKED,
        subject=_("Access to {site} is restored"),
        body=_(
            "Access to the domains of {site} is restored (case {case}). Reason: {reason}. "
            "Fix the remaining problems by {deadline}."
        ),
        sms=_("{site}: access restored. Fix by {deadline}."),
        sms_params=("site", "deadline"),
    )
)
register(
    Event(
        key=CASE_RESOLVED,
        subject=_("Case {case} of {site} is resolved"),
        body=_(
            "Every problem of case {case} ({site}) is fixed or waived. Nothing more to do; "
            "access to the website's domains is allowed."
        ),
        sms=_("{site}: ICP case resolved. Thank you."),
        sms_params=("site",),
    )
)
register(
    Event(
        key=CASE_STILL_FAILING,
        subject=_("Re-inspection of {site}: problems remain"),
        body=_(
            "The re-inspection of {site} (case {case}) still finds problems; see the case "
            "page for the new evidence. The deadline stays {deadline}."
        ),
        sms=_("{site}: re-inspection still fails. Fix by {deadline}."),
        sms_params=("site", "deadline"),
    )
)
register(
    Event(
        key=CASE_MESSAGE,
        subject=_("New message in case {case} ({site})"),
        body=_("Compliance staff wrote in case {case} of {site}: {text}"),
    )
)

register(
    Event(
        key=CASE_REMINDER,
        subject=_("Reminder: fix {site} by {deadline}"),
        body=_(
            "The ICP filing problems of {site} (case {case}) are still open. Fix them by "
            "{deadline} and ask for a re-inspection in the portal; after the deadline, "
            "access to the website's domains will be blocked."
        ),
        sms=_("{site}: ICP problems still open, fix by {deadline}."),
        sms_params=("site", "deadline"),
    )
)

# Events that also go out by SMS (the others: e-mail and in-app only).
SMS_EVENTS = frozenset(
    {
        CASE_OPENED,
        CASE_HALF_PERIOD,
        CASE_LAST_DAY,
        CASE_BLOCKED,
        CASE_CANCELLED,
        CASE_TRANSFER_CANCELLED,
        CASE_EXTENDED,
        CASE_UNBLOCKED,
        CASE_RESOLVED,
        CASE_STILL_FAILING,
        CASE_REMINDER,
    }
)


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def context_of(case: RectificationCase, **extra) -> dict:
    from inspections.enforcement.periods import cancel_at

    return {
        "case": f"#{case.pk}",
        "site": case.website.name,
        "deadline": _when(case.deadline),
        "cancel_on": _when(cancel_at(case)),
        "provider": settings.PROVIDER_NAME,
        "reason": "",
        **extra,
    }


def owners_by_tenant(tenant_ids: Iterable[int]) -> dict[int, list]:
    """The owners (users) of each customer: one query."""
    owners: dict[int, list] = defaultdict(list)
    rows = Membership.objects.filter(
        tenant_id__in=set(tenant_ids), role=Membership.Role.OWNER, user__is_active=True
    ).select_related("user")
    for membership in rows:
        owners[membership.tenant_id].append(membership.user)
    return owners


def notice_rows(
    cases: Iterable[RectificationCase],
    event: str,
    *,
    now: datetime,
    owners: dict[int, list] | None = None,
    occasion: str = "",
    extra: dict | None = None,
) -> list[Notification]:
    """Outbox rows of ``event`` for every case (website and head must be loaded).

    ``occasion`` tells repeated events apart in the dedup key (e.g. the extension count).
    """
    cases = list(cases)
    if owners is None:
        owners = owners_by_tenant(c.tenant_id for c in cases)
    rows: list[Notification] = []
    for case in cases:
        context = context_of(case, **(extra or {}))
        key = f"case:{case.pk}:{event}:{occasion}"
        for user in owners.get(case.tenant_id, ()):
            language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
            rendered = render(event, context, language)
            rows.append(
                Notification(
                    channel=Notification.Channel.IN_APP,
                    tenant_id=case.tenant_id,
                    recipient_user=user,
                    template_key=event,
                    context=context,
                    language=language,
                    dedup_key=f"{key}:in_app:{user.pk}",
                    subject=rendered.subject[:200],
                    body=rendered.body,
                    status=Notification.Status.SENT,
                    sent_at=now,
                    next_attempt_at=now,
                )
            )
            if user.email:
                rows.append(
                    _queued(case, event, context, language, now, "email", user.email, key, user)
                )
        head = case.website.head
        language = settings.LANGUAGE_CODE
        if head.mobile and event in SMS_EVENTS:
            rows.append(_queued(case, event, context, language, now, "sms", head.mobile, key))
        if head.email and head.email not in {u.email for u in owners.get(case.tenant_id, ())}:
            rows.append(_queued(case, event, context, language, now, "email", head.email, key))
    return rows


def _queued(case, event, context, language, now, channel, address, key, user=None):
    return Notification(
        channel=channel,
        tenant_id=case.tenant_id,
        recipient_user=user,
        recipient_address=address,
        template_key=event,
        context=context,
        language=language,
        dedup_key=f"{key}:{channel}:{address}"[:200],
        status=Notification.Status.QUEUED,
        next_attempt_at=now,
    )


def save_notices(rows: list[Notification]) -> None:
    """Insert outbox rows (a row whose dedup key exists is skipped); deliver after commit."""
    if not rows:
        return
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    if any(row.status == Notification.Status.QUEUED for row in rows):
        transaction.on_commit(_kick_sender)


def _kick_sender() -> None:
    from notifications.tasks import deliver_notifications

    deliver_notifications.delay()


def send_notice(case: RectificationCase, event: str, *, occasion: str = "", **extra) -> None:
    """One case's notice, inside the caller's transaction."""
    save_notices(notice_rows([case], event, now=timezone.now(), occasion=occasion, extra=extra))
