"""What the API shows of live filings: entities, persons, websites and domains.

ID numbers and phone numbers are always masked; the full values never leave through
the API (an owner reads a person's full ID number on its page, audited).
"""

from __future__ import annotations

from rest_framework import serializers

from filings.models import Domain, Entity, Person, Website


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    mobile = serializers.CharField(source="masked_mobile", read_only=True)
    landline = serializers.CharField(source="masked_landline", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_type",
            "id_number",
            "mobile",
            "landline",
            "email",
            "mobile_verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EntitySerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)
    head_name = serializers.CharField(source="head.name", read_only=True)
    office_phone = serializers.CharField(source="masked_office_phone", read_only=True)
    emergency_phone = serializers.CharField(source="masked_emergency_phone", read_only=True)

    class Meta:
        model = Entity
        fields = [
            "id",
            "entity_type",
            "name",
            "id_type",
            "id_number",
            "province",
            "address",
            "legal_representative",
            "head",
            "head_name",
            "office_phone",
            "emergency_phone",
            "email",
            "filing_number",
            "state",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebsiteSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Website
        fields = [
            "id",
            "entity",
            "name",
            "homepage_url",
            "content_category",
            "pre_approvals",
            "head",
            "service_type",
            "filing_number",
            "filing_state",
            "access_state",
            "domains",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DomainSerializer(serializers.ModelSerializer):
    unicode_name = serializers.CharField(read_only=True)
    registrant_id_number = serializers.CharField(source="masked_registrant_id", read_only=True)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = Domain
        fields = [
            "id",
            "website",
            "name",
            "unicode_name",
            "registrar",
            "registrant_name",
            "registrant_id_type",
            "registrant_id_number",
            "expires_on",
            "is_expired",
            "real_name_status",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields
