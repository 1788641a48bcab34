"""SMS backends, chosen by ``ICP_SMS_BACKEND``: console, locmem, tencentcloud, http."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications.sms.base import (
    SmsBackend,
    SmsError,
    SmsMessage,
    SmsPermanentError,
    SmsTransientError,
)

__all__ = [
    "SmsBackend",
    "SmsError",
    "SmsMessage",
    "SmsPermanentError",
    "SmsTransientError",
    "get_sms_backend",
]

BACKENDS = {
    "console": "notifications.sms.console.ConsoleSmsBackend",
    "locmem": "notifications.sms.locmem.LocmemSmsBackend",
    "tencentcloud": "notifications.sms.tencentcloud.TencentCloudSmsBackend",
    "http": "notifications.sms.http.HttpSmsBackend",
}
# Backends that print or keep messages instead of sending them.
DEVELOPMENT_ONLY = ("console",)


def get_sms_backend() -> SmsBackend:
    """The backend ``SMS_BACKEND`` names."""
    kind = settings.SMS_BACKEND
    if kind not in BACKENDS:
        raise ImproperlyConfigured(
            f"ICP_SMS_BACKEND={kind!r} is not valid: expected console, locmem, tencentcloud "
            "or http."
        )
    if kind in DEVELOPMENT_ONLY and getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured(
            f"ICP_SMS_BACKEND={kind} prints messages (verification codes included) and is "
            "for development only: choose tencentcloud or http in production."
        )
    return import_string(BACKENDS[kind])()
