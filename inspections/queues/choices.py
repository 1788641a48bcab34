"""The queue filters' customer and province choices: reference data read from the cache.

Every queue page (and the staff API's filter) offers them; they change rarely, so they
come from the cache (Redis in production) instead of two queries a page. Saving or
deleting a customer or a province drops the cached list; it also expires on its own.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from filings.models import ProvinceRule
from icpportal.models import Tenant

PROVINCES_KEY = "queue-choices:provinces:v1"
CUSTOMERS_KEY = "queue-choices:customers:v1"
CACHE_SECONDS = 10 * 60


def _provinces() -> list[tuple[str, str, str, str]]:
    return list(
        ProvinceRule.objects.order_by("code").values_list("code", "name", "name_en", "prefix")
    )


def _customers() -> list[tuple[int, str]]:
    return list(Tenant.objects.order_by("name", "pk").values_list("pk", "name"))


def province_choices() -> list[tuple[str, str]]:
    """(code, "name (prefix)") in the page's language, in code order."""
    chinese = (get_language() or "zh").startswith("zh")
    return [
        (code, f"{name if chinese else name_en} ({prefix})")
        for code, name, name_en, prefix in cache.get_or_set(
            PROVINCES_KEY, _provinces, CACHE_SECONDS
        )
    ]


def customer_choices() -> list[tuple[str, str]]:
    """(tenant id, name), by name."""
    return [
        (str(pk), name) for pk, name in cache.get_or_set(CUSTOMERS_KEY, _customers, CACHE_SECONDS)
    ]


def _forget(key: str):
    def receiver(**kwargs) -> None:
        cache.delete(key)
        # Again once the change is committed: a page read in between cached the old list.
        transaction.on_commit(lambda: cache.delete(key))

    return receiver


_forget_provinces = _forget(PROVINCES_KEY)
_forget_customers = _forget(CUSTOMERS_KEY)
for _signal in (post_save, post_delete):
    _signal.connect(_forget_provinces, sender=ProvinceRule, dispatch_uid="queue-choices-provinces")
    _signal.connect(_forget_customers, sender=Tenant, dispatch_uid="queue-choices-customers")
