"""Inspection campaigns over the staff API: list, read with progress, and (leads) create,
start and cancel. A new campaign is validated as the "New campaign" page validates it."""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from icpportal.api.pagination import NewestFirstCursor
from icpportal.api.permissions import ComplianceStaff, TokenScopes
from icpportal.api.serializers import ProblemSerializer
from icpportal.api.viewsets import ID_REGEX
from inspections.campaigns import (
    CampaignError,
    do_cancel_campaign,
    do_create_campaign,
    do_start_campaign,
    rule_codes_of,
)
from inspections.findings import campaign_progress, progress_for
from inspections.forms import CampaignForm
from inspections.models import Campaign, CampaignScope, CampaignStatus


class CampaignSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.get_username", default=None, allow_null=True
    )
    percent = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "scope",
            "rule_codes",
            "status",
            "chunk_size",
            "total_websites",
            "percent",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "failure_reason",
        ]
        read_only_fields = fields

    def get_percent(self, campaign) -> int:
        return self.context.get("percents", {}).get(campaign.pk, 0)


class ProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(CampaignStatus.choices)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField()
    rules = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text=_("Rule code → answers: pass, fail, cannot_tell, error, not_applicable."),
    )


class CampaignDetailSerializer(CampaignSerializer):
    progress = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "progress"]
        read_only_fields = fields

    def get_percent(self, campaign) -> int:
        return self.context["progress"].percent

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, campaign) -> dict:
        return ProgressSerializer(self.context["progress"].to_json()).data


class NewCampaignSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    scope = serializers.ChoiceField(CampaignScope.choices, default=CampaignScope.ALL)
    tenants = serializers.ListField(child=serializers.IntegerField(), required=False)
    provinces = serializers.ListField(child=serializers.CharField(), required=False)
    website_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    rules = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("None: every rule.")
    )
    chunk_size = serializers.IntegerField(required=False)
    start = serializers.BooleanField(default=False, help_text=_("Start it at once."))

    def validate(self, attrs):
        data = QueryDict("", mutable=True)
        data["name"], data["scope"] = attrs["name"], attrs["scope"]
        data["chunk_size"] = str(
            attrs.get("chunk_size", CampaignForm.base_fields["chunk_size"].initial)
        )
        data.setlist("tenants", [str(v) for v in attrs.get("tenants", ())])
        data.setlist("provinces", list(attrs.get("provinces", ())))
        data.setlist("rules", list(attrs.get("rules", ())))
        data["website_ids"] = " ".join(str(v) for v in attrs.get("website_ids", ()))
        form = CampaignForm(data)
        if not form.is_valid():
            raise serializers.ValidationError(dict(form.errors))
        attrs["form"] = form
        return attrs


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Inspection campaigns, newest first. Reviewers read; leads create, start, cancel."""

    serializer_class = CampaignSerializer
    permission_classes = [IsAuthenticated, ComplianceStaff, TokenScopes]
    lead_only_actions = ("create", "start", "cancel")
    pagination_class = NewestFirstCursor
    lookup_value_regex = ID_REGEX
    queryset = Campaign.objects.none()

    def get_queryset(self):
        return Campaign.objects.select_related("created_by").order_by("-created_at", "-id")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "percents": progress_for(page)}
        return self.get_paginated_response(
            CampaignSerializer(page, many=True, context=context).data
        )

    @extend_schema(responses={200: CampaignDetailSerializer})
    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    def _detail(self, campaign: Campaign) -> dict:
        context = {"progress": campaign_progress(campaign, rule_codes_of(campaign))}
        return CampaignDetailSerializer(campaign, context=context).data

    @extend_schema(
        request=NewCampaignSerializer,
        responses={201: CampaignDetailSerializer, 400: ProblemSerializer, 403: ProblemSerializer},
    )
    def create(self, request):
        serializer = NewCampaignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = serializer.validated_data["form"]
        data = form.cleaned_data
        try:
            campaign = do_create_campaign(
                name=data["name"],
                scope=form.scope_value(),
                rule_codes=data["rules"],
                chunk_size=data["chunk_size"],
                actor=request.user,
            )
            if serializer.validated_data["start"]:
                campaign = do_start_campaign(campaign, actor=request.user)
        except CampaignError as error:
            return Response({"code": "invalid", "detail": error.message}, status=400)
        return Response(self._detail(campaign), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CampaignDetailSerializer, 409: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start a campaign not started yet."""
        return self._step(pk, do_start_campaign)

    @extend_schema(request=None, responses={200: CampaignDetailSerializer, 409: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop a pending or running campaign; results so far stay."""
        return self._step(pk, do_cancel_campaign)

    def _step(self, pk, step) -> Response:
        campaign = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            campaign = step(campaign, actor=self.request.user)
        except CampaignError as error:
            return Response({"code": "conflict", "detail": error.message}, status=409)
        return Response(self._detail(campaign))
