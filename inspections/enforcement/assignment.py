"""Who works on a case: a reviewer takes it, a lead assigns it, either hands it back.

Each action runs in one transaction on the locked case and writes an audit row. The
assignee must be active compliance staff. Reviewers take cases and give back their
own; leads and admins assign anyone and unassign any case.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from icpportal.models import LEAD_ROLES
from icpportal.tenancy import staff_role
from inspections.enforcement.actions import CaseActionError, _locked, _record
from inspections.models import RectificationCase


class AssignmentForbidden(CaseActionError):
    """The actor's role does not allow this step on this case (a reviewer on someone
    else's case); pages answer it with 403."""


def active_staff():
    """Users who may be given cases: active accounts with an active staff profile."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__is_active=True)
        .order_by("username")
    )


def _require_staff(user) -> None:
    if staff_role(user) is None or not user.is_active:
        raise CaseActionError(_("Cases can only be assigned to active compliance staff."))


def _set_assignee(
    case, assignee, *, actor, action: str, reason: str = "", own_only: bool = False
) -> RectificationCase:
    with transaction.atomic():
        case = _locked(case)
        if own_only and case.assignee_id != actor.pk:
            raise AssignmentForbidden(_("Only a lead may take a case away from someone else."))
        if not case.is_open:
            raise CaseActionError(_("This case is closed: nobody works on it any more."))
        before = case.assignee_id
        if before == (assignee.pk if assignee else None):
            return case
        case.assignee = assignee
        case.save(update_fields=["assignee", "updated_at"])
        _record(
            case, action, actor, case.state, reason,
            assignee=assignee.get_username() if assignee else None, previous_assignee=before,
        )  # fmt: skip
    return case


def do_take_case(case: RectificationCase | int, *, actor) -> RectificationCase:
    """The staff member takes the case into their own queue."""
    _require_staff(actor)
    return _set_assignee(case, actor, actor=actor, action="case.take")


def do_assign_case(
    case: RectificationCase | int, *, actor, assignee, reason: str = ""
) -> RectificationCase:
    """A lead gives the case to a staff member (a reviewer may only take it)."""
    if staff_role(actor) not in LEAD_ROLES:
        if assignee is not None and assignee.pk == getattr(actor, "pk", None):
            return do_take_case(case, actor=actor)
        raise AssignmentForbidden(_("Only a lead may assign a case to someone else."))
    assignee = get_user_model().objects.select_related("staff_profile").get(pk=assignee.pk)
    _require_staff(assignee)
    return _set_assignee(case, assignee, actor=actor, action="case.assign", reason=reason)


def do_unassign_case(
    case: RectificationCase | int, *, actor, reason: str = ""
) -> RectificationCase:
    """Back to the shared queue: a reviewer their own case, a lead any case."""
    role = staff_role(actor)
    if role is None:
        raise CaseActionError(_("Only compliance staff work on cases."))
    return _set_assignee(
        case, None, actor=actor, action="case.unassign", reason=reason,
        own_only=role not in LEAD_ROLES,
    )  # fmt: skip
