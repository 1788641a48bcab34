"""What an uploaded file really is, decided by its first bytes and never by its name.

Accepted: JPEG (``FF D8 FF``), PNG (``89 50 4E 47 0D 0A 1A 0A``) and PDF (``%PDF-``).
Images must also decode with Pillow. Anything else is refused with a message saying
what the file looks like ("…it looks like an executable."), so the customer knows
what went wrong. The browser's content type and the file name are never trusted.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from filings.choices import MaterialKind

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
ALLOWED_CONTENT_TYPES = (JPEG, PNG, PDF)
IMAGE_CONTENT_TYPES = frozenset({JPEG, PNG})
_SIGNATURES = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
# The usual name ending of each type; the first is added to a download whose name lies.
EXTENSIONS = {JPEG: (".jpg", ".jpeg"), PNG: (".png",), PDF: (".pdf",)}
# The in-person verification photo is a photograph taken in front of the backdrop.
IMAGE_ONLY_KINDS = frozenset({MaterialKind.VERIFICATION_PHOTO})
HEAD_BYTES = 512
NAME_MAX_LENGTH = 200
DOCUMENT_NUMBER_MAX_LENGTH = 64
HOLDER_NAME_MAX_LENGTH = 200
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000

_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script")

# What a refused file looks like, checked in order on its first bytes.
_LOOKALIKES = (
    (lambda h: h.startswith(b"MZ"), gettext_lazy("an executable")),  # Windows .exe / .dll
    (lambda h: h.startswith(b"\x7fELF") or h[:4] in _MACH_O, gettext_lazy("an executable")),
    (lambda h: h.startswith(b"#!"), gettext_lazy("a script")),
    (lambda h: h.startswith((b"PK\x03\x04", b"PK\x05\x06")), gettext_lazy("a ZIP archive")),
    (
        lambda h: h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        gettext_lazy("an old Word or Excel document"),
    ),
    (
        lambda h: h.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")),
        gettext_lazy("a compressed archive"),
    ),
    (
        lambda h: h[4:8] == b"ftyp" and h[8:12] in _HEIF_BRANDS,
        gettext_lazy("a HEIC/HEIF photo (save it as JPEG first)"),
    ),
    (lambda h: h.startswith((b"GIF87a", b"GIF89a")), gettext_lazy("a GIF image")),
    (lambda h: h.startswith(b"RIFF") and h[8:12] == b"WEBP", gettext_lazy("a WebP image")),
    (lambda h: h.startswith((b"II*\x00", b"MM\x00*")), gettext_lazy("a TIFF image")),
    (lambda h: h.startswith(b"BM"), gettext_lazy("a BMP image")),
    (lambda h: h.lstrip().lower().startswith(_MARKUP), gettext_lazy("a web page or a drawing")),
)


class UploadRefused(Exception):
    """The file cannot be accepted; ``message`` tells the customer why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class InspectedFile:
    """What a checked upload is: its real type, its size and its SHA-256."""

    content_type: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(settings.MATERIAL_MAX_BYTES)


def too_large_message(limit: int | None = None) -> str:
    return _("The file is larger than %(limit)s. Upload a smaller scan or photo.") % {
        "limit": filesizeformat(limit or max_upload_bytes())
    }


def sniff(head: bytes) -> str | None:
    """The accepted content type these first bytes start, or None."""
    return next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)


def describe(head: bytes) -> str | None:
    """What a refused file looks like ("an executable"), or None when unknown."""
    return next((str(label) for test, label in _LOOKALIKES if test(head)), None)


def _not_allowed(head: bytes) -> UploadRefused:
    what = describe(head)
    if what is None:
        message = _("The file is not a JPEG, PNG or PDF, and its type could not be recognised.")
    else:
        message = _("The file is not a JPEG, PNG or PDF: it looks like %(what)s.") % {"what": what}
    return UploadRefused("type_not_allowed", message)


