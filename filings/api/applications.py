"""Applications over the API: drafts, edits and the customer's transitions.

The views call the actions of ``filings.applications.actions``; an action's refusal
answers 400 (what to fix: the self-check's problems per field), 409 (the status does
not allow the step) with the action's message.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from filings.api.application_serializers import (
    ApplicationListSerializer,
    ApplicationProblemSerializer,
    ApplicationSerializer,
    NewApplicationSerializer,
    PayloadUpdateSerializer,
    WithdrawSerializer,
)
from filings.api.filtersets import ApplicationFilter
from filings.applications.actions import (
    do_create_application,
    do_resubmit,
    do_save_draft,
    do_submit,
    do_withdraw,
)
from filings.applications.transitions import ActionResult
from filings.models import Application
from icpportal.api import TenantScopedViewSet
from icpportal.api.pagination import NewestFirstCursor
from icpportal.api.permissions import AccountOwner
from icpportal.masking import mask_mapping

# Refusals about the application's state rather than about what was sent.
CONFLICT_CODES = frozenset({"not_allowed", "not_editable", "already_open"})
PROBLEM_RESPONSES = {400: ApplicationProblemSerializer, 409: ApplicationProblemSerializer}


def refusal(result: ActionResult) -> Response:
    code = status.HTTP_409_CONFLICT if result.code in CONFLICT_CODES else 400
    body = {
        "code": result.code,
        "detail": result.message,
        "field_errors": {k: list(v) for k, v in result.field_errors.items()},
    }
    if result.outcomes:
        body["outcomes"] = [
            mask_mapping(o.to_json()) for o in result.outcomes if o.status != "pass"
        ]
    return Response(body, status=code)


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Filing applications of the customer, newest first."""

    model = Application
    filterset_class = ApplicationFilter
    pagination_class = NewestFirstCursor
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return ApplicationListSerializer if self.action == "list" else ApplicationSerializer

    def get_permissions(self):
        permissions = super().get_permissions()
        # Giving an application up is the account owners' decision.
        if self.action == "withdraw":
            permissions.append(AccountOwner())
        return permissions

    def get_throttles(self):
        if self.action in ("submit", "resubmit", "withdraw", "create"):
            self.throttle_scope = "transitions"
        return super().get_throttles()

    def _answer(self, result: ActionResult, ok_status: int = status.HTTP_200_OK) -> Response:
        if not result.ok:
            return refusal(result)
        application = result.application
        application.refresh_from_db()
        return Response(ApplicationSerializer(application).data, status=ok_status)

    @extend_schema(
        request=NewApplicationSerializer,
        responses={201: ApplicationSerializer, **PROBLEM_RESPONSES},
    )
    def create(self, request):
        """Open a draft; a change starts from the live data of its entity or website."""
        serializer = NewApplicationSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = do_create_application(
            request.tenant,
            data["kind"],
            actor=request.user,
            entity=data.get("entity"),
            website=data.get("website"),
            payload=data.get("payload"),
        )
        return self._answer(result, status.HTTP_201_CREATED)

    @extend_schema(
        request=PayloadUpdateSerializer,
        responses={200: ApplicationSerializer, **PROBLEM_RESPONSES},
    )
    def partial_update(self, request, pk=None):
        """Replace sections of the proposed data of a draft or returned application.

        All sections are saved, or none.
        """
        application = self.get_object()
        serializer = PayloadUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            for section, values in serializer.validated_data["payload"].items():
                result = do_save_draft(application, section, values, actor=request.user)
                if not result.ok:
                    transaction.set_rollback(True)
                    return refusal(result)
        return self._answer(result)

    @extend_schema(request=None, responses={200: ApplicationSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft for provider review. The self-check runs first: blocking
        problems answer 400, listed per field, and nothing changes."""
        return self._answer(do_submit(self.get_object(), actor=request.user))

    @extend_schema(request=None, responses={200: ApplicationSerializer, **PROBLEM_RESPONSES})
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        """Send a returned application, corrected, back to provider review."""
        return self._answer(do_resubmit(self.get_object(), actor=request.user))

    @extend_schema(
        request=WithdrawSerializer, responses={200: ApplicationSerializer, **PROBLEM_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Give the application up (draft, returned or in provider review). Owners only."""
        application = self.get_object()
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        return self._answer(do_withdraw(application, actor=request.user, reason=reason))
