"""Service desk bits of the console's templates: "due in / breached by" badges, the ticket table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from aftersales.console import ticket_table as tables
from aftersales.service.models import SlaClock, SlaClockStatus
from aftersales.service.sla import sla_status_text
from aftersales.service.templatetags.sla import sla_due, sla_state

register = template.Library()

# A target closer than this is shown as at risk.
SOON = dt.timedelta(hours=1)


@register.simple_tag
def ticket_table(tickets: Any, *, show_age: bool = False, selectable: bool = False) -> SafeString:
    """Show a page of ticket rows (``TicketRowList``) as the console's ticket table."""
    return tables.ticket_table(tickets, show_age=bool(show_age), selectable=bool(selectable))


def _badge(text: str, state: str) -> dict[str, str]:
    return {"text": text, "state": state}


@register.inclusion_tag("console/tickets/_sla.html")
def sla_badge(ticket: Any) -> dict[str, str]:
    """Show the ticket's next target (from ``tickets_with_sla``): due in, breached by, or paused; at risk within the hour."""
    state = sla_state(ticket) or "none"
    if state == "due":
        state = "soon" if ticket.sla_due_at - timezone.now() <= SOON else "ok"
    return _badge(sla_due(ticket), state)


@register.inclusion_tag("console/tickets/_sla.html")
def clock_badge(clock: SlaClock) -> dict[str, str]:
    """Show one SLA clock: met, breached, paused or how long is left."""
    now = timezone.now()
    if clock.status == SlaClockStatus.MET:
        return _badge(str(SlaClockStatus.MET.label), "met")
    if clock.status == SlaClockStatus.PAUSED:
        return _badge(sla_status_text(due_at=None, breached=False, paused=True, now=now), "paused")
    if clock.stopped_at is not None:
        return _badge(str(SlaClockStatus(clock.status).label), "breached")
    breached = clock.status == SlaClockStatus.BREACHED or clock.due_at <= now
    text = sla_status_text(due_at=clock.due_at, breached=breached, paused=False, now=now)
    if breached:
        return _badge(text, "breached")
    return _badge(text, "soon" if clock.due_at - now <= SOON else "ok")
