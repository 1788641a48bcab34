"""Template tags of the staff queues."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from icpportal.models import LEAD_ROLES
from icpportal.tenancy import staff_role
from inspections.enforcement.assignment import active_staff

register = template.Library()


@register.simple_tag(takes_context=True)
def case_assignment(context, case) -> dict:
    """What the user may do about who works on ``case``, and whom a lead may pick
    (``options``: the select's options).

    A queue page puts ``assignable_staff`` in its context once; elsewhere the list is
    read here (leads only: reviewers cannot assign others).
    """
    user = context["request"].user
    lead = staff_role(user) in LEAD_ROLES
    staff = context.get("assignable_staff")
    if lead and staff is None:
        staff = list(active_staff())
    open_case = case.is_open
    may_assign = open_case and lead
    return {
        "may_take": open_case and case.assignee_id != user.pk,
        "may_unassign": open_case
        and case.assignee_id is not None
        and (lead or case.assignee_id == user.pk),
        "may_assign": may_assign,
        "options": staff_options(staff or [], case.assignee_id) if may_assign else "",
    }


SELECTED = mark_safe(" selected")


def staff_options(staff, selected_id: int | None) -> str:
    """The <option>s of the "assign to" select, the case's assignee selected. Built here
    rather than in the template: a queue page has one select per row."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((m.pk, SELECTED if m.pk == selected_id else "", m.get_username()) for m in staff),
    )
