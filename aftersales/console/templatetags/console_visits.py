"""Template helpers of the visit screens: a unit's history from a mapping, an event as a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe

register = template.Library()


@register.filter
def history_of(histories: Mapping[int, list[TimelineEvent]] | None, unit_id: int) -> list[TimelineEvent]:
    """Return the events kept for a unit (none when the mapping has none)."""
    return list((histories or {}).get(unit_id, []))


@register.filter
def event_sentence(event: TimelineEvent) -> str:
    """Return an event as a sentence in the active language."""
    return event_describe(event)


@register.filter
def step_text(item: Any, language: str) -> str:
    """Return a checklist step in a language, falling back to English."""
    return str(item.display_text(language))


@register.filter
def errors_for(errors: Mapping[str, list[str]] | None, field: str) -> list[str]:
    """Return the reasons a field was refused."""
    return list((errors or {}).get(field, []))
