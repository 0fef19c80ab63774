"""Agents' shortcuts: macros, bulk actions, logging a call or a visit, call-backs and canned replies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, NotFound, ValidationFailed, interpolate, one_of
from aftersales.core.models import User
from aftersales.core.services import notification_send
from aftersales.customers.models import Customer
from aftersales.messaging.sandbox import render
from aftersales.sales.models import Unit
from aftersales.service.models import (
    Callback,
    CannedReply,
    Macro,
    Ticket,
    TicketChannel,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from aftersales.service.services.common import changed, event_write, person, ticket_lock
from aftersales.service.services.tickets import (
    _assign_apply,
    _assignee_check,
    _status_apply,
    _status_check,
    _writable,
    ticket_apply_changes,
    ticket_customer_reply,
    ticket_merge,
    ticket_note,
    ticket_open,
    ticket_path,
    ticket_reply,
)
from aftersales.service.signals import Change

# Most tickets one bulk action may change at once.
MAX_BULK = 500


class BulkAction:
    ASSIGN = "assign"
    MERGE = "merge"
    CLOSE = "close"
    CHOICES = (ASSIGN, MERGE, CLOSE)


def canned_context(*, ticket: Ticket, actor: Any = None) -> dict[str, Any]:
    """Return the variables a canned reply may use about a ticket, as plain values."""
    customer = ticket.customer
    unit = ticket.unit
    agent = person(actor)
    return {
        "customer_name": customer.name,
        "customer_first_name": customer.name.split()[0] if customer.name.split() else customer.name,
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "queue_name": ticket.queue.name,
        "agent_name": (agent.get_full_name() or agent.username) if agent is not None else "",
        "agent_first_name": agent.first_name if agent is not None else "",
        "unit_serial": unit.serial if unit is not None else "",
        "product_name": unit.product.display_name(ticket.language) if unit is not None else "",
    }


def canned_reply_render(*, canned_reply: CannedReply, ticket: Ticket, actor: Any = None) -> str:
    """Return a canned reply's text in the ticket's language with its variables filled in (sandboxed)."""
    source = canned_reply.body_for(ticket.language)
    rendered = render(subject="", body=source, context=canned_context(ticket=ticket, actor=actor), language=ticket.language)
    return rendered.body.strip()


@transaction.atomic
def macro_apply(*, actor: User, ticket: Ticket, macro: Macro) -> Ticket:
    """Apply a macro: move, assign, set priority, add tags, reply with its canned reply, then set its status."""
    ticket = ticket_lock(ticket)
    if not macro.active:
        raise ValidationFailed(errors=[FieldError(field="macro", reason=_("is not active"))])
    _writable(ticket)
    if macro.status:
        _status_check(ticket, macro.status, field="macro")
    if macro.assignee is not None:
        _assignee_check(macro.assignee, field="macro")
    if macro.queue is not None and not macro.queue.active:
        raise ValidationFailed(errors=[FieldError(field="macro", reason=_("moves to a queue that is not active"))])
    event_write(ticket, TicketEventKind.MACRO, actor=actor, data={"macro": macro.pk, "name": macro.name})
    ticket_apply_changes(
        ticket,
        actor=actor,
        queue=macro.queue,
        assignee=macro.assignee,
        priority=macro.priority,
        add_tags=list(macro.tags.values_list("name", flat=True)),
    )
    if macro.canned_reply is not None and macro.canned_reply.active:
        body = canned_reply_render(canned_reply=macro.canned_reply, ticket=ticket, actor=actor)
        ticket_reply(actor=actor, ticket=ticket, body=body, status=macro.status or None)
    elif macro.status:
        _status_apply(ticket, macro.status, actor=actor, reason="macro")
    return ticket_lock(ticket)


@transaction.atomic
def tickets_bulk(
    *,
    actor: User,
    ticket_ids: Sequence[int],
    action: str,
    assignee: User | None = None,
    target: Ticket | None = None,
    body: str = "",
    status: str = TicketStatus.CLOSED,
) -> list[Ticket]:
    """Apply one action to many tickets at once, all or nothing: assign, merge into a target, close with a reply.

    ``ticket_ids`` must already be limited to what the actor may see (the API and console do it).
    """
    errors: list[FieldError] = []
    if action not in BulkAction.CHOICES:
        errors.append(FieldError(field="action", reason=one_of(BulkAction.CHOICES)))
    ids = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    if not ids:
        errors.append(FieldError(field="ticket_ids", reason=_("choose at least one ticket"), code="required"))
    elif len(ids) > MAX_BULK:
        errors.append(FieldError(field="ticket_ids", reason=interpolate(_("at most %(count)s tickets at once"), count=MAX_BULK)))
    if action == BulkAction.MERGE and target is None:
        errors.append(FieldError(field="target", reason=_("is required to merge"), code="required"))
    if action == BulkAction.CLOSE and status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        errors.append(FieldError(field="status", reason=one_of([TicketStatus.RESOLVED, TicketStatus.CLOSED])))
    if errors:
        raise ValidationFailed(errors=errors)
    if action == BulkAction.ASSIGN:
        _assignee_check(assignee)
    tickets = list(Ticket.objects.filter(pk__in=ids).order_by("pk"))
    missing = set(ids) - {ticket.pk for ticket in tickets}
    if missing:
        raise NotFound(interpolate(_("No such ticket: %(ids)s"), ids=", ".join(str(pk) for pk in sorted(missing))))
    done: list[Ticket] = []
    for index, ticket in enumerate(tickets):
        try:
            if action == BulkAction.ASSIGN:
                locked = ticket_lock(ticket)
                _writable(locked)
                ticket_apply_changes(locked, actor=actor, assignee=assignee)
                if assignee is None:
                    _assign_apply(locked, None, actor=actor)
                done.append(locked)
            elif action == BulkAction.MERGE:
                assert target is not None
                if ticket.pk != target.pk:
                    done.append(ticket_merge(actor=actor, source=ticket, target=target))
            else:
                locked = ticket_lock(ticket)
                if locked.status == TicketStatus.CLOSED:
                    continue
                if body.strip():
                    ticket_reply(actor=actor, ticket=locked, body=body, status=status)
                else:
                    _status_apply(locked, status, actor=actor, reason="bulk")
                done.append(locked)
        except ValidationFailed as failed:
            raise ValidationFailed(
                errors=[
                    FieldError(
                        field=f"ticket_ids[{index}]",
                        reason=interpolate(_("%(reference)s: %(reason)s"), reference=ticket.reference, reason=error.reason),
                        code=error.code,
                    )
                    for error in failed.errors
                ]
            ) from failed
    return done


@transaction.atomic
def call_log(
    *,
    actor: User,
    customer: Customer,
    body: str,
    ticket: Ticket | None = None,
    unit: Unit | None = None,
    subject: str = "",
    kind: str = TicketKind.QUESTION,
    channel: str = TicketChannel.PHONE,
    answered: bool = True,
) -> Ticket:
    """Log a phone call or a walk-in: a new ticket, or the customer's words on one of their tickets.

    The person who took the call talked to the customer, so an ``answered`` call counts as the first
    response: the ticket does not wait in the unanswered list for an email reply.
    """
    if channel not in (TicketChannel.PHONE, TicketChannel.IN_PERSON):
        raise ValidationFailed(
            errors=[FieldError(field="channel", reason=one_of([TicketChannel.PHONE, TicketChannel.IN_PERSON]))]
        )
    if ticket is not None:
        if ticket.customer_id != customer.pk:
            raise ValidationFailed(errors=[FieldError(field="ticket", reason=_("belongs to another customer"))])
        message = ticket_customer_reply(ticket=ticket, body=body, channel=channel, recorded_by=actor)
        target = message.ticket
    else:
        summary = " ".join((body or "").split())[:60]
        if not subject.strip() and summary:
            pattern = _("Call: %(summary)s") if channel == TicketChannel.PHONE else _("Visit: %(summary)s")
            # The subject is stored, so it is written in the language of the customer it concerns.
            with translation.override(customer.language):
                subject = str(interpolate(pattern, summary=summary))
        target = ticket_open(
            actor=actor,
            customer=customer,
            subject=subject,
            body=body,
            kind=kind,
            channel=channel,
            unit=unit,
        )
    target = ticket_lock(target)
    if answered and target.first_public_reply_at is None:
        target.first_public_reply_at = timezone.now()
        target.save(update_fields=["first_public_reply_at", "updated_at"])
        event_write(target, TicketEventKind.PUBLIC_REPLY, actor=actor, data={"first": True, "channel": channel})
        changed(target, Change.PUBLIC_REPLY, actor=actor, data={"message_id": None, "first": True, "channel": channel})
    if target.status == TicketStatus.NEW:
        _status_apply(target, TicketStatus.OPEN, actor=actor)
    return target


@transaction.atomic
def callback_schedule(
    *, actor: User, ticket: Ticket, due_at: dt.datetime, assignee: User | None = None, note: str = ""
) -> Callback:
    """Promise the customer a call back by a time; the assignee (the actor by default) is told."""
    errors: list[FieldError] = []
    if timezone.is_naive(due_at):
        errors.append(FieldError(field="due_at", reason=_("must include a time zone, e.g. 2025-06-01T09:00:00+02:00")))
    elif due_at < timezone.now() - dt.timedelta(minutes=5):
        errors.append(FieldError(field="due_at", reason=_("is in the past")))
    if len(note) > 2000:
        errors.append(FieldError(field="note", reason=interpolate(_("is longer than %(limit)s characters"), limit=2000)))
    owner = assignee or actor
    if not (owner.is_active and owner.is_staff):
        errors.append(FieldError(field="assignee", reason=_("must be an active staff member")))
    if errors:
        raise ValidationFailed(errors=errors)
    ticket = ticket_lock(ticket)
    _writable(ticket)
    callback = Callback.objects.create(ticket=ticket, assignee=owner, due_at=due_at, note=note.strip(), created_by=person(actor))
    event_write(
        ticket,
        TicketEventKind.CALLBACK,
        actor=actor,
        data={"callback": callback.pk, "due_at": due_at.isoformat(), "assignee": owner.pk, "done": False},
    )
    if owner.pk != actor.pk:
        notification_send(
            user=owner,
            kind="callback_assigned",
            # The company's local time, as people read it; the call-back row keeps the exact moment.
            data={
                "reference": ticket.reference,
                "customer": ticket.customer.name,
                "due_at": f"{timezone.localtime(due_at):%Y-%m-%d %H:%M}",
            },
            link=ticket_path(ticket),
        )
    return callback


@transaction.atomic
def callback_done(*, actor: User, callback: Callback, note: str = "") -> Callback:
    """Mark a call-back as made, with what was said as an internal note on its ticket."""
    callback = Callback.objects.select_for_update().select_related("ticket").get(pk=callback.pk)
    if callback.done_at is not None:
        raise ValidationFailed(errors=[FieldError(field="callback", reason=_("was already done"), code="done")])
    callback.done_at = timezone.now()
    if note.strip():
        callback.note = f"{callback.note}\n{note.strip()}".strip()
    callback.save(update_fields=["done_at", "note", "updated_at"])
    event_write(callback.ticket, TicketEventKind.CALLBACK, actor=actor, data={"callback": callback.pk, "done": True})
    if note.strip():
        ticket_note(actor=actor, ticket=callback.ticket, body=note)
    return callback
