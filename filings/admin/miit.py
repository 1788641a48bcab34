"""Admin of the MIIT side of applications: SMS steps, bureau submissions, number counters.

All three are written by the application state machine and the registry adapter;
staff read them here and change none of them.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from filings.models import BureauSubmission, FilingNumberCounter, MiitVerification
from icpportal.admin_base import StaffRoleAdmin, pretty_json


class ReadOnlyAdmin(StaffRoleAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MiitVerification)
class MiitVerificationAdmin(ReadOnlyAdmin):
    """The MIIT SMS codes of applications; the code itself is never stored."""

    list_display = ("application", "role", "head_name", "masked_phone", "status", "sent_at")
    list_filter = ("status", "role")
    list_select_related = ("application",)
    search_fields = ("=application__id", "head_name")
    date_hierarchy = "sent_at"
    show_full_result_count = False
    fields = (
        "application",
        "role",
        "person",
        "head_name",
        "masked_phone",
        "status",
        "attempts",
        "sent_at",
        "expires_at",
        "verified_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description=_("mobile"))
    def masked_phone(self, obj: MiitVerification) -> str:
        return obj.masked_phone


@admin.register(BureauSubmission)
class BureauSubmissionAdmin(ReadOnlyAdmin):
    """Applications as the bureau received them, and its decisions."""

    list_display = ("reference", "application", "state", "submitted_at", "due_at", "decided_at")
    list_filter = ("state",)
    list_select_related = ("application",)
    search_fields = ("=reference", "=application__id")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    fields = (
        "reference",
        "application",
        "state",
        "submitted_at",
        "due_at",
        "decided_at",
        "reasons_json",
        "issued_numbers_json",
    )
    readonly_fields = fields

    @admin.display(description=_("reasons"))
    def reasons_json(self, obj: BureauSubmission):
        return pretty_json(obj.reasons)

    @admin.display(description=_("issued filing numbers"))
    def issued_numbers_json(self, obj: BureauSubmission):
        return pretty_json(obj.issued_numbers)


@admin.register(FilingNumberCounter)
class FilingNumberCounterAdmin(ReadOnlyAdmin):
    """The last serial issued per numbering scope (province and year, or entity number)."""

    list_display = ("scope", "last_serial", "updated_at")
    search_fields = ("scope",)
    fields = ("scope", "last_serial", "updated_at")
    readonly_fields = fields
