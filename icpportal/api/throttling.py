"""Request limits of the API, read from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.

DRF's throttles copy the rates when they are imported; these read them on every
request, so a changed setting (an operator's, or a test's) takes effect at once.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class _LiveRates:
    def get_rate(self):
        scope = getattr(self, "scope", None)
        if not scope:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a scope.")
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if scope not in rates:
            raise ImproperlyConfigured(f"No API throttle rate is set for the scope {scope!r}.")
        return rates[scope]


class UserThrottle(_LiveRates, UserRateThrottle):
    """Every request of one user (the caller's address when anonymous)."""


class AnonThrottle(_LiveRates, AnonRateThrottle):
    """Requests without credentials, per address."""


class ScopedThrottle(_LiveRates, ScopedRateThrottle):
    """The extra limit of a view's ``throttle_scope`` (uploads, transitions, …)."""
