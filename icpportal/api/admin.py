"""Admin of API tokens: which tokens exist, whose, until when; a lead revokes a leaked
one. The token itself is never stored, so it cannot be shown here either."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from icpportal.admin_base import LEAD_ROLES, StaffRoleAdmin
from icpportal.api.tokens import do_revoke_api_token
from icpportal.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(StaffRoleAdmin):
    """Read-only: tokens are created by their users; staff can only revoke them."""

    list_display = (
        "display_prefix",
        "name",
        "user",
        "tenant",
        "scopes_label",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user", "tenant")
    search_fields = ("=prefix", "name", "user__username", "tenant__name")
    date_hierarchy = "created_at"
    fields = (
        "display_prefix",
        "name",
        "user",
        "tenant",
        "scopes_label",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A revoked token stays, for the record of who could reach what.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self.role_allows(request, LEAD_ROLES)

    @admin.display(description=_("token"))
    def display_prefix(self, obj: ApiToken) -> str:
        return obj.display_prefix

    @admin.display(description=_("scopes"))
    def scopes_label(self, obj: ApiToken) -> str:
        return obj.get_scopes_display()

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            do_revoke_api_token(token, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
