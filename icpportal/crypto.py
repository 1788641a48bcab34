"""Encryption at rest and keyed hashes for personal ID numbers.

``ICP_FIELD_KEYS`` lists Fernet keys, newest first: values are encrypted with the
first and decrypted with any (MultiFernet), so a new key can be put in front and old
rows re-encrypted at leisure. The keyed hash used for exact-match look-ups is derived
from the *last* (oldest) key, which therefore stays in the list for as long as rows
hashed with it exist.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.ICP_FIELD_KEYS])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "ICP_FIELD_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)."
        ) from exc


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        settings.ICP_FIELD_KEYS[-1].encode()
    )


@cache
def _hash_key() -> bytes:
    return _derive(b"icpportal keyed hash v1")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored personal-data value cannot be decrypted with ICP_FIELD_KEYS."
        ) from exc


def keyed_hash(value: str, *, purpose: str = "id") -> str:
    """HMAC-SHA256 of a normalised value, hex; equal inputs give equal hashes."""
    message = f"{purpose}:{value.strip().upper()}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted with MultiFernet; Python sees the clear value.

    Encrypted values cannot be searched; pair the field with a keyed-hash column.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
