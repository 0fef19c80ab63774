"""Pieces every console screen uses: pages of a list and timeline rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe, event_label

PER_PAGE = 25
EVENTS_PER_PAGE = 20


def page_of(request: HttpRequest, items: Any, *, per_page: int = PER_PAGE, param: str = "page") -> Page:
    """Return the requested page of a list (the last one when the number is too high)."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


@dataclass(frozen=True)
class TimelineRow:
    event: TimelineEvent
    label: str
    description: str


def timeline_page(request: HttpRequest, events: Any) -> tuple[Page, list[TimelineRow]]:
    """Return a page of events, newest first, with their label and sentence in the active language."""
    page = page_of(request, events, per_page=EVENTS_PER_PAGE, param="events")
    return page, [TimelineRow(event, event_label(event), event_describe(event)) for event in page]
