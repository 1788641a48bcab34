"""Staff endpoints of the work queues: cases (with assignment), triage and findings.

Compliance staff only (customers get 403); each list takes the same filters as its
page, pages by cursor, and costs the same queries at any size.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from icpportal.api.pagination import NewestFirstCursor
from icpportal.api.permissions import ComplianceStaff, TokenScopes
from icpportal.api.viewsets import ID_REGEX
from inspections.enforcement.actions import CaseActionError
from inspections.enforcement.assignment import (
    AssignmentForbidden,
    do_assign_case,
    do_take_case,
    do_unassign_case,
)
from inspections.enforcement.triage import do_decide
from inspections.models import CaseFinding, RectificationCase, RuleResult
from inspections.queues.filtersets import CaseQueueFilter, case_queue
from inspections.queues.findings import FindingsFilter, findings_queue
from inspections.queues.triage import TriageFilter, triage_queue
from inspections.staff_api import serializers as s
from inspections.staff_api.pagination import CaseQueueCursor, LastSeenCursor


class _StaffViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ComplianceStaff, TokenScopes]
    lookup_value_regex = ID_REGEX


def _refused(error: CaseActionError):
    """A step the user's role does not allow is a 403; any other refusal a 400."""
    if isinstance(error, AssignmentForbidden):
        return PermissionDenied(str(error))
    return ValidationError({"detail": str(error)})


class StaffCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _StaffViewSet):
    """Rectification cases of every customer: the staff case queue, and who works on them."""

    queryset = RectificationCase.objects.none()
    serializer_class = s.StaffCaseSerializer
    filterset_class = CaseQueueFilter
    pagination_class = CaseQueueCursor

    def get_queryset(self):
        cases = case_queue(self.request.user)
        if self.action == "retrieve":
            findings = CaseFinding.objects.order_by("status", "rule_code")
            cases = cases.prefetch_related(Prefetch("findings", queryset=findings))
        return cases

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.StaffCaseDetailSerializer
        return super().get_serializer_class()

    def filter_queryset(self, queryset):
        # Actions on one case ignore the list's filters (a closed case is still found).
        if self.action in ("take", "assign", "unassign", "retrieve"):
            return queryset
        return super().filter_queryset(queryset)

    def _answer(self, case):
        fresh = case_queue(self.request.user).get(pk=case.pk)
        return Response(s.StaffCaseSerializer(fresh).data)

    @extend_schema(request=None, responses=s.StaffCaseSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """Take the case into your own queue."""
        case = self.get_object()
        try:
            do_take_case(case, actor=request.user)
        except CaseActionError as error:
            raise _refused(error) from None
        return self._answer(case)

    @extend_schema(request=s.AssignSerializer, responses=s.StaffCaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the case to an active staff member (leads; a reviewer may name only themselves)."""
        case = self.get_object()
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            do_assign_case(case, actor=request.user, assignee=data.validated_data["assignee"])
        except CaseActionError as error:
            raise _refused(error) from None
        return self._answer(case)

    @extend_schema(request=None, responses=s.StaffCaseSerializer)
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        """Back to the shared queue (reviewers: their own cases; leads: any case)."""
        case = self.get_object()
        try:
            do_unassign_case(case, actor=request.user)
        except CaseActionError as error:
            raise _refused(error) from None
        return self._answer(case)


class TriageViewSet(mixins.ListModelMixin, _StaffViewSet):
    """Results the rules could not tell, waiting for a staff decision, newest first."""

    queryset = RuleResult.objects.none()
    serializer_class = s.TriageResultSerializer
    filterset_class = TriageFilter
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        return triage_queue(self.request.user)

    def filter_queryset(self, queryset):
        if self.action == "decide":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=s.TriageDecisionSerializer, responses=s.TriageDecisionResultSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Accept as pass (with a reason), confirm as failure (opens or joins the case),
        or re-check (runs the rule again)."""
        result = self.get_object()
        data = s.TriageDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decision = do_decide(
                result,
                data.validated_data["outcome"],
                actor=request.user,
                reason=data.validated_data["reason"],
            )
        except CaseActionError as error:
            raise _refused(error) from None
        return Response(s.TriageDecisionResultSerializer(decision).data, status=201)


class StaffFindingViewSet(mixins.ListModelMixin, _StaffViewSet):
    """Findings of every case (failing by default), most recently seen first."""

    queryset = CaseFinding.objects.none()
    serializer_class = s.StaffFindingSerializer
    filterset_class = FindingsFilter
    pagination_class = LastSeenCursor

    def get_queryset(self):
        return findings_queue(self.request.user)
