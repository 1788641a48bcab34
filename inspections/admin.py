"""Admin of campaigns and their results, mostly for reading: campaigns start, cancel
and finish through the actions and the staff pages, never by editing a field."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from icpportal.admin_base import LEAD_ROLES, StaffRoleAdmin, pretty_json
from inspections.bulk import admin as bulk_admin  # noqa: F401  (registers bulk jobs)
from inspections.models import (
    AccessDecision,
    BlockBudget,
    Campaign,
    CampaignBlockApproval,
    CaseFinding,
    CaseMessage,
    EnforcementControl,
    RectificationCase,
    RuleResult,
    WebsiteInspection,
)


@admin.register(Campaign)
class CampaignAdmin(StaffRoleAdmin):
    """Inspection campaigns; a lead may attach a schedule to make one recurring."""

    change_roles = LEAD_ROLES
    add_roles = ()
    list_display = ("name", "scope", "status", "total_websites", "created_by", "created_at")
    list_filter = ("status", "scope")
    list_select_related = ("created_by",)
    search_fields = ("=id", "name")
    date_hierarchy = "created_at"
    raw_id_fields = ("schedule", "template")
    fields = (
        "name",
        "scope",
        "scope_tenants",
        "scope_provinces",
        "scope_website_ids",
        "rule_codes",
        "status",
        "chunk_size",
        "total_websites",
        "schedule",
        "template",
        "created_by",
        "created_at",
        "started_at",
        "queued_at",
        "finished_at",
        "failure_reason",
    )
    readonly_fields = tuple(f for f in fields if f not in ("name", "schedule"))


@admin.register(WebsiteInspection)
class WebsiteInspectionAdmin(StaffRoleAdmin):
    list_display = ("campaign", "website", "status", "worst_status", "finished_at")
    list_filter = ("status", "worst_status")
    list_select_related = ("campaign", "website")
    search_fields = ("=campaign__id", "=website__id", "website__filing_number")
    show_full_result_count = False
    readonly_fields = ("campaign", "website", "status", "worst_status", "finished_at")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RuleResult)
class RuleResultAdmin(StaffRoleAdmin):
    list_display = ("rule_code", "status", "severity", "website", "tenant", "campaign")
    list_filter = ("status", "severity", "rule_code")
    list_select_related = ("website", "tenant", "campaign")
    search_fields = ("=campaign__id", "=website__id", "website__filing_number")
    show_full_result_count = False
    fields = (
        "campaign",
        "website",
        "tenant",
        "rule_code",
        "rule_version",
        "status",
        "severity",
        "message",
        "evidence_json",
        "fields",
        "input_hash",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("evidence"))
    def evidence_json(self, obj: RuleResult):
        return pretty_json(obj.evidence)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(StaffRoleAdmin):
    """Rows that change only through the enforcement actions and the staff pages."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]


@admin.register(RectificationCase)
class RectificationCaseAdmin(ReadOnlyAdmin):
    """Rectification cases; staff work them on the case pages, where every step is audited."""

    list_display = ("id", "website", "tenant", "state", "deadline", "assignee", "next_step_at")
    list_filter = ("state", "hold_reason", "period_kind")
    list_select_related = ("website", "tenant", "assignee")
    search_fields = ("=id", "=website__id", "website__filing_number", "website__name")
    raw_id_fields = ("tenant", "website", "entity", "campaign", "assignee")
    date_hierarchy = "deadline"
    show_full_result_count = False


@admin.register(CaseFinding)
class CaseFindingAdmin(ReadOnlyAdmin):
    list_display = ("case", "rule_code", "status", "last_seen_at")
    list_filter = ("status", "rule_code")
    list_select_related = ("case",)
    search_fields = ("=case__id",)
    show_full_result_count = False


@admin.register(CaseMessage)
class CaseMessageAdmin(ReadOnlyAdmin):
    list_display = ("case", "author", "from_staff", "internal", "created_at")
    list_filter = ("from_staff", "internal")
    list_select_related = ("case", "author")
    search_fields = ("=case__id",)
    show_full_result_count = False


@admin.register(EnforcementControl)
class EnforcementControlAdmin(ReadOnlyAdmin):
    """The enforcement pause; leads switch it on the staff case list, with a reason."""

    list_display = ("__str__", "changed_by", "changed_at", "reason")


@admin.register(BlockBudget)
class BlockBudgetAdmin(ReadOnlyAdmin):
    list_display = ("hour", "blocks")


@admin.register(CampaignBlockApproval)
class CampaignBlockApprovalAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "approved_by", "approved_at")
    list_select_related = ("campaign", "approved_by")


@admin.register(AccessDecision)
class AccessDecisionAdmin(ReadOnlyAdmin):
    """What the access gate answers per host; written by enforcement, read by the gate."""

    list_display = ("host", "state", "reason", "website", "case", "updated_at")
    list_filter = ("state",)
    list_select_related = ("website", "case")
    search_fields = ("host",)
    show_full_result_count = False
