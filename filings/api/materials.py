"""Materials over the API: upload (multipart), details, replace, delete, download.

Uploads pass the same checks as the upload page (size cap before the body is stored,
content recognised by its first bytes, details cleaned) because both call the same
actions. Downloads are attachments; downloads of ID documents are audited.
"""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from filings.api.filtersets import MaterialFilter
from filings.api.material_serializers import (
    OWNER_FIELDS,
    MaterialChangeSerializer,
    MaterialSerializer,
    MaterialUploadSerializer,
)
from filings.materials.actions import (
    MaterialResult,
    do_delete_material,
    do_replace_material,
    do_upload_material,
)
from filings.materials.downloads import audit_if_id_material, stream_material
from filings.materials.uploads import METADATA_FIELDS, MaterialSizeGuard, too_large_message
from filings.materials.views import may_delete, may_download
from filings.models import Application, Entity, Material, Person, Website
from icpportal.api import TenantScopedViewSet
from icpportal.api.pagination import UploadedCursor
from icpportal.api.serializers import ProblemSerializer

OWNER_MODELS = {"application": Application, "entity": Entity, "person": Person, "website": Website}
# Refusals about the owner's state (a submitted application, a deregistered website).
CONFLICT_CODES = frozenset({"not_editable", "deregistered", "changed", "gone"})
PROBLEMS = {400: ProblemSerializer, 409: ProblemSerializer, 413: ProblemSerializer}


class StoredFileRenderer(BaseRenderer):
    """Lets a download answer whatever the client accepts: the body is the file."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


def _refusal(result: MaterialResult) -> Response:
    code = status.HTTP_409_CONFLICT if result.code in CONFLICT_CODES else 400
    if result.code == "too_large":
        code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    body = {
        "code": result.code,
        "detail": result.message,
        "field_errors": {k: list(v) for k, v in result.field_errors.items()},
    }
    return Response(body, status=code)


def _too_large() -> Response:
    message = too_large_message()
    return Response(
        {"code": "too_large", "detail": message, "field_errors": {"file": [message]}},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


class MaterialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Documents of the customer's applications, entities, persons and websites."""

    model = Material
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilter
    pagination_class = UploadedCursor
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initialize_request(self, request, *args, **kwargs):
        # Installed before anything reads the body, so an oversized file is skipped
        # while it streams in instead of being buffered whole.
        self.size_guard = MaterialSizeGuard(request)
        if request.method in ("POST", "PATCH", "PUT"):
            request.upload_handlers.insert(0, self.size_guard)
        return super().initialize_request(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("uploaded_by")

    def get_throttles(self):
        if self.action in ("create", "partial_update"):
            self.throttle_scope = "uploads"
        elif self.action == "download":
            self.throttle_scope = "downloads"
        return super().get_throttles()

    @extend_schema(
        request={"multipart/form-data": MaterialUploadSerializer},
        responses={201: MaterialSerializer, 404: ProblemSerializer, **PROBLEMS},
    )
    def create(self, request):
        """Upload a document for exactly one application, entity, person or website."""
        request.data  # noqa: B018  (parses the body: the size guard runs while it streams)
        if "file" in self.size_guard.too_large:
            return _too_large()
        serializer = MaterialUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner_field = next(name for name in OWNER_FIELDS if data.get(name))
        owner = get_object_or_404(
            OWNER_MODELS[owner_field].objects.for_tenant(request.tenant), pk=data[owner_field]
        )
        result = do_upload_material(
            owner,
            data["kind"],
            data["file"],
            actor=request.user,
            metadata={name: data.get(name) for name in METADATA_FIELDS},
        )
        if not result.ok:
            return _refusal(result)
        return Response(MaterialSerializer(result.material).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": MaterialChangeSerializer,
            "application/json": MaterialChangeSerializer,
        },
        responses={200: MaterialSerializer, **PROBLEMS},
    )
    def partial_update(self, request, pk=None):
        """Put a new file in place (multipart), or correct the details printed on the
        document; details left out keep their current values."""
        material = self.get_object()
        request.data  # noqa: B018  (parses the body: the size guard runs while it streams)
        if "file" in self.size_guard.too_large:
            return _too_large()
        serializer = MaterialChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        metadata = None
        if any(name in data for name in METADATA_FIELDS):
            metadata = {
                name: data[name] if name in data else getattr(material, name)
                for name in METADATA_FIELDS
            }
        result = do_replace_material(
            material, actor=request.user, upload=data.get("file"), metadata=metadata
        )
        if not result.ok:
            return _refusal(result)
        return Response(MaterialSerializer(result.material).data)

    @extend_schema(responses={204: None, 403: ProblemSerializer, 409: ProblemSerializer})
    def destroy(self, request, pk=None):
        """Delete a document. A live filing's documents: owners only."""
        material = self.get_object()
        if not may_delete(request, material):
            raise PermissionDenied
        result = do_delete_material(material, actor=request.user)
        if not result.ok:
            return _refusal(result)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The stored file, as an attachment."
            ),
            403: ProblemSerializer,
            404: ProblemSerializer,
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, StoredFileRenderer])
    def download(self, request, pk=None):
        """The file, as an attachment under its original name. ID documents: owners
        and whoever uploaded them only, and every download is audited."""
        material = self.get_object()
        if not may_download(request, material):
            raise PermissionDenied
        response = stream_material(material, disposition="attachment")
        audit_if_id_material(request, material, "api_download")
        return response
