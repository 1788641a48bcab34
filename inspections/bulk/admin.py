"""Admin of bulk jobs, for reading only: jobs are made from the case queue or the API
and run by the workers, never edited."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from icpportal.admin_base import StaffRoleAdmin
from icpportal.models import BulkJob, BulkJobItem


class _ReadOnly(StaffRoleAdmin):
    change_roles = ()
    add_roles = ()
    delete_roles = ()

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(BulkJob)
class BulkJobAdmin(_ReadOnly):
    list_display = ("id", "kind", "state", "requested_by", "total", "done", "failed", "created_at")
    list_filter = ("kind", "state")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"
    search_fields = ("=id", "requested_by__username")
    exclude = ("case_ids",)  # up to 10,000 ids: the job's items say what happened to each

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "case_ids"]


@admin.register(BulkJobItem)
class BulkJobItemAdmin(_ReadOnly):
    list_display = ("job", "case_id", "outcome", "message", "at")
    list_filter = ("outcome",)
    list_select_related = ("job",)
    search_fields = ("=job__id", "=case_id")
    show_full_result_count = False
