"""Staff remind a customer of an open case: a notice to the owners and the person in charge."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icpportal.models import AuditEvent
from inspections.enforcement import notices
from inspections.enforcement.actions import CaseActionError, _locked, _record
from inspections.models import RectificationCase

REMIND_ACTION = "case.remind"


def reminded_today(case: RectificationCase) -> bool:
    return AuditEvent.objects.filter(
        object_type=case._meta.label_lower,
        object_id=str(case.pk),
        action=REMIND_ACTION,
        at__date=timezone.localdate(),
    ).exists()


def do_remind_case(case: RectificationCase | int, *, actor) -> bool:
    """Remind the customer of the deadline; False when today's reminder already went out.

    At most one reminder per case and day: the notices' dedup key carries the date.
    """
    today = timezone.localdate().isoformat()
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise CaseActionError(_("This case is closed: there is nothing to remind of."))
        if reminded_today(case):
            return False
        _record(case, REMIND_ACTION, actor, case.state, day=today)
        notices.send_notice(case, notices.CASE_REMINDER, occasion=today)
    return True
