"""Pagination shared by list endpoints: ``?limit=&offset=`` returning ``{items, count}``."""

from __future__ import annotations

from ninja.pagination import LimitOffsetPagination


class Paged(LimitOffsetPagination):
    """Limit/offset pages; ``limit`` defaults to 50 and is capped at 500."""
