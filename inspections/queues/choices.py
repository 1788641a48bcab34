"""The queue filters' province choices: reference data read from the cache.

Every queue page (and the staff API's filter) offers them; they change rarely, so they
come from the cache (Redis in production) instead of a query a page. Saving or deleting
a province drops the cached list; it also expires on its own. Customers are too many to
list: the customer filter offers them through a bounded type-ahead
(``inspections.queues.customers``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from filings.models import ProvinceRule

PROVINCES_KEY = "queue-choices:provinces:v1"
CACHE_SECONDS = 10 * 60


def _provinces() -> list[tuple[str, str, str, str]]:
    return list(
        ProvinceRule.objects.order_by("code").values_list("code", "name", "name_en", "prefix")
    )


def _cached_provinces() -> list[tuple[str, str, str, str]]:
    return cache.get_or_set(PROVINCES_KEY, _provinces, CACHE_SECONDS)


def _chinese() -> bool:
    return (get_language() or "zh").startswith("zh")


def province_choices() -> list[tuple[str, str]]:
    """(code, "name (prefix)") in the page's language, in code order."""
    chinese = _chinese()
    return [
        (code, f"{name if chinese else name_en} ({prefix})")
        for code, name, name_en, prefix in _cached_provinces()
    ]


def province_names() -> dict[str, str]:
    """Each province's name in the page's language, by code."""
    chinese = _chinese()
    return {code: name if chinese else name_en for code, name, name_en, _ in _cached_provinces()}


def _forget_provinces(**kwargs) -> None:
    cache.delete(PROVINCES_KEY)
    # Again once the change is committed: a page read in between cached the old list.
    transaction.on_commit(lambda: cache.delete(PROVINCES_KEY))


for _signal in (post_save, post_delete):
    _signal.connect(_forget_provinces, sender=ProvinceRule, dispatch_uid="queue-choices-provinces")
