"""What the API shows of applications and what it accepts to create and edit them.

The proposed data is shown with ID numbers and phones masked. Editing replaces whole
sections (``{"payload": {"website": {…}}}``): send a section's full values, since
masked values read back are not the real ones.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from filings.choices import ApplicationKind
from filings.models import Application
from icpportal.api.serializers import ProblemSerializer
from icpportal.api.viewsets import MAX_ID
from icpportal.masking import mask_mapping


@extend_schema_field(OpenApiTypes.OBJECT)
class MaskedJSONField(serializers.Field):
    """A JSON object or list shown with personal fields masked."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        if isinstance(value, dict):
            return mask_mapping(value)
        if isinstance(value, list):
            return [mask_mapping(v) if isinstance(v, dict) else v for v in value]
        return value


class ApplicationListSerializer(serializers.ModelSerializer):
    is_editable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "status",
            "entity",
            "website",
            "is_editable",
            "created_at",
            "updated_at",
            "last_activity_at",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class ApplicationSerializer(ApplicationListSerializer):
    payload = MaskedJSONField()
    self_check = MaskedJSONField(help_text=_("The non-passing answers of the last self-check."))
    return_reasons = serializers.JSONField(read_only=True)
    decision_reasons = serializers.JSONField(read_only=True)
    issued_numbers = serializers.JSONField(read_only=True)

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "payload",
            "payload_version",
            "self_check",
            "return_reasons",
            "decision_reasons",
            "registry_reference",
            "issued_numbers",
        ]
        read_only_fields = fields


class _TenantObjectField(serializers.PrimaryKeyRelatedField):
    """An id among the caller's own rows only."""

    def get_queryset(self):
        request = self.context["request"]
        return self.queryset.model.objects.for_tenant(getattr(request, "tenant", None))

    def to_internal_value(self, data):
        # Out of the id range, the database would refuse the look-up itself.
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not str(data).isdigit() or not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


class NewApplicationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ApplicationKind.choices)
    entity = _TenantObjectField(
        queryset=Application._meta.get_field("entity").related_model.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("The entity a change, transfer or deregistration is about."),
    )
    website = _TenantObjectField(
        queryset=Application._meta.get_field("website").related_model.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("The website a change, cancellation or deregistration is about."),
    )
    payload = serializers.DictField(
        required=False,
        help_text=_("Sections of the proposed data, each replaced whole."),
    )


class PayloadUpdateSerializer(serializers.Serializer):
    payload = serializers.DictField(
        allow_empty=False,
        help_text=_('Sections to replace, e.g. {"website": {…}}; others stay as they are.'),
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OutcomeSerializer(serializers.Serializer):
    status = serializers.CharField()
    severity = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()
    evidence = serializers.JSONField()
    fields = serializers.ListField(child=serializers.CharField())


class ApplicationProblemSerializer(ProblemSerializer):
    outcomes = OutcomeSerializer(many=True, required=False)
