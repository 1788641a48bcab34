"""What the API shows of materials and what an upload sends (multipart)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from filings.choices import MaterialKind
from filings.materials.uploads import DOCUMENT_NUMBER_MAX_LENGTH, HOLDER_NAME_MAX_LENGTH
from filings.models import Material
from icpportal.api.viewsets import MAX_ID

OWNER_FIELDS = ("application", "entity", "person", "website")


class MaterialSerializer(serializers.ModelSerializer):
    document_number = serializers.CharField(source="masked_document_number", read_only=True)
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "kind",
            *OWNER_FIELDS,
            "original_name",
            "content_type",
            "size",
            "sha256",
            "document_number",
            "holder_name",
            "valid_until",
            "signed_on",
            "uploaded_by",
            "uploaded_at",
            "integrity_ok",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, material: Material) -> str:
        return reverse("api-material-download", args=[material.pk])


class _Details(serializers.Serializer):
    document_number = serializers.CharField(
        required=False, allow_blank=True, max_length=DOCUMENT_NUMBER_MAX_LENGTH
    )
    holder_name = serializers.CharField(
        required=False, allow_blank=True, max_length=HOLDER_NAME_MAX_LENGTH
    )
    valid_until = serializers.DateField(required=False, allow_null=True)
    signed_on = serializers.DateField(required=False, allow_null=True)


class MaterialUploadSerializer(_Details):
    kind = serializers.ChoiceField(MaterialKind.choices)
    file = serializers.FileField(help_text=_("A JPEG or PNG photo or scan, or a PDF."))
    application = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    entity = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    person = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    website = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def validate(self, attrs):
        owners = [name for name in OWNER_FIELDS if attrs.get(name)]
        if len(owners) != 1:
            raise serializers.ValidationError(
                _("Name exactly one of application, entity, person or website.")
            )
        return attrs


class MaterialChangeSerializer(_Details):
    file = serializers.FileField(
        required=False, help_text=_("A new file in place of the current one.")
    )
