"""Phone verification over the API: send a code to a person in charge's mobile, check
the code they received, or give it up.

The same actions as the contact self-inspection page, with its send limits (per
number, per user, per address) and its single-use, HMAC-stored codes. A refused
send answers 400 (not a mobile number) or 429 with ``Retry-After``; a code that
does not verify answers 400 with a ``code`` saying why (wrong_code, expired,
max_attempts, not_pending) and the verification's ``status``.
"""

from __future__ import annotations

from dataclasses import asdict

import django_filters as filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from filings.api.filtersets import IdFilter
from filings.models import Person
from icpportal.api import TenantScopedViewSet
from notifications.actions import (
    VerificationError,
    do_cancel_verification,
    do_check_verification,
    do_start_verification,
)
from notifications.api.serializers import (
    CheckCodeSerializer,
    CheckResultSerializer,
    PhoneVerificationSerializer,
    SendRefusedSerializer,
    StartVerificationSerializer,
)
from notifications.models import PhoneVerification
from notifications.views import client_ip


class PhoneVerificationFilter(filters.FilterSet):
    person = IdFilter(field_name="person_id")

    class Meta:
        model = PhoneVerification
        fields = ["person", "status"]


class PhoneVerificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet
):
    """SMS codes sent to the account's persons in charge, newest first; phones masked."""

    model = PhoneVerification
    serializer_class = PhoneVerificationSerializer
    filterset_class = PhoneVerificationFilter

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")

    def get_throttles(self):
        # Sends have their own limits (per number, user and address) in the action;
        # checking codes is limited like the other steps.
        if self.action in ("check", "cancel"):
            self.throttle_scope = "transitions"
        return super().get_throttles()

    @extend_schema(
        summary="Send a verification code to a person in charge's mobile",
        request=StartVerificationSerializer,
        responses={
            201: PhoneVerificationSerializer,
            400: OpenApiResponse(SendRefusedSerializer, description="Not a mobile number."),
            404: OpenApiResponse(description="No such person in the account."),
            429: OpenApiResponse(SendRefusedSerializer, description="Too many codes sent."),
        },
    )
    def create(self, request):
        serializer = StartVerificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = get_object_or_404(
            Person.objects.for_tenant(request.tenant), pk=serializer.validated_data["person"]
        )
        try:
            verification = do_start_verification(
                person, actor=request.user, client_ip=client_ip(request)
            )
        except VerificationError as error:
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            code = (
                status.HTTP_429_TOO_MANY_REQUESTS
                if error.code == "throttled"
                else status.HTTP_400_BAD_REQUEST
            )
            return Response(
                {"code": error.code, "detail": error.message, "retry_after": error.retry_after},
                status=code,
                headers=headers,
            )
        return Response(
            PhoneVerificationSerializer(verification).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Check the code the person received",
        request=CheckCodeSerializer,
        responses={
            200: CheckResultSerializer,
            400: OpenApiResponse(
                CheckResultSerializer, description="Wrong, expired, used or locked code."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        verification = self.get_object()
        serializer = CheckCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = do_check_verification(
            verification.pk, serializer.validated_data["code"], actor=request.user
        )
        body = CheckResultSerializer(asdict(result)).data
        return Response(body, status=status.HTTP_200_OK if result.ok else 400)

    @extend_schema(summary="Give up a pending code", request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        verification = do_cancel_verification(self.get_object().pk, actor=request.user)
        return Response(PhoneVerificationSerializer(verification).data)
