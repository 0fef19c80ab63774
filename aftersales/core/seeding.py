"""Helpers for data migrations that give seeded records their Spanish text."""

from __future__ import annotations

from typing import Any


def seeded_translate(queryset: Any, *, field: str, english: str, spanish: str) -> int:
    """Set the Spanish twin of a text on the rows that still carry the seeded English text and no Spanish.

    A row the company renamed (its English text differs) or already translated keeps what it has. The
    update leaves `updated_at` alone: a translation shipped by an upgrade is not an edit by anyone.
    """
    return queryset.filter(**{field: english, f"{field}_es": ""}).update(**{f"{field}_es": spanish})
