"""Admin of applications, materials and the material requirements."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings.models import Application, Material, MaterialRequirement
from icpportal.admin_base import LEAD_ROLES, StaffRoleAdmin, pretty_json
from icpportal.masking import mask_id_number, mask_mapping


@admin.register(Application)
class ApplicationAdmin(StaffRoleAdmin):
    """Filing applications, for reading; status moves only through the state machine."""

    list_display = ("__str__", "kind", "status", "tenant", "entity", "website", "submitted_at")
    list_filter = ("status", "kind", "tenant")
    list_select_related = ("tenant", "entity", "website")
    search_fields = (
        "=id",
        "registry_reference",
        "entity__name",
        "website__name",
        "website__filing_number",
    )
    search_help_text = _("Application number, bureau reference, entity or website.")
    date_hierarchy = "created_at"
    show_full_result_count = False
    autocomplete_fields = ("entity", "website")
    readonly_fields = (
        "tenant",
        "kind",
        "status",
        "payload_json",
        "payload_version",
        "return_reasons_json",
        "decision_reasons_json",
        "created_by",
        "created_at",
        "updated_at",
        "last_activity_at",
        "submitted_at",
        "decided_at",
    )
    fieldsets = (
        (None, {"fields": ("tenant", "kind", "status", "entity", "website", "registry_reference")}),
        (_("Proposed data"), {"fields": ("payload_json", "payload_version")}),
        (_("Reasons"), {"fields": ("return_reasons_json", "decision_reasons_json")}),
        (
            _("Record"),
            {
                "fields": (
                    "created_by",
                    "created_at",
                    "updated_at",
                    "last_activity_at",
                    "submitted_at",
                    "decided_at",
                )
            },
        ),
    )

    def has_add_permission(self, request, obj=None) -> bool:
        # Customers open applications in the portal, which builds and checks the payload.
        return False

    @admin.display(description=_("proposed data"))
    def payload_json(self, obj: Application):
        # The payload holds the proposed ID numbers and phones in clear.
        return pretty_json(mask_mapping(obj.payload or {}))

    @admin.display(description=_("reasons for return"))
    def return_reasons_json(self, obj: Application):
        return pretty_json(obj.return_reasons)

    @admin.display(description=_("decision reasons"))
    def decision_reasons_json(self, obj: Application):
        return pretty_json(obj.decision_reasons)


@admin.register(Material)
class MaterialAdmin(StaffRoleAdmin):
    """Uploaded documents; the file itself is private and never linked from here."""

    list_display = (
        "original_name",
        "kind",
        "size",
        "short_sha256",
        "tenant",
        "uploaded_at",
        "integrity_ok",
    )
    list_filter = ("kind", "integrity_ok", "tenant")
    list_select_related = ("tenant",)
    search_fields = ("original_name", "=sha256", "holder_name")
    search_help_text = _("File name, holder, or the complete SHA-256.")
    date_hierarchy = "uploaded_at"
    show_full_result_count = False
    raw_id_fields = ("application", "entity", "person", "website")
    # A certificate or ID number is ID-like but not named so; mask it in audit rows.
    audit_redact = ("document_number",)
    readonly_fields = (
        "tenant",
        "stored_file",
        "original_name",
        "size",
        "sha256",
        "content_type",
        "masked_document_number",
        "uploaded_by",
        "uploaded_at",
        "integrity_checked_at",
        "integrity_ok",
    )
    fieldsets = (
        (None, {"fields": ("tenant", "kind", "application", "entity", "person", "website")}),
        (
            _("File"),
            {"fields": ("stored_file", "original_name", "size", "sha256", "content_type")},
        ),
        (
            _("Document"),
            {"fields": ("masked_document_number", "holder_name", "valid_until", "signed_on")},
        ),
        (
            _("Record"),
            {"fields": ("uploaded_by", "uploaded_at", "integrity_checked_at", "integrity_ok")},
        ),
    )

    def has_add_permission(self, request, obj=None) -> bool:
        # Files arrive through the portal's upload, which checks, hashes and stores them.
        return False

    @admin.display(description=_("SHA-256"))
    def short_sha256(self, obj: Material) -> str:
        return f"{obj.sha256[:12]}…"

    @admin.display(description=_("file"))
    def stored_file(self, obj: Material) -> str:
        # Deliberately no link: the storage has no public address for materials.
        return _("Stored privately") if obj.file else _("Missing")

    @admin.display(description=_("document number"))
    def masked_document_number(self, obj: Material) -> str:
        return mask_id_number(obj.document_number)


@admin.register(MaterialRequirement)
class MaterialRequirementAdmin(StaffRoleAdmin):
    """Which materials an application needs; maintained by leads as bureaus publish rules."""

    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    list_display = (
        "application_kind",
        "material_kind",
        "entity_type",
        "province",
        "condition",
        "max_age_days",
        "source",
    )
    list_filter = ("application_kind", "material_kind", "entity_type", "condition", "province")
    list_select_related = ("province",)
    search_fields = ("source",)
