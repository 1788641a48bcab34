"""Phone verification over the API: start a code for a person, check an entered code."""

from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

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
    StartVerificationSerializer,
)
from notifications.models import PhoneVerification
from notifications.views import client_ip


class PhoneVerificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet
):
    model = PhoneVerification
    serializer_class = PhoneVerificationSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")

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

    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        verification = self.get_object()
        serializer = CheckCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = do_check_verification(
            verification.pk, serializer.validated_data["code"], actor=request.user
        )
        return Response(CheckResultSerializer(asdict(result)).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        verification = do_cancel_verification(self.get_object().pk, actor=request.user)
        return Response(PhoneVerificationSerializer(verification).data)
