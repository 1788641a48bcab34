"""Compliance staff look at customers' documents in the review pages.

Images are shown inline under ``Content-Security-Policy: sandbox`` (a crafted file can
run nothing in the portal's origin); PDFs come from their own staff-only view, inline
with ``nosniff`` and framable by the portal's own pages only (a sandboxed document
cannot show the browser's PDF viewer). Customers get 403 here; viewing an ID document
is audited like a download.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin

from filings.materials.downloads import audit_if_id_material, stream_material
from filings.materials.uploads import IMAGE_CONTENT_TYPES, PDF
from filings.models import Material
from icpportal.tenancy import StaffRequiredMixin


class _StaffMaterialMixin(StaffRequiredMixin):
    model = Material

    def get_material(self, pk: int) -> Material:
        queryset = Material.objects.for_staff(self.request.user).select_related(
            "tenant", "uploaded_by"
        )
        return get_object_or_404(queryset, pk=pk)


class StaffMaterialView(_StaffMaterialMixin, View):
    """A document with its details, the image or PDF shown in the page."""

    template_name = "filings/materials/staff_material.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = self.get_material(pk)
        context = {
            "material": material,
            "is_image": material.content_type in IMAGE_CONTENT_TYPES,
            "is_pdf": material.content_type == PDF,
        }
        return render(request, self.template_name, context)


class StaffMaterialImageView(_StaffMaterialMixin, View):
    """The image itself, for ``<img>`` tags of the review pages."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = self.get_material(pk)
        if material.content_type not in IMAGE_CONTENT_TYPES:
            raise Http404("Not an image.")
        response = stream_material(material, disposition="inline")
        response["Content-Security-Policy"] = "sandbox"
        audit_if_id_material(request, material, "staff_image")
        return response


@method_decorator(xframe_options_sameorigin, name="dispatch")
class StaffMaterialPdfView(_StaffMaterialMixin, View):
    """The PDF itself, inline, for the review page's viewer frame."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        material = self.get_material(pk)
        if material.content_type != PDF:
            raise Http404("Not a PDF.")
        response = stream_material(material, disposition="inline")
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        audit_if_id_material(request, material, "staff_pdf")
        return response
