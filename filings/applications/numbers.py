"""Issuing ICP filing numbers: ``<prefix>ICP备<year><serial>号`` and ``…号-N``.

Entity serials run per province and year, website serials per entity. Each scope has
a ``FilingNumberCounter`` row that is locked while a number is taken, so two approvals
at the same moment never get the same number. A counter starts after the highest
number already known in its scope (live rows and the bureau's records), and a number
that somehow exists already is skipped rather than issued twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from filings.models import Entity, FilingNumberCounter, ProvinceRule, RegistryRecord, Website
from filings.validators import (
    format_entity_filing_number,
    format_website_filing_number,
    parse_filing_number,
)

MAX_SERIAL = 999_999


class NumbersExhausted(Exception):
    """A numbering scope has no serial left (a province issued a million numbers a year)."""


def _serials(numbers: Iterable[str], serial_of: Callable) -> list[int]:
    found = []
    for number in numbers:
        try:
            found.append(serial_of(parse_filing_number(number)))
        except ValidationError:
            continue  # a malformed old number simply does not count
    return found


def _entity_number_taken(number: str) -> bool:
    return (
        Entity.objects.filter(filing_number=number).exists()
        or RegistryRecord.objects.filter(entity_filing_number=number).exists()
    )


def _website_number_taken(number: str) -> bool:
    return (
        Website.objects.filter(filing_number=number).exists()
        or RegistryRecord.objects.filter(website_filing_number=number).exists()
    )


def _take(scope: str, highest_known: Callable[[], int], taken: Callable[[int], bool]) -> int:
    """The next free serial of ``scope``, in the caller's transaction (row locked)."""
    with transaction.atomic():
        counter = FilingNumberCounter.objects.select_for_update().filter(scope=scope).first()
        if counter is None:
            try:
                # A savepoint: a concurrent first issue in this scope may win the insert.
                with transaction.atomic():
                    counter = FilingNumberCounter.objects.create(
                        scope=scope, last_serial=highest_known()
                    )
            except IntegrityError:
                counter = FilingNumberCounter.objects.select_for_update().get(scope=scope)
        serial = counter.last_serial + 1
        while serial <= MAX_SERIAL and taken(serial):
            serial += 1
        if serial > MAX_SERIAL:
            raise NumbersExhausted(f"No filing-number serial left in scope {scope}.")
        counter.last_serial = serial
        counter.save(update_fields=["last_serial", "updated_at"])
    return serial


def issue_entity_number(province: ProvinceRule | str, *, year: int | None = None) -> str:
    """A new entity filing number of ``province`` (a ProvinceRule or its division code).

    ``黔ICP备2026000001号``: the province's prefix, the year in Asia/Shanghai, a serial.
    """
    if not isinstance(province, ProvinceRule):
        province = ProvinceRule.objects.get(code=province)
    prefix = province.prefix
    year = year or timezone.localdate().year
    start = f"{prefix}ICP备{year:04d}"

    def highest_known() -> int:
        numbers = [
            *Entity.objects.filter(filing_number__startswith=start).values_list(
                "filing_number", flat=True
            ),
            *RegistryRecord.objects.filter(entity_filing_number__startswith=start).values_list(
                "entity_filing_number", flat=True
            ),
        ]
        # An old two-digit-year number can share the text prefix; only this year counts.
        serials = _serials(numbers, lambda n: int(n.serial) if n.year == f"{year:04d}" else 0)
        return max(serials, default=0)

    serial = _take(
        f"{prefix}{year:04d}",
        highest_known,
        lambda s: _entity_number_taken(format_entity_filing_number(prefix, year, s)),
    )
    return format_entity_filing_number(prefix, year, serial)


def issue_website_number(entity_number: str) -> str:
    """The filing number of the entity's next website: ``<entity number>-N``.

    N is one more than the highest N the entity ever had (deregistered websites
    keep theirs, so numbers are never reused).
    """
    entity_number = entity_number.strip()
    start = f"{entity_number}-"

    def highest_known() -> int:
        numbers = [
            *Website.objects.filter(filing_number__startswith=start).values_list(
                "filing_number", flat=True
            ),
            *RegistryRecord.objects.filter(website_filing_number__startswith=start).values_list(
                "website_filing_number", flat=True
            ),
        ]
        return max(_serials(numbers, lambda n: n.website_serial or 0), default=0)

    serial = _take(
        entity_number,
        highest_known,
        lambda n: _website_number_taken(format_website_filing_number(entity_number, n)),
    )
    return format_website_filing_number(entity_number, serial)
