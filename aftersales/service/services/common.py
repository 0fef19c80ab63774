"""What every ticket write shares: locking, the event row, the timeline entry and the two signals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from aftersales.core.models import User
from aftersales.core.timeline import timeline_record
from aftersales.service.models import Ticket, TicketEvent
from aftersales.service.signals import ticket_changed, ticket_committed


def person(actor: Any) -> User | None:
    """Return the actor as a user to store, or None for the system and anonymous callers."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk else None


def ticket_lock(ticket: Ticket) -> Ticket:
    """Return the ticket re-read under a row lock, so concurrent changes apply one after the other."""
    # Only the ticket row is locked; unit and assignee are outer joins, which PostgreSQL cannot lock.
    return (
        Ticket.objects.select_for_update(of=("self",), no_key=True)
        .select_related("customer", "unit", "queue", "assignee")
        .get(pk=ticket.pk)
    )


def event_write(ticket: Ticket, kind: str, *, actor: Any = None, data: Mapping[str, Any] | None = None) -> TicketEvent:
    """Append an event to a ticket's history."""
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=person(actor), data=dict(data or {}))


def timeline_write(ticket: Ticket, kind: str, *, actor: Any = None, data: Mapping[str, Any] | None = None) -> None:
    """Put a ticket fact on the customer's timeline (and the unit's, when the ticket is about one)."""
    timeline_record(
        customer=ticket.customer,
        unit=ticket.unit,
        kind=kind,
        actor=person(actor),
        data={"ticket_id": ticket.pk, "reference": ticket.reference, **(data or {})},
    )


def changed(ticket: Ticket, change: str, *, actor: Any = None, data: Mapping[str, Any] | None = None) -> None:
    """Tell receivers about a change now (inside the transaction) and again once it is committed."""
    payload = dict(data or {})
    ticket_changed.send(sender=Ticket, ticket=ticket, change=change, actor=person(actor), data=payload)
    ticket_id = ticket.pk
    stored_actor = person(actor)

    def after_commit() -> None:
        committed = Ticket.objects.filter(pk=ticket_id).select_related("customer", "unit", "queue", "assignee").first()
        if committed is not None:
            ticket_committed.send(sender=Ticket, ticket=committed, change=change, actor=stored_actor, data=payload)

    transaction.on_commit(after_commit)
