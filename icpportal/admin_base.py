"""What every admin page of the portal shares: who may enter, what each staff role may
do, the audit row behind every admin change, and masked display of personal data.

The admin is for compliance staff (an active ``StaffProfile``) and superusers. Model
permissions of ``django.contrib.auth`` are not used for the portal's own models: a
staff role is enough, so a new reviewer needs no permission set-up, and a customer
whose ``is_staff`` flag was set by mistake still gets nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from icpportal import audit
from icpportal.admin_forms import TenantConsistentForm
from icpportal.crypto import keyed_hash
from icpportal.masking import mask_id_number
from icpportal.models import LEAD_ROLES as LEAD_ROLES  # one of the role groups below
from icpportal.models import StaffProfile
from icpportal.tenancy import second_factor_verified, staff_role

ALL_STAFF_ROLES: tuple[str, ...] = tuple(StaffProfile.Role.values)
ADMIN_ROLES: tuple[str, ...] = (StaffProfile.Role.ADMIN,)


def may_use_admin(user) -> bool:
    """Whether ``user`` may enter the admin at all: active staff profile or superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or staff_role(user) is not None


class StaffAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, admitting staff by profile rather than by ``is_staff``."""

    def confirm_login_allowed(self, user) -> None:
        # Skip AdminAuthenticationForm's is_staff test: the flag is not what grants entry.
        AuthenticationForm.confirm_login_allowed(self, user)
        if not may_use_admin(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class ComplianceAdminSite(admin.AdminSite):
    """The admin site for compliance staff and superusers only, once their login passed
    its second factor."""

    login_form = StaffAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user) and second_factor_verified(request.user)


# --- Permissions by staff role -------------------------------------------------------------


class StaffRolePermissions:
    """Admin permissions from the staff role; superusers may do everything.

    Subclasses narrow who may change a model with ``change_roles`` (add follows it
    unless ``add_roles`` says otherwise) and who may delete with ``delete_roles``.
    """

    view_roles: tuple[str, ...] = ALL_STAFF_ROLES
    change_roles: tuple[str, ...] = ALL_STAFF_ROLES
    add_roles: tuple[str, ...] | None = None
    delete_roles: tuple[str, ...] = ADMIN_ROLES

    @staticmethod
    def role_allows(request: HttpRequest, roles: tuple[str, ...]) -> bool:
        user = request.user
        if not may_use_admin(user):
            return False
        return user.is_superuser or staff_role(user) in roles

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.role_allows(request, self.view_roles)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.role_allows(request, self.view_roles) or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.role_allows(request, self.change_roles)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        roles = self.change_roles if self.add_roles is None else self.add_roles
        return self.role_allows(request, roles)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.role_allows(request, self.delete_roles)


# --- Audit rows for admin changes ----------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A JSON-ready form of a field value, as an audit row stores it."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [jsonable(item) for item in value]
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _audited_fields(obj: models.Model) -> dict[str, models.Field]:
    # Keyed hashes say nothing to a reader of the audit trail; the masked value does.
    return {
        field.name: field
        for field in obj._meta.concrete_fields
        if not field.name.endswith("_hash") and not field.primary_key
    }


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every audited field of ``obj`` (for adds and deletes); ``record`` masks it."""
    return {
        name: jsonable(field.value_from_object(obj)) for name, field in _audited_fields(obj).items()
    }


def form_changes(form, *, adding: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(before, after)`` of the fields ``form`` changed, after it was saved."""
    fields = _audited_fields(form.instance)
    if adding:
        return {}, snapshot(form.instance)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in form.changed_data:
        if name in fields:
            before[name] = jsonable(form.initial.get(name))
            after[name] = jsonable(fields[name].value_from_object(form.instance))
    # Form fields that stand for a model field (a new ID number) report themselves.
    extra = getattr(form, "audit_extra_changes", None)
    if extra is not None:
        extra_before, extra_after = extra()
        before.update(extra_before)
        after.update(extra_after)
    return before, after


class AuditedAdminMixin:
    """Writes an ``AuditEvent`` for every add, change and delete made in the admin.

    ``audit_redact`` names fields holding ID-like values that ``record``'s masking does
    not recognise by name; they are masked here first.
    """

    audit_redact: tuple[str, ...] = ()

    def _redact(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: mask_id_number(str(value)) if key in self.audit_redact and value else value
            for key, value in data.items()
        }

    def audit(self, request, action: str, obj, before: dict, after: dict) -> None:
        audit.record(
            action,
            obj,
            actor=request.user,
            before=self._redact(before),
            after=self._redact(after),
        )

    def audit_form(self, request, form, *, adding: bool) -> None:
        before, after = form_changes(form, adding=adding)
        if adding or before or after:
            self.audit(
                request, "admin.add" if adding else "admin.change", form.instance, before, after
            )

    def save_model(self, request, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self.audit_form(request, form, adding=not change)

    def delete_model(self, request, obj) -> None:
        self.audit(request, "admin.delete", obj, snapshot(obj), {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        # The "delete selected" action: one row per deleted object, as a single delete.
        for obj in queryset:
            self.audit(request, "admin.delete", obj, snapshot(obj), {})
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change: bool) -> None:
        """Inline rows are audited like their own admin would audit them."""
        deleted = {id(f) for f in formset.deleted_forms}
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                obj = inline_form.instance
                self.audit(request, "admin.delete", obj, snapshot(obj), {})
        pending = [
            (inline_form, inline_form.instance.pk is None)
            for inline_form in formset.forms
            if id(inline_form) not in deleted and inline_form.has_changed()
        ]
        super().save_formset(request, form, formset, change)
        for inline_form, adding in pending:
            self.audit_form(request, inline_form, adding=adding)


# --- Display and search ----------------------------------------------------------------


def pretty_json(value: Any) -> SafeString:
    """``value`` as indented JSON in a ``<pre>``, for read-only admin fields."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


class KeyedHashSearchMixin:
    """Search finds a record by its full ID number through the keyed-hash column.

    Encrypted numbers cannot be searched with ``LIKE``; a search term is also hashed
    and matched exactly against ``id_hash_field``, besides the ordinary search fields.
    """

    id_hash_field: str = ""

    def get_search_results(self, request, queryset, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and self.id_hash_field:
            results |= queryset.filter(**{self.id_hash_field: keyed_hash(term)})
        return results, may_have_duplicates


class StaffRoleAdmin(
    StaffRolePermissions, AuditedAdminMixin, KeyedHashSearchMixin, admin.ModelAdmin
):
    """Base of every portal admin: role permissions, audited saves, hash search."""

    form = TenantConsistentForm
    list_per_page = 50


class StaffRoleTabularInline(StaffRolePermissions, admin.TabularInline):
    """Base of inlines; their saves are audited by the parent's ``save_formset``."""

    extra = 0
