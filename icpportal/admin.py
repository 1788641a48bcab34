"""Admin of the portal's own models: customers, staff, the working calendar, the audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from icpportal.admin_base import (
    ADMIN_ROLES,
    LEAD_ROLES,
    StaffRoleAdmin,
    StaffRoleTabularInline,
    pretty_json,
)
from icpportal.api.admin import ApiTokenAdmin  # noqa: F401  (registers API tokens)
from icpportal.models import (
    AuditEvent,
    HolidayOverride,
    Invitation,
    Membership,
    StaffProfile,
    Tenant,
)


class MembershipInline(StaffRoleTabularInline):
    model = Membership
    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    # The user table is not searchable by reviewers (no auth permissions): a raw id.
    raw_id_fields = ("user",)


@admin.register(Tenant)
class TenantAdmin(StaffRoleAdmin):
    """Customer accounts; memberships decide who sees a customer's filings."""

    change_roles = LEAD_ROLES
    list_display = ("name", "slug", "contact_email", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(StaffRoleAdmin):
    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "tenant")
    search_fields = ("user__username", "user__email", "tenant__name", "tenant__slug")
    raw_id_fields = ("user",)
    autocomplete_fields = ("tenant",)
    readonly_fields = ("created_at",)


@admin.register(Invitation)
class InvitationAdmin(StaffRoleAdmin):
    """Invitations to customer accounts; owners send and revoke them in the portal."""

    list_display = ("email", "tenant", "role", "state_label", "created_at", "expires_at")
    list_filter = ("role",)
    list_select_related = ("tenant",)
    search_fields = ("email", "tenant__name", "tenant__slug")
    date_hierarchy = "created_at"
    fields = (
        "tenant",
        "email",
        "role",
        "state_label",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # An invitation carries a secret link that only the portal's e-mail delivers.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def state_label(self, obj: Invitation) -> str:
        return obj.get_state_display()


@admin.register(StaffProfile)
class StaffProfileAdmin(StaffRoleAdmin):
    """Compliance staff; only administrators grant or change staff roles."""

    change_roles = ADMIN_ROLES
    list_display = ("user", "role", "is_active")
    list_filter = ("role", "is_active")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    raw_id_fields = ("user",)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(StaffRoleAdmin):
    """Staff corrections of the working calendar that every deadline counts in."""

    change_roles = LEAD_ROLES
    delete_roles = LEAD_ROLES
    list_display = ("date", "is_working_day", "note", "updated_at")
    list_editable = ("is_working_day",)
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note",)
    readonly_fields = ("updated_at",)


@admin.register(AuditEvent)
class AuditEventAdmin(StaffRoleAdmin):
    """The append-only audit trail: readable by all staff, changeable by no one."""

    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "tenant")
    list_filter = ("action", "object_type", "tenant")
    list_select_related = ("tenant",)
    date_hierarchy = "at"
    search_fields = ("actor_label", "object_repr", "action", "=object_id")
    show_full_result_count = False
    fields = (
        "at",
        "actor_label",
        "actor",
        "tenant",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "reason",
        "before_json",
        "after_json",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("before"))
    def before_json(self, obj: AuditEvent):
        return pretty_json(obj.before)

    @admin.display(description=_("after"))
    def after_json(self, obj: AuditEvent):
        return pretty_json(obj.after)
