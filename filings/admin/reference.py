"""Admin of reference data: province rules, the provider's networks, the bureau registry."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings.admin.forms import RegistryRecordAdminForm
from filings.models import ProviderNetwork, ProvinceRule, RegistryDomain, RegistryRecord
from icpportal.admin_base import LEAD_ROLES, StaffRoleAdmin, StaffRoleTabularInline


@admin.register(ProvinceRule)
class ProvinceRuleAdmin(StaffRoleAdmin):
    """Each province's filing rules, with where they were read and when last checked."""

    change_roles = LEAD_ROLES
    list_display = (
        "code",
        "name",
        "prefix",
        "domain_expiry_margin_days",
        "verification_form_max_age_days",
        "bureau_review_working_days",
        "source",
        "verified_on",
    )
    list_display_links = ("code", "name")
    # The figures a bureau changes most; a lead updates them and "checked on" together.
    list_editable = (
        "domain_expiry_margin_days",
        "verification_form_max_age_days",
        "bureau_review_working_days",
        "verified_on",
    )
    list_filter = (
        "landline_required",
        "unique_across_entities",
        "head_must_be_legal_representative",
        "residence_permit_for_non_local",
    )
    search_fields = ("code", "name", "name_en", "prefix", "source")

    def has_add_permission(self, request, obj=None) -> bool:
        # The provincial divisions are fixed reference data loaded by a migration.
        return False


@admin.register(ProviderNetwork)
class ProviderNetworkAdmin(StaffRoleAdmin):
    """The provider's own address ranges, which the access inspection checks against."""

    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    list_display = ("cidr", "kind", "description", "is_active")
    list_editable = ("is_active",)
    list_filter = ("kind", "is_active")
    search_fields = ("cidr", "description")


class RegistryDomainInline(StaffRoleTabularInline):
    model = RegistryDomain
    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    fields = ("name",)


@admin.register(RegistryRecord)
class RegistryRecordAdmin(StaffRoleAdmin):
    """The bureau's view of filings, here and at other providers."""

    form = RegistryRecordAdminForm
    change_roles = LEAD_ROLES
    id_hash_field = "entity_id_hash"
    list_display = (
        "website_filing_number",
        "entity_filing_number",
        "entity_name",
        "website_name",
        "province",
        "status",
        "updated_at",
    )
    list_filter = ("status", "entity_type", "province")
    list_select_related = ("province",)
    search_fields = (
        "entity_filing_number",
        "website_filing_number",
        "entity_name",
        "website_name",
        "domains__name",
    )
    search_help_text = _(
        "Filing number, entity or website name, domain, or a complete entity ID number."
    )
    show_full_result_count = False
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "entity_filing_number",
                    "website_filing_number",
                    "status",
                    "province",
                )
            },
        ),
        (
            _("Entity"),
            {"fields": ("entity_name", "entity_type", "entity_id_type", "new_id_number")},
        ),
        (_("Website"), {"fields": ("website_name", "access_providers")}),
        (_("Record"), {"fields": ("updated_at",)}),
    )
    inlines = (RegistryDomainInline,)


@admin.register(RegistryDomain)
class RegistryDomainAdmin(StaffRoleAdmin):
    """Domains on the bureau's filings: which filing, here or elsewhere, holds a domain."""

    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    list_display = ("name", "record", "record_status")
    list_select_related = ("record",)
    search_fields = ("name", "record__website_filing_number", "record__entity_name")
    raw_id_fields = ("record",)
    show_full_result_count = False

    @admin.display(description=_("status"), ordering="record__status")
    def record_status(self, obj: RegistryDomain) -> str:
        return obj.record.get_status_display()
