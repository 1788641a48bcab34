"""The registry adapter (the bureau): the contract, and the one the settings name."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from filings.registry.base import (
    RegistryAdapter,
    RegistryError,
    RegistryUnavailable,
    SubmissionState,
    SubmissionStatus,
    UnknownSubmission,
    covering_names,
)

__all__ = [
    "RegistryAdapter",
    "RegistryError",
    "RegistryUnavailable",
    "SubmissionState",
    "SubmissionStatus",
    "UnknownSubmission",
    "covering_names",
    "get_registry",
]


def get_registry() -> RegistryAdapter:
    """The adapter ``REGISTRY_BACKEND`` names; one instance per process."""
    return _registry(settings.REGISTRY_BACKEND)


@functools.cache
def _registry(path: str) -> RegistryAdapter:
    try:
        adapter = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"REGISTRY_BACKEND {path!r} cannot be imported: {exc}") from exc
    if not (isinstance(adapter, type) and issubclass(adapter, RegistryAdapter)):
        raise ImproperlyConfigured(f"REGISTRY_BACKEND {path!r} is not a RegistryAdapter.")
    return adapter()
