"""Pages of API lists: a cursor for lists that grow large, numbered pages otherwise.

A cursor page costs the same at any depth (no OFFSET, no COUNT), and stays stable
while rows are added.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class NewestFirstCursor(CursorPagination):
    """Newest first, by creation time then id."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ByIdCursor(NewestFirstCursor):
    """Newest first by id (rows without a creation time)."""

    ordering = ("-id",)


class UploadedCursor(NewestFirstCursor):
    """Most recently uploaded first."""

    ordering = ("-uploaded_at", "-id")
