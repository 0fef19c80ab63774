"""Filters that show a record's name or description in the reader's language: `{{ playbook|name_in:LANGUAGE_CODE }}`."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def name_in(record: Any, language: str) -> str:
    """Return a record's name in a language (its `display_name`), English when it has no Spanish name."""
    return str(record.display_name(language)) if record is not None else ""


@register.filter
def description_in(record: Any, language: str) -> str:
    """Return a record's description in a language (its `display_description`), English when it has none in Spanish."""
    return str(record.display_description(language)) if record is not None else ""
