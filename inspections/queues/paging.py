"""Numbered pages of a queue without COUNT(*), cheap at any depth.

A page first reads only its row ids (the index that sorts the queue answers that
alone), then the rows themselves with everything they show, by id. One row more
than the page size tells whether a next page exists, so no page counts the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

PAGE_SIZE = 50
# Deeper than this nobody pages by hand: narrow the filters (or use the API's cursor).
MAX_PAGE = 100_000


@dataclass
class QueuePage:
    """One page of a queue: its rows in queue order, and whether more follow."""

    number: int
    size: int
    rows: list = field(default_factory=list)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def queue_page(filtered: QuerySet, rows: QuerySet, number, *, size: int = PAGE_SIZE) -> QueuePage:
    """Page ``number`` of ``filtered`` (sorted), its rows read from ``rows`` by id."""
    page = QueuePage(number=page_number(number), size=size)
    offset = (page.number - 1) * size
    ids = list(filtered.values_list("pk", flat=True)[offset : offset + size + 1])
    page.has_next = len(ids) > size
    ids = ids[:size]
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
    page.rows = [found[pk] for pk in ids if pk in found]
    return page
