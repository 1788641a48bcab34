"""Reading and removing stored material files, in chunks, on local disk or S3.

Downloads and the integrity job never read a whole file into memory. django-storages'
``S3File`` copies the object into a spooled temporary file held in memory (its default
``max_memory_size`` is unlimited), so from S3 the object's HTTP body is streamed
directly instead; every other storage is opened through the storage API.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.core.files.storage import Storage, default_storage

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024


@dataclass
class StoredFile:
    """An open stored file: read it in chunks, close it when done."""

    stream: IO[bytes]
    size: int | None

    def chunks(self, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        while chunk := self.stream.read(chunk_bytes):
            yield chunk

    def close(self) -> None:
        self.stream.close()


def _s3_object(storage: Storage, name: str):
    """The boto3 ``Object`` of ``name`` when ``storage`` is django-storages' S3Storage."""
    try:
        from storages.backends.s3 import S3Storage
        from storages.utils import clean_name
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return None
    if not isinstance(storage, S3Storage):
        return None
    return storage.bucket.Object(storage._normalize_name(clean_name(name)))


def open_stored(name: str, storage: Storage | None = None) -> StoredFile:
    """Open a stored file for reading in chunks; FileNotFoundError when it is gone."""
    storage = storage if storage is not None else default_storage
    s3_object = _s3_object(storage, name)
    if s3_object is not None:
        from botocore.exceptions import ClientError

        try:
            response = s3_object.get()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(name) from error
            raise
        return StoredFile(response["Body"], response.get("ContentLength"))
    stream = storage.open(name, "rb")
    return StoredFile(stream, getattr(stream, "size", None))


def sha256_of_stored(name: str, storage: Storage | None = None) -> tuple[str, int]:
    """SHA-256 (hex) and size of a stored file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    stored = open_stored(name, storage)
    try:
        for chunk in stored.chunks():
            digest.update(chunk)
            size += len(chunk)
    finally:
        stored.close()
    return digest.hexdigest(), size


def delete_stored(name: str, storage: Storage | None = None) -> bool:
    """Remove a stored file; a failure is logged, never raised (called after commit)."""
    if not name:
        return False
    storage = storage if storage is not None else default_storage
    try:
        storage.delete(name)
    except Exception:
        # The row is already gone or replaced; an orphaned file is only a cost, and
        # raising here would break the request that committed successfully.
        logger.exception("Could not delete the stored material file %s", name)
        return False
    return True
