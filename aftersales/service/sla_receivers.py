"""The SLA clocks follow every ticket change (inside its transaction); the sweep runs every minute."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from aftersales.core.tick import sweep_register
from aftersales.service.models import Ticket
from aftersales.service.signals import ticket_changed
from aftersales.service.sla import sla_sweep, sla_ticket_changed


@receiver(ticket_changed, sender=Ticket, dispatch_uid="aftersales.service.sla_clocks")
def ticket_changed_sla(sender: Any, ticket: Ticket, change: str, actor: Any, data: dict[str, Any], **kwargs: Any) -> None:
    sla_ticket_changed(ticket=ticket, change=change, data=data)


@sweep_register("service.sla_due", every=dt.timedelta(minutes=1))
def sla_due() -> dict[str, int]:
    """Record due SLA warnings and breaches once and hand their escalation to the workers."""
    return sla_sweep()
