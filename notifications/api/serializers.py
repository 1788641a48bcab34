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
    ok = serializers.BooleanField()
    status = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    attempts_left = serializers.IntegerField()
