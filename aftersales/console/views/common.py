"""Pieces every console screen uses: pages of a list and timeline rows (with links to their message and task)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe, event_label
from aftersales.followup.selectors import touches_links

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
    # Where the event leads: (what, address) pairs such as the message it sent or the task it made.
    links: tuple[tuple[str, str], ...] = ()


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _event_links(user: Any, events: list[TimelineEvent]) -> dict[int, tuple[tuple[str, str], ...]]:
    """Return, per event, links to the message and the follow-up task it concerns, as far as the user may open them."""
    touch_ids = [touch for event in events if (touch := _number((event.data or {}).get("touch_id")))]
    touches = touches_links(touch_ids) if touch_ids else {}
    may_read_messages = user.has_perm("messaging.view_message")
    may_read_tasks = user.has_perm("followup.view_stafftask")
    found = {}
    for event in events:
        data = event.data or {}
        touch = touches.get(_number(data.get("touch_id")) or 0)
        message_id = _number(data.get("message_id")) or (touch.message_id if touch else None)
        task_id = _number(data.get("task_id")) or (touch.task_id if touch else None)
        links = []
        if message_id and may_read_messages:
            links.append((gettext("Message"), reverse("console:message", args=[message_id])))
        if task_id and may_read_tasks:
            links.append((gettext("Task"), reverse("console:followup_task", args=[task_id])))
        found[event.pk] = tuple(links)
    return found


def timeline_page(request: HttpRequest, events: Any) -> tuple[Page, list[TimelineRow]]:
    """Return a page of events, newest first, with their label, sentence and links in the active language."""
    page = page_of(request, events, per_page=EVENTS_PER_PAGE, param="events")
    links = _event_links(request.user, list(page))
    return page, [TimelineRow(event, event_label(event), event_describe(event), links[event.pk]) for event in page]


def form_ticket(request: HttpRequest, form: Any, field: str = "ticket") -> Any:
    """Return the ticket a form names by number, if the user may see it; otherwise add the field's error."""
    from aftersales.service.selectors import tickets_visible_to

    number = form.cleaned_data.get(field)
    if not number:
        return None
    ticket = tickets_visible_to(request.user).filter(number=number).first()
    if ticket is None:
        form.add_error(field, gettext("No such ticket."))
    return ticket


def refused(request: HttpRequest, failure: ValidationFailed | Conflict) -> None:
    """Tell the user why a service refused an action: each field error with its field, or the conflict."""
    if isinstance(failure, ValidationFailed):
        messages.error(request, "; ".join(f"{error.field}: {error.reason}" for error in failure.errors))
    else:
        messages.error(request, str(failure.message))
