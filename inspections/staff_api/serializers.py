"""What the staff queue endpoints send: cases, triage results, findings, and the inputs
of assignment and triage decisions. ID numbers and phones never appear."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.enforcement.assignment import active_staff
from inspections.models import CaseFinding, RectificationCase, RuleResult, TriageOutcome


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Website(_Named):
    filing_number = serializers.CharField()


class _Entity(_Named):
    filing_number = serializers.CharField()
    province = serializers.CharField(source="province_id")


class _User(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class StaffFindingSerializer(serializers.ModelSerializer):
    """A finding of a case (in the findings queue, with its case and place)."""

    case = serializers.IntegerField(source="case_id")
    tenant = _Named()
    website = _Website(source="case.website")
    entity = _Entity(source="case.entity")

    class Meta:
        model = CaseFinding
        fields = [
            "id",
            "case",
            "rule_code",
            "severity",
            "status",
            "message",
            "first_seen_at",
            "last_seen_at",
            "tenant",
            "website",
            "entity",
        ]


class _CaseFinding(serializers.ModelSerializer):
    class Meta:
        model = CaseFinding
        fields = ["id", "rule_code", "severity", "status", "message", "last_seen_at"]


class StaffCaseSerializer(serializers.ModelSerializer):
    """A case as the staff queue lists it."""

    tenant = _Named()
    website = _Website()
    entity = _Entity()
    assignee = _User(allow_null=True)
    failing = serializers.IntegerField()
    failing_rules = serializers.SerializerMethodField()

    class Meta:
        model = RectificationCase
        fields = [
            "id",
            "state",
            "opened_at",
            "deadline",
            "clock_paused_at",
            "hold_reason",
            "tenant",
            "website",
            "entity",
            "assignee",
            "failing",
            "failing_rules",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_failing_rules(self, case) -> list[str]:
        return (case.failing_rules or "").split()


class StaffCaseDetailSerializer(StaffCaseSerializer):
    """One case with its findings."""

    findings = _CaseFinding(many=True)

    class Meta(StaffCaseSerializer.Meta):
        fields = [*StaffCaseSerializer.Meta.fields, "findings", "extension_count"]


class TriageResultSerializer(serializers.ModelSerializer):
    """A result the rules could not tell, waiting for a decision."""

    campaign = serializers.IntegerField(source="campaign_id")
    tenant = _Named()
    website = _Website()
    entity = _Entity(source="website.entity")

    class Meta:
        model = RuleResult
        fields = [
            "id",
            "campaign",
            "rule_code",
            "rule_version",
            "status",
            "message",
            "created_at",
            "tenant",
            "website",
            "entity",
        ]


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        error_messages={"does_not_exist": _("Choose an active staff member.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_staff()


class TriageDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=TriageOutcome.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["outcome"] == TriageOutcome.ACCEPT_PASS and not data["reason"].strip():
            raise serializers.ValidationError(
                {"reason": _("Give a reason for accepting this result as a pass.")}
            )
        return data


class TriageDecisionResultSerializer(serializers.Serializer):
    """The stored decision."""

    id = serializers.IntegerField()
    result = serializers.IntegerField(source="result_id")
    outcome = serializers.CharField()
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    recheck = serializers.IntegerField(source="recheck_id", allow_null=True)
