"""What the service desk does when its own tickets change: outgoing webhooks after commit."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from aftersales.service.models import Ticket
from aftersales.service.signals import ticket_committed
from aftersales.service.webhooks import webhook_deliveries_create


@receiver(ticket_committed, sender=Ticket, dispatch_uid="aftersales.service.webhooks")
def ticket_committed_webhooks(sender: Any, ticket: Ticket, change: str, actor: Any, data: dict[str, Any], **kwargs: Any) -> None:
    webhook_deliveries_create(ticket=ticket, change=change, data=data)
