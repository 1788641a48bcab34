"""What the case endpoints answer: cases, findings in plain words, the countdown, the
customer's timeline, the thread and re-inspections. Personal data is masked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from inspections.models import CampaignStatus, CaseMessage, CaseState, RectificationCase
from inspections.models.cases import FindingStatus


class NamedRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CaseListSerializer(serializers.ModelSerializer):
    """A case in the list: its website, state and deadline."""

    website = NamedRowSerializer(read_only=True)
    entity = NamedRowSerializer(read_only=True)
    state = serializers.ChoiceField(CaseState.choices)
    state_label = serializers.CharField(source="get_state_display")
    is_open = serializers.BooleanField()
    failing = serializers.IntegerField(help_text=_("How many findings still fail."))

    class Meta:
        model = RectificationCase
        fields = [
            "id",
            "website",
            "entity",
            "state",
            "state_label",
            "is_open",
            "opened_at",
            "deadline",
            "failing",
        ]
        read_only_fields = fields


class EvidenceLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class RemedySerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("The step that fixes the finding."))
    page = serializers.CharField(help_text=_("The portal page where the step is done."))


class FindingSerializer(serializers.Serializer):
    """One failing (or since passed or waived) rule of the case, in plain words."""

    rule_code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(FindingStatus.choices)
    status_label = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    fix_text = serializers.CharField()
    evidence = EvidenceLineSerializer(many=True)
    remedy = RemedySerializer(allow_null=True)
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()


class CountdownSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField()
    passed = serializers.BooleanField()
    working_days_left = serializers.IntegerField(
        allow_null=True, help_text=_("Working days from today to the deadline; null when closed.")
    )
    calendar_days_left = serializers.IntegerField()
    cancel_at = serializers.DateTimeField(
        help_text=_("When access is cancelled if the case is still blocked then.")
    )
    paused = serializers.BooleanField(
        help_text=_("The clock waits while a change application is under review.")
    )
    at_deadline = serializers.CharField(help_text=_("What happens at the deadline."))


class TimelineStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.CharField()
    label = serializers.CharField()
    by = serializers.ChoiceField(["customer", "staff", "system"])
    state = serializers.CharField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class ReinspectionResultSerializer(serializers.Serializer):
    rule_code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField(help_text=_("pass, fail, cannot_tell, error or not_applicable"))
    message = serializers.CharField(allow_blank=True)


class ReinspectionSerializer(serializers.Serializer):
    """The latest re-inspection of a case and what it found."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(CampaignStatus.choices)
    status_label = serializers.CharField()
    outcome = serializers.ChoiceField(
        ["running", "resolved", "still_failing", "not_finished"],
        help_text=_(
            "running: the checks are running; resolved: every check passed; still_failing: "
            "some checks still fail; not_finished: the re-inspection stopped early."
        ),
    )
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    results = ReinspectionResultSerializer(many=True)


class CaseDetailSerializer(CaseListSerializer):
    """One case: each finding in plain words with its fix, the countdown, the timeline."""

    findings = FindingSerializer(many=True, source="guidance")
    countdown = CountdownSerializer()
    timeline = TimelineStepSerializer(many=True)
    may_reinspect = serializers.BooleanField()
    reinspection = ReinspectionSerializer(allow_null=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "period_kind",
            "period_days",
            "extension_count",
            "findings",
            "countdown",
            "timeline",
            "may_reinspect",
            "reinspection",
        ]
        read_only_fields = fields


class CaseMessageSerializer(serializers.ModelSerializer):
    """A message of the case's thread; staff are named "compliance staff"."""

    author = serializers.SerializerMethodField()

    class Meta:
        model = CaseMessage
        fields = ["id", "author", "from_staff", "body", "created_at"]
        read_only_fields = fields

    def get_author(self, message: CaseMessage) -> str:
        if message.from_staff:
            return str(_("Compliance staff"))
        return message.author.get_username() if message.author else ""


class NewCaseMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000, trim_whitespace=True)
