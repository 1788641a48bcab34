"""Admin of entities and persons in charge: ID numbers masked, found by exact number."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings.admin.forms import EntityAdminForm, PersonAdminForm
from filings.models import Entity, Person
from icpportal.admin_base import StaffRoleAdmin

ID_SEARCH_HELP = _("Name, filing number, or a complete ID document number (exact match).")


class IdentifiedAdmin(StaffRoleAdmin):
    """Shared by models with an encrypted ``id_number`` and its keyed hash."""

    id_hash_field = "id_number_hash"
    search_help_text = ID_SEARCH_HELP
    show_full_result_count = False

    @admin.display(description=_("ID document number"))
    def masked_id(self, obj) -> str:
        return obj.masked_id_number

    @admin.display(description=_("Stored ID document number"))
    def stored_id(self, obj) -> str:
        return obj.masked_id_number if obj is not None and obj.pk else ""


@admin.register(Person)
class PersonAdmin(IdentifiedAdmin):
    """Persons in charge; phones stay editable in the form but are masked in the list."""

    form = PersonAdminForm
    list_display = ("name", "masked_id", "masked_mobile", "mobile_verified_at", "tenant")
    list_filter = ("id_type", "tenant")
    list_select_related = ("tenant",)
    search_fields = ("name", "email", "mobile")
    autocomplete_fields = ("tenant",)
    readonly_fields = ("stored_id", "mobile_verified_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("tenant", "name")}),
        (_("ID document"), {"fields": ("id_type", "stored_id", "new_id_number")}),
        (
            _("Contact"),
            {"fields": ("mobile", "mobile_verified_at", "landline", "email")},
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj: Person) -> str:
        return obj.masked_mobile


@admin.register(Entity)
class EntityAdmin(IdentifiedAdmin):
    """Filing entities across every customer."""

    form = EntityAdminForm
    list_display = (
        "name",
        "entity_type",
        "province",
        "masked_id",
        "filing_number",
        "state",
        "tenant",
    )
    list_filter = ("entity_type", "province", "state", "tenant")
    list_select_related = ("tenant", "province")
    search_fields = ("name", "filing_number", "legal_representative", "head__name")
    autocomplete_fields = ("tenant", "head")
    readonly_fields = ("stored_id", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("tenant", "entity_type", "name", "province", "address")}),
        (_("ID document"), {"fields": ("id_type", "stored_id", "new_id_number")}),
        (
            _("People and contact"),
            {
                "fields": (
                    "legal_representative",
                    "head",
                    "office_phone",
                    "emergency_phone",
                    "email",
                )
            },
        ),
        (_("Filing"), {"fields": ("filing_number", "state")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
