"""Customer pages of materials: checklists, uploads, replacing, deleting, downloads.

Every object comes from the customer's own tenant-scoped queryset, so another
tenant's application, website or document answers 404. The pages read the request
and call the actions; the actions decide.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from filings.choices import ID_MATERIAL_KINDS
from filings.materials.actions import (
    OWNER_KINDS,
    do_delete_material,
    do_replace_material,
    do_upload_material,
    owner_of,
    owner_problem,
)
from filings.materials.checklist import checklist
from filings.materials.downloads import audit_if_id_material, stream_material
from filings.materials.forms import MaterialReplaceForm, MaterialUploadForm
from filings.materials.uploads import MaterialSizeGuard, max_upload_bytes
from filings.models import Application, Entity, Material, Person, Website
from icpportal.redirects import next_url
from icpportal.tenancy import TenantScopedMixin


def may_download(request: HttpRequest, material: Material) -> bool:
    """Any member downloads ordinary documents; ID documents (sensitive personal
    information) only the account's owners and whoever uploaded them."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return False
    if material.kind not in ID_MATERIAL_KINDS:
        return True
    return membership.is_owner or material.uploaded_by_id == request.user.pk


def may_delete(request: HttpRequest, material: Material) -> bool:
    """A draft's documents: any member. A live filing's documents: owners only."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return False
    return material.application_id is not None or membership.is_owner


def _material_list(queryset):
    return queryset.select_related("uploaded_by").order_by("kind", "-uploaded_at", "-pk")


class UploadSizeGuardMixin:
    """Installs the size guard before anything reads the request body.

    The CSRF check reads the body, so it runs here, after the guard is in place
    (Django's documented pattern for per-view upload handlers).
    """

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.size_guard = MaterialSizeGuard(request)
        if request.method == "POST":
            request.upload_handlers.insert(0, self.size_guard)
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def upload_form(self, **kwargs: Any) -> MaterialUploadForm:
        if self.request.method == "POST":
            kwargs.update(
                data=self.request.POST,
                files=self.request.FILES,
                too_large="file" in self.size_guard.too_large,
            )
        else:
            kwargs.setdefault("initial", {"kind": self.request.GET.get("kind", "")})
        return MaterialUploadForm(**kwargs)

    def handle_upload(self, owner, form: MaterialUploadForm, done_url: str) -> HttpResponse | None:
        """Run the upload; the redirect on success, None when the form shows errors."""
        if not form.is_valid():
            return None
        result = do_upload_material(
            owner,
            form.cleaned_data["kind"],
            form.cleaned_data["file"],
            actor=self.request.user,
            metadata=form.metadata(),
        )
        if not result.ok:
            form.show_result(result)
            return None
        messages.success(
            self.request,
            _("%(material)s uploaded.") % {"material": result.material.get_kind_display()},
        )
        return HttpResponseRedirect(next_url(self.request, done_url))


class ApplicationMaterialsView(UploadSizeGuardMixin, TenantScopedMixin, View):
    """An application's checklist of documents, with the upload form."""

    model = Application
    template_name = "filings/materials/application_materials.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = get_object_or_404(self.get_queryset(), pk=pk)
        return self.page(application, self.upload_form(kinds=OWNER_KINDS["application"]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = get_object_or_404(self.get_queryset(), pk=pk)
        form = self.upload_form(kinds=OWNER_KINDS["application"])
        done_url = reverse("application-materials", args=[application.pk])
        return self.handle_upload(application, form, done_url) or self.page(application, form)

    def page(self, application: Application, form: MaterialUploadForm) -> HttpResponse:
        items = checklist(application)
        listed = {item.material.pk for item in items if item.material is not None}
        own = _material_list(Material.objects.for_tenant(self.request.tenant)).filter(
            application=application
        )
        context = {
            "application": application,
            "items": items,
            "missing_count": sum(1 for item in items if item.material is None),
            "other_materials": [m for m in own if m.pk not in listed],
            "form": form,
            "can_change": owner_problem("application", application) is None,
            "max_bytes": max_upload_bytes(),
        }
        return render(self.request, self.template_name, context)


class OwnerMaterialsView(UploadSizeGuardMixin, TenantScopedMixin, View):
    """The documents kept with a live entity, person in charge or website."""

    template_name = "filings/materials/owner_materials.html"
    owner_field = ""
    detail_url_name = ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        owner = get_object_or_404(self.get_queryset(), pk=pk)
        return self.page(owner, self.upload_form(kinds=OWNER_KINDS[self.owner_field]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        owner = get_object_or_404(self.get_queryset(), pk=pk)
        form = self.upload_form(kinds=OWNER_KINDS[self.owner_field])
        done_url = reverse(f"{self.owner_field}-materials", args=[owner.pk])
        return self.handle_upload(owner, form, done_url) or self.page(owner, form)

    def page(self, owner, form: MaterialUploadForm) -> HttpResponse:
        materials = _material_list(Material.objects.for_tenant(self.request.tenant)).filter(
            **{self.owner_field: owner}
        )
        problem = owner_problem(self.owner_field, owner)
        context = {
            "owner": owner,
            "owner_field": self.owner_field,
            "owner_label": self.model._meta.verbose_name,
            "detail_url": reverse(self.detail_url_name, args=[owner.pk]),
            "materials": materials,
            "form": form,
            "can_change": problem is None,
            "locked_reason": problem.message if problem else "",
            "max_bytes": max_upload_bytes(),
        }
        return render(self.request, self.template_name, context)


class EntityMaterialsView(OwnerMaterialsView):
    model = Entity
    owner_field = "entity"
    detail_url_name = "entity-detail"


class PersonMaterialsView(OwnerMaterialsView):
    model = Person
    owner_field = "person"
    detail_url_name = "person-detail"


class WebsiteMaterialsView(OwnerMaterialsView):
    model = Website
    owner_field = "website"
    detail_url_name = "website-detail"


def _owner_page(material: Material) -> str:
    owner_field, owner = owner_of(material)
    name = "application-materials" if owner_field == "application" else f"{owner_field}-materials"
    return reverse(name, args=[owner.pk])


class MaterialDownloadView(TenantScopedMixin, View):
    """Download a document as an attachment under its original name."""

    model = Material

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = get_object_or_404(self.get_queryset(), pk=pk)
        if not may_download(request, material):
            raise PermissionDenied
        response = stream_material(material, disposition="attachment")
        audit_if_id_material(request, material, "customer_download")
        return response


class MaterialReplaceView(UploadSizeGuardMixin, TenantScopedMixin, View):
    """Upload a new file in place of a document, or correct its details."""

    model = Material
    template_name = "filings/materials/replace.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = get_object_or_404(self.get_queryset(), pk=pk)
        initial = {
            "document_number": material.document_number,
            "holder_name": material.holder_name,
            "valid_until": material.valid_until,
            "signed_on": material.signed_on,
        }
        return self.page(material, MaterialReplaceForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = get_object_or_404(self.get_queryset(), pk=pk)
        form = MaterialReplaceForm(
            request.POST, request.FILES, too_large="file" in self.size_guard.too_large
        )
        if form.is_valid():
            result = do_replace_material(
                material,
                actor=request.user,
                upload=form.cleaned_data.get("file"),
                metadata=form.metadata(),
            )
            if result.ok:
                messages.success(request, result.message)
                return HttpResponseRedirect(next_url(request, _owner_page(material)))
            form.show_result(result)
        return self.page(material, form)

    def page(self, material: Material, form: MaterialReplaceForm) -> HttpResponse:
        owner_field, owner = owner_of(material)
        problem = owner_problem(owner_field, owner)
        context = {
            "material": material,
            "form": form,
            "back_url": _owner_page(material),
            "can_change": problem is None,
            "locked_reason": problem.message if problem else "",
            "max_bytes": max_upload_bytes(),
            "may_download": may_download(self.request, material),
        }
        return render(self.request, self.template_name, context)


class MaterialDeleteView(TenantScopedMixin, View):
    """Confirm, then delete a document."""

    model = Material
    template_name = "filings/materials/delete.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = get_object_or_404(self.get_queryset(), pk=pk)
        if not may_delete(request, material):
            raise PermissionDenied
        return self.page(material)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = get_object_or_404(self.get_queryset(), pk=pk)
        if not may_delete(request, material):
            raise PermissionDenied
        back = _owner_page(material)
        result = do_delete_material(material, actor=request.user)
        if not result.ok:
            return self.page(material, error=result.message)
        messages.success(request, result.message)
        return HttpResponseRedirect(next_url(request, back))

    def page(self, material: Material, error: str = "") -> HttpResponse:
        context = {"material": material, "back_url": _owner_page(material), "error": error}
        return render(self.request, self.template_name, context)