def _check_image(upload: File, content_type: str) -> None:
    """The image opens, passes Pillow's ``verify()`` and decodes to the last byte."""
    expected = _PILLOW_FORMATS[content_type]
    max_pixels = int(getattr(settings, "MATERIAL_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))
    unreadable = UploadRefused(
        "unreadable_image",
        _(
            "The image could not be read: it seems damaged or incomplete. Scan or "
            "photograph the document again."
        ),
    )
    try:
        with warnings.catch_warnings():
            # A decompression bomb is a refusal, not a warning in a log.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=[expected]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise UploadRefused(
                        "image_too_large",
                        _(
                            "The image is %(width)s × %(height)s pixels, more than the "
                            "%(limit)s million pixels accepted. Save it at a lower resolution."
                        )
                        % {"width": width, "height": height, "limit": max_pixels // 1_000_000},
                    )
                image.verify()
            # verify() leaves the image unusable and does not decode a JPEG's scan
            # data: open it again and decode it (a JPEG at 1/8 scale, which still
            # reads every byte but needs a fraction of the memory).
            upload.seek(0)
            with Image.open(upload, formats=[expected]) as image:
                if expected == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except UploadRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
    ) as error:
        raise unreadable from error
    finally:
        upload.seek(0)


def inspect_upload(upload: File, *, kind: str = "", max_bytes: int | None = None) -> InspectedFile:
    """Check an uploaded file and measure it; raises :class:`UploadRefused`.

    Reads the file in chunks (never whole into memory) and leaves it at position 0.
    """
    limit = max_bytes or max_upload_bytes()
    declared = getattr(upload, "size", None)
    if declared == 0:
        raise UploadRefused("empty", _("The file is empty."))
    if declared is not None and declared > limit:
        raise UploadRefused("too_large", too_large_message(limit))
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if not head:
        raise UploadRefused("empty", _("The file is empty."))
    content_type = sniff(head)
    if content_type is None:
        raise _not_allowed(head)
    if kind in IMAGE_ONLY_KINDS and content_type not in IMAGE_CONTENT_TYPES:
        raise UploadRefused(
            "image_required",
            _("%(material)s must be a photo: upload a JPEG or PNG image, not a PDF.")
            % {"material": MaterialKind(kind).label},
        )
    if content_type in IMAGE_CONTENT_TYPES:
        _check_image(upload, content_type)
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise UploadRefused("too_large", too_large_message(limit))
    upload.seek(0)
    return InspectedFile(content_type=content_type, size=size, sha256=digest.hexdigest())


def clean_file_name(name: str) -> str:
    """The customer's file name without folders or control characters, at most 200 long."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        return "document"
    if len(name) > NAME_MAX_LENGTH:
        _stem, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and len(suffix) <= 10 else ""
        name = name[: NAME_MAX_LENGTH - len(keep)] + keep
    return name


def download_name(original_name: str, content_type: str) -> str:
    """The name a download is saved under: the original one, ending as its content is."""
    name = clean_file_name(original_name)
    endings = EXTENSIONS.get(content_type, ())
    if endings and not name.lower().endswith(endings):
        name = f"{name}{endings[0]}"
    return name


class MaterialSizeGuard(FileUploadHandler):
    """Skips a file field as soon as it passes the size limit, before it is stored.

    Django parks uploads in memory or a temporary file whatever their size; this
    handler runs first, so an oversized file is neither kept nor fully buffered, and
    the form can say "too large" (``too_large`` names the skipped fields).
    """

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes or max_upload_bytes()
        self.too_large: set[str] = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.too_large.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# ---- the details typed next to the file -------------------------------------------------

METADATA_FIELDS = ("document_number", "holder_name", "valid_until", "signed_on")


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def clean_metadata(
    values: Mapping[str, Any] | None, *, today: datetime.date | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The document number, holder and dates, cleaned; and the errors per field.

    A validity date must not have passed; a signing date must not lie in the future.
    """
    values = values or {}
    today = today or timezone.localdate()
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    number = " ".join(str(values.get("document_number") or "").split()).upper()
    if len(number) > DOCUMENT_NUMBER_MAX_LENGTH:
        errors["document_number"] = [
            _("The document number can have at most %(n)d characters.")
            % {"n": DOCUMENT_NUMBER_MAX_LENGTH}
        ]
    cleaned["document_number"] = number
    holder = " ".join(str(values.get("holder_name") or "").split())
    if len(holder) > HOLDER_NAME_MAX_LENGTH:
        errors["holder_name"] = [
            _("The holder's name can have at most %(n)d characters.")
            % {"n": HOLDER_NAME_MAX_LENGTH}
        ]
    cleaned["holder_name"] = holder
    for name in ("valid_until", "signed_on"):
        try:
            cleaned[name] = _date(values.get(name))
        except ValueError:
            errors[name] = [_("Enter a valid date.")]
            cleaned[name] = None
    valid_until, signed_on = cleaned["valid_until"], cleaned["signed_on"]
    if valid_until is not None and valid_until < today:
        errors.setdefault("valid_until", []).append(
            _("This document expired on %(date)s: upload one that is still valid.")
            % {"date": date_format(valid_until, "DATE_FORMAT")}
        )
    if signed_on is not None and signed_on > today:
        errors.setdefault("signed_on", []).append(_("The signing date cannot be in the future."))
    if valid_until is not None and signed_on is not None and valid_until < signed_on:
        errors.setdefault("valid_until", []).append(
            _("The document cannot expire before it was signed.")
        )
    return cleaned, errors
