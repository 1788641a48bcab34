"""Taking, assigning and giving back cases, from the case page or a queue row."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from icpportal.redirects import next_url
from icpportal.tenancy import StaffRequiredMixin
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.assignment import (
    AssignmentForbidden,
    active_staff,
    do_assign_case,
    do_take_case,
    do_unassign_case,
)
from inspections.models import RectificationCase


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=get_user_model().objects.none(),
        error_messages={"invalid_choice": gettext_lazy("Choose an active staff member.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_staff()


class _AssignmentStep(StaffRequiredMixin, View):
    """A POST on one case, then back where the user came from (queue or case page).

    The actions decide who may do what; a step the user's role does not allow is a 403.
    """

    def post(self, request, pk):
        case = get_object_or_404(RectificationCase.objects.for_staff(request.user), pk=pk)
        try:
            message = self.run(case)
        except AssignmentForbidden:
            raise PermissionDenied from None
        except CaseActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.next_url(case))

    def next_url(self, case) -> str:
        return next_url(self.request, reverse("staff-case-detail", args=[case.pk]))

    def run(self, case) -> str:
        raise NotImplementedError


class TakeCaseView(_AssignmentStep):
    def run(self, case):
        do_take_case(case, actor=self.request.user)
        return _("Case #%(number)s is in your queue now.") % {"number": case.pk}


class AssignCaseView(_AssignmentStep):
    def run(self, case):
        form = AssignForm(self.request.POST)
        if not form.is_valid():
            raise CaseActionError(_("Choose an active staff member."))
        assignee = form.cleaned_data["assignee"]
        do_assign_case(case, actor=self.request.user, assignee=assignee)
        return _("Case #%(number)s is assigned to %(name)s.") % {
            "number": case.pk,
            "name": assignee.get_username(),
        }


class UnassignCaseView(_AssignmentStep):
    def run(self, case):
        do_unassign_case(case, actor=self.request.user)
        return _("Case #%(number)s is back in the shared queue.") % {"number": case.pk}
