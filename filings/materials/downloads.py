"""Sending a stored material to a browser: streamed, private, never sniffed.

Every response names the original file (``filename*=UTF-8''…``, with an ASCII
fallback), says ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private,
no-store``, and carries the content type found at upload, never one guessed from a
name. Downloads of ID documents are audited: who, which document, from where.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

from filings.choices import ID_MATERIAL_KINDS
from filings.materials.streams import open_stored
from filings.materials.uploads import ALLOWED_CONTENT_TYPES, download_name
from filings.models import Material
from icpportal import audit


def content_disposition(disposition: str, filename: str) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266 / RFC 5987)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in ascii_name)
    stem, dot, suffix = ascii_name.rpartition(".") if "." in ascii_name else (ascii_name, "", "")
    if not stem.strip(" ._"):
        # A name of Chinese characters only: keep its ending on a neutral stem.
        ascii_name = f"document{dot}{suffix}"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def stream_material(material: Material, *, disposition: str) -> FileResponse:
    """The stored file as a streamed response; 404 when the file has gone missing."""
    try:
        stored = open_stored(material.file.name)
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing.")) from None
    content_type = (
        material.content_type
        if material.content_type in ALLOWED_CONTENT_TYPES
        else "application/octet-stream"
    )
    response = FileResponse(stored.stream, content_type=content_type)
    if "Content-Length" not in response and stored.size is not None:
        response["Content-Length"] = str(stored.size)
    name = download_name(material.original_name, material.content_type)
    response["Content-Disposition"] = content_disposition(disposition, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def audit_if_id_material(request: HttpRequest, material: Material, channel: str) -> None:
    """Record who downloaded an ID document (PIPL: access to sensitive data is logged)."""
    if material.kind not in ID_MATERIAL_KINDS:
        return
    audit.record(
        "material.download",
        material,
        actor=request.user,
        after={"kind": material.kind, "channel": channel, "sha256": material.sha256},
    )
