"""Ticket email follows ticket changes: public replies are queued with the reply, acknowledgements after commit."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from aftersales.service.mail_out import ticket_acknowledge, ticket_message_email
from aftersales.service.models import Ticket, TicketMessage
from aftersales.service.signals import Change, ticket_changed, ticket_committed

logger = logging.getLogger(__name__)


@receiver(ticket_changed, sender=Ticket, dispatch_uid="aftersales.service.mail.reply")
def ticket_changed_reply_email(sender: Any, ticket: Ticket, change: str, data: dict[str, Any], **kwargs: Any) -> None:
    # Inside the reply's transaction: the reply and its outbox row commit together or not at all.
    if change == Change.PUBLIC_REPLY and data.get("message_id"):
        ticket_message_email(message=TicketMessage(pk=data["message_id"]), status=data.get("status") or "")


@receiver(ticket_committed, sender=Ticket, dispatch_uid="aftersales.service.mail.acknowledgement")
def ticket_committed_acknowledge(sender: Any, ticket: Ticket, change: str, **kwargs: Any) -> None:
    # After commit, so the ticket (and its SLA clocks) are settled; the ticket stands even if this fails.
    if change != Change.CREATED:
        return
    try:
        ticket_acknowledge(ticket=ticket)
    except Exception:
        logger.exception("Ticket %s: the acknowledgement could not be queued.", ticket.reference)
