from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from notifications.models import PhoneVerification


class PhoneVerificationSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = PhoneVerification
        fields = [
            "id",
            "person",
            "phone",
            "purpose",
            "status",
            "attempts",
            "expires_at",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class StartVerificationSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text=_("Id of the person in charge to verify."))


class CheckCodeSerializer(serializers.Serializer):
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$", error_messages={"invalid": _("Enter the 6-digit code from the SMS.")}
    )


class CheckResultSerializer(serializers.Serializer):
    """How a code check ended. ``code``: approved, wrong_code (``attempts_left`` more
    tries), expired, max_attempts, or not_pending (the code was already used, replaced
    by a newer one, expired or locked: ``status`` says which)."""

    ok = serializers.BooleanField()
    status = serializers.ChoiceField(PhoneVerification.Status.choices)
    code = serializers.ChoiceField(
        ["approved", "wrong_code", "expired", "max_attempts", "not_pending"]
    )
    message = serializers.CharField()
    attempts_left = serializers.IntegerField()


class SendRefusedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(["invalid_phone", "landline", "throttled"])
    detail = serializers.CharField()
    retry_after = serializers.IntegerField(
        allow_null=True, help_text=_("Seconds to wait before the next code can be sent.")
    )
