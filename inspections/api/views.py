"""The customer's rectification cases over the API.

The endpoints call the same actions as the case pages (``do_post_message``,
``do_request_reinspection``); a refused step answers 409 with the action's message.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from icpportal.api import TenantScopedViewSet
from icpportal.api.pagination import NewestFirstCursor
from icpportal.api.serializers import ProblemSerializer
from icpportal.masking import mask_text
from inspections.api.filtersets import CaseFilter
from inspections.api.serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    CaseMessageSerializer,
    NewCaseMessageSerializer,
    ReinspectionSerializer,
)
from inspections.case_views.customer import REINSPECTABLE_STATES, countdown
from inspections.case_views.customer_timeline import customer_timeline
from inspections.case_views.guidance import deadline_outcome, finding_guidance, rule_texts
from inspections.enforcement.actions import (
    CaseActionError,
    do_post_message,
    do_request_reinspection,
)
from inspections.models import (
    CampaignStatus,
    CaseMessage,
    CaseState,
    FindingStatus,
    RectificationCase,
    RuleResult,
)


class DeadlineCursor(NewestFirstCursor):
    """Soonest deadline first."""

    ordering = ("deadline", "id")


def _problem(code: str, detail: str, status_code: int) -> Response:
    return Response({"code": code, "detail": detail, "field_errors": {}}, status=status_code)


def _findings(case: RectificationCase) -> list[dict]:
    rows = []
    for item in finding_guidance(case):
        finding, remedy = item["finding"], item["remedy"]
        rows.append(
            {
                "rule_code": finding.rule_code,
                "title": item["title"],
                "status": finding.status,
                "status_label": finding.get_status_display(),
                "severity": finding.severity,
                "message": mask_text(finding.message),
                "fix_text": item["fix_text"],
                "evidence": [{"label": k, "value": v} for k, v in item["evidence"]],
                "remedy": {"label": str(remedy.label), "page": remedy.url} if remedy else None,
                "first_seen_at": finding.first_seen_at,
                "last_seen_at": finding.last_seen_at,
            }
        )
    return rows


def _reinspection(case: RectificationCase) -> dict | None:
    """The case's latest re-inspection with the answers of its rules (one query)."""
    campaign = case.last_reinspection
    if campaign is None:
        return None
    results = (
        RuleResult.objects.filter(
            tenant_id=case.tenant_id, campaign=campaign, website_id=case.website_id
        )
        .order_by("rule_code")
        .only("rule_code", "status", "message")
    )
    if campaign.is_active:
        outcome = "running"
    elif campaign.status != CampaignStatus.FINISHED:
        outcome = "not_finished"
    else:
        outcome = "resolved" if case.state == CaseState.RESOLVED else "still_failing"
    return {
        "id": campaign.pk,
        "status": campaign.status,
        "status_label": campaign.get_status_display(),
        "outcome": outcome,
        "requested_at": campaign.created_at,
        "finished_at": campaign.finished_at,
        "results": [
            {
                "rule_code": result.rule_code,
                "title": rule_texts(result.rule_code)[0],
                "status": result.status,
                "message": mask_text(result.message),
            }
            for result in results
        ],
    }


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """The customer's rectification cases, soonest deadline first."""

    model = RectificationCase
    filterset_class = CaseFilter
    pagination_class = DeadlineCursor

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseDetailSerializer

    def get_queryset(self):
        cases = super().get_queryset()
        if self.action == "thread":
            return cases
        if self.action == "reinspect":
            return cases.select_related("last_reinspection")
        failing = Count("findings", filter=Q(findings__status=FindingStatus.OPEN))
        cases = cases.select_related("website", "entity").annotate(failing=failing)
        if self.action == "retrieve":
            cases = cases.select_related("last_reinspection")
        return cases

    def get_throttles(self):
        if self.request.method == "POST":
            self.throttle_scope = "transitions"
        return super().get_throttles()

    def retrieve(self, request, pk=None):
        case = self.get_object()
        clock = countdown(case)
        case.guidance = _findings(case)
        case.countdown = {**clock, "at_deadline": deadline_outcome(case, clock)}
        case.timeline = customer_timeline(case)
        case.may_reinspect = case.state in REINSPECTABLE_STATES
        case.reinspection = _reinspection(case)
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(
        methods=["GET"],
        summary="The case's messages with compliance staff, oldest first",
        request=None,
        responses={200: CaseMessageSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Write to compliance staff in the case's thread",
        request=NewCaseMessageSerializer,
        responses={201: CaseMessageSerializer, 400: ProblemSerializer, 409: ProblemSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="messages", url_name="messages")
    def thread(self, request, pk=None):
        case = self.get_object()
        if request.method == "POST":
            return self._post_message(request, case)
        rows = (
            CaseMessage.objects.for_tenant(request.tenant)
            .filter(case=case, internal=False)
            .select_related("author")
            .order_by("created_at", "id")
        )
        return Response(CaseMessageSerializer(rows, many=True).data)

    def _post_message(self, request, case: RectificationCase) -> Response:
        serializer = NewCaseMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not case.is_open:
            return _problem(
                "closed", _("This case is closed: messages can no longer be added."), 409
            )
        try:
            message = do_post_message(
                case, author=request.user, body=serializer.validated_data["body"]
            )
        except CaseActionError as error:
            return _problem("invalid", str(error), status.HTTP_400_BAD_REQUEST)
        return Response(CaseMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The latest re-inspection of the case and what it found",
        request=None,
        responses={
            200: ReinspectionSerializer,
            404: OpenApiResponse(ProblemSerializer, description="No case, or none requested."),
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Run the case's failing checks on the website now",
        request=None,
        responses={202: ReinspectionSerializer, 409: ProblemSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def reinspect(self, request, pk=None):
        case = self.get_object()
        if request.method == "POST":
            try:
                do_request_reinspection(case, actor=request.user)
            except CaseActionError as error:
                return _problem("not_allowed", str(error), status.HTTP_409_CONFLICT)
            case = self.get_queryset().get(pk=case.pk)
            return Response(_reinspection(case), status=status.HTTP_202_ACCEPTED)
        summary = _reinspection(case)
        if summary is None:
            return _problem(
                "no_reinspection",
                _("No re-inspection has been requested for this case yet."),
                status.HTTP_404_NOT_FOUND,
            )
        return Response(summary)
