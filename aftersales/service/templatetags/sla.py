"""Template filters for SLA targets in lists: ``{% load sla %}`` then ``{{ ticket|sla_due }}``.

They read the annotations of ``aftersales.service.sla.tickets_with_sla`` and write in the active language.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from aftersales.service.sla import sla_status_text

register = template.Library()


@register.filter
def sla_due(ticket: Any) -> str:
    """Return "due in 2 h 10 min", "breached by 35 min", "paused" or "" for an annotated ticket."""
    return sla_status_text(
        due_at=getattr(ticket, "sla_due_at", None),
        breached=bool(getattr(ticket, "sla_breached", False)),
        paused=bool(getattr(ticket, "sla_paused", False)),
    )


@register.filter
def sla_state(ticket: Any) -> str:
    """Return "breached", "due" or "paused" (for a CSS class), or "" when the ticket has no live target."""
    due_at = getattr(ticket, "sla_due_at", None)
    if due_at is not None and (getattr(ticket, "sla_breached", False) or due_at <= timezone.now()):
        return "breached"
    if due_at is not None:
        return "due"
    return "paused" if getattr(ticket, "sla_paused", False) else ""
