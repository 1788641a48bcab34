"""Admin of websites and their domains."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.admin.forms import DomainAdminForm
from filings.models import Domain, Website
from icpportal.admin_base import StaffRoleAdmin, StaffRoleTabularInline


class DomainInline(StaffRoleTabularInline):
    """The website's domains, for reading; a domain is edited on its own page."""

    model = Domain
    fields = ("name", "masked_registrant_id", "expires_on", "real_name_status", "is_active")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("registrant ID number"))
    def masked_registrant_id(self, obj: Domain) -> str:
        return obj.masked_registrant_id


@admin.register(Website)
class WebsiteAdmin(StaffRoleAdmin):
    """Filed websites across every customer, with their access state here."""

    list_display = (
        "name",
        "filing_number",
        "entity",
        "access_state",
        "filing_state",
        "content_category",
        "tenant",
    )
    list_filter = ("access_state", "filing_state", "content_category", "service_type", "tenant")
    list_select_related = ("entity", "tenant")
    search_fields = (
        "name",
        "filing_number",
        "entity__name",
        "entity__filing_number",
        "domains__name",
    )
    search_help_text = _("Website or entity name, filing number, or domain.")
    autocomplete_fields = ("tenant", "entity", "head")
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False
    inlines = (DomainInline,)
    # Customers' homepages are entered without a scheme; assume https, not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Domain)
class DomainAdmin(StaffRoleAdmin):
    """Domains of filed websites, with the registrant's ID number masked."""

    form = DomainAdminForm
    id_hash_field = "registrant_id_hash"
    list_display = (
        "name",
        "website",
        "masked_registrant_id",
        "expires_on",
        "real_name_status",
        "is_active",
        "tenant",
    )
    list_filter = ("real_name_status", "is_active", "tenant")
    list_select_related = ("website", "tenant")
    search_fields = ("name", "website__name", "website__filing_number", "registrant_name")
    search_help_text = _(
        "Domain, website name or filing number, registrant, or a complete registrant ID "
        "number (exact match)."
    )
    autocomplete_fields = ("tenant", "website")
    readonly_fields = ("stored_registrant_id", "created_at")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("tenant", "website", "name", "is_active")}),
        (
            _("Registration"),
            {"fields": ("registrar", "expires_on", "real_name_status", "registrant_name")},
        ),
        (
            _("Registrant ID document"),
            {"fields": ("registrant_id_type", "stored_registrant_id", "new_id_number")},
        ),
        (_("Record"), {"fields": ("created_at",)}),
    )

    @admin.display(description=_("registrant ID number"))
    def masked_registrant_id(self, obj: Domain) -> str:
        return obj.masked_registrant_id

    @admin.display(description=_("Stored registrant ID number"))
    def stored_registrant_id(self, obj: Domain) -> str:
        return obj.masked_registrant_id if obj is not None and obj.pk else ""
