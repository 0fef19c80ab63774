"""Ticket email to customers: the acknowledgement of a new ticket and every public reply, through the outbox.

Each email goes through :func:`aftersales.messaging.services.message_enqueue` (channel email, purpose
transactional, one idempotency key per ticket message), so retries, delivery states and the timeline
are the outbox's. What this module adds is the service desk's part: the template (in the customer's
language), the ticket reference in the subject, threading headers built from the ticket's conversation
(``Message-ID`` stored on the ticket message, ``In-Reply-To``, ``References``), ``Reply-To`` the queue's
mailbox, and the reply's attachments. Internal notes never reach this module.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import zoneinfo
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersales.core.errors import ValidationFailed
from aftersales.messaging.backends import EmailAttachment, sender_domain
from aftersales.messaging.models import Message, MessageChannel, Purpose
from aftersales.messaging.rules import customer_zone
from aftersales.messaging.services import message_enqueue
from aftersales.service.models import OutgoingKind, OutgoingMail, Ticket, TicketMessage, Visibility
from aftersales.service.services.common import event_write

logger = logging.getLogger(__name__)

ACKNOWLEDGEMENT_TEMPLATE = "ticket_acknowledgement"
REPLY_TEMPLATE = "ticket_reply"
# References keeps the first message of the thread and the latest ones (RFC 5322 allows trimming the middle).
MAX_REFERENCES = 20


def acknowledgement_key(ticket: Ticket) -> str:
    """Return the outbox idempotency key of a ticket's acknowledgement."""
    return f"ticket_acknowledgement:{ticket.pk}"


def reply_key(message: TicketMessage) -> str:
    """Return the outbox idempotency key of the email carrying a ticket message."""
    return f"ticket_message:{message.pk}"


def first_response_due(ticket: Ticket) -> dt.datetime:
    """Return when the customer may expect a first answer: the due time of the ticket's first-response SLA clock,
    or, without one, ``SERVICE_FIRST_RESPONSE_HOURS`` after the ticket opened."""
    # The SLA clocks belong to this app but arrive with the SLA capability; until then the setting answers.
    clock_model: Any = apps.all_models["service"].get("slaclock")
    if clock_model is not None:
        due = (
            clock_model._default_manager.filter(ticket_id=ticket.pk, metric="first_response", stopped_at__isnull=True)
            .order_by("tier")
            .values_list("due_at", flat=True)
            .first()
        )
        if due is not None:
            return due
    return ticket.created_at + dt.timedelta(hours=settings.SERVICE_FIRST_RESPONSE_HOURS)


def _local(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    # Templates format what they get; a wall-clock time in the customer's zone is what they should read.
    return moment.astimezone(zone).replace(tzinfo=None)


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    """Return what a ticket email template may know about the ticket."""
    return {
        "reference": ticket.reference,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "kind": ticket.kind,
    }


def thread_message_ids(ticket: Ticket, *, before: TicketMessage | None = None) -> list[str]:
    """Return the Message-IDs of a ticket's email conversation, oldest first: customer mail, replies, the acknowledgement."""
    stamped: list[tuple[dt.datetime, int, str]] = []
    messages = TicketMessage.objects.filter(ticket=ticket, visibility=Visibility.PUBLIC).exclude(message_id="")
    if before is not None:
        messages = messages.exclude(pk=before.pk).filter(created_at__lte=before.created_at)
    stamped.extend((created, 1, value) for created, value in messages.values_list("created_at", "message_id"))
    acknowledgements = OutgoingMail.objects.filter(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    stamped.extend((created, 0, value) for created, value in acknowledgements.values_list("created_at", "message_id"))
    seen: set[str] = set()
    ordered = []
    for _created, _order, value in sorted(stamped):
        if value not in seen:
            seen.add(value)
            ordered.append(value)
    return ordered


def references_trim(ids: list[str]) -> list[str]:
    """Return at most MAX_REFERENCES ids: the thread's first and its latest."""
    if len(ids) <= MAX_REFERENCES:
        return ids
    return [ids[0], *ids[-(MAX_REFERENCES - 1) :]]


def _reply_parent(ticket: Ticket, message: TicketMessage, thread: list[str]) -> str:
    """Return the Message-ID a reply answers: the customer's latest email, else the latest email of the thread."""
    latest_customer = (
        TicketMessage.objects.filter(ticket=ticket, author_customer__isnull=False, created_at__lte=message.created_at)
        .exclude(message_id="")
        .exclude(pk=message.pk)
        .order_by("-created_at", "-pk")
        .values_list("message_id", flat=True)
        .first()
    )
    return latest_customer or (thread[-1] if thread else "")


def message_id_new(ticket: Ticket) -> str:
    """Return a new Message-ID for a ticket email: random, so nobody can guess one to thread mail into a ticket."""
    return f"<{secrets.token_hex(16)}.{ticket.number}@{sender_domain()}>"


def _headers(ticket: Ticket, *, in_reply_to: str = "", references: list[str] | None = None) -> dict[str, str]:
    headers: dict[str, str] = {"Message-ID": message_id_new(ticket)}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    if ticket.queue.email_address:
        headers["Reply-To"] = ticket.queue.email_address
    return headers


def _enqueue(
    ticket: Ticket, *, actor: Any, template_code: str, key: str, context: dict[str, Any], **extra: Any
) -> Message | None:
    """Queue a ticket email; a refusal (no such template…) is logged and written on the ticket, never raised."""
    try:
        with transaction.atomic():
            return message_enqueue(
                actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
                customer=ticket.customer,
                template_code=template_code,
                channel=MessageChannel.EMAIL,
                purpose=Purpose.TRANSACTIONAL,
                context=context,
                idempotency_key=key,
                unit=ticket.unit,
                **extra,
            )
    except ValidationFailed as failed:
        reasons = "; ".join(f"{error.field}: {error.reason}" for error in failed.errors)
        logger.error("Ticket %s: the %s email could not be queued (%s).", ticket.reference, template_code, reasons)
        event_write(
            ticket, "mail_not_queued", data={"template": template_code, "errors": [error.field for error in failed.errors]}
        )
        return None


def acknowledgement_wanted(ticket: Ticket) -> bool:
    """Return whether a new ticket gets an acknowledgement: its channel asks for one, none went yet, no flood."""
    if ticket.channel not in settings.SERVICE_MAIL_ACKNOWLEDGE_CHANNELS:
        return False
    if OutgoingMail.objects.filter(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT).exists():
        return False
    # A sender we did not recognise as automatic can still loop with us: cap acknowledgements per customer.
    recent = OutgoingMail.objects.filter(
        ticket__customer_id=ticket.customer_id,
        kind=OutgoingKind.ACKNOWLEDGEMENT,
        created_at__gte=timezone.now() - dt.timedelta(hours=1),
    ).count()
    return recent < settings.SERVICE_MAIL_ACKNOWLEDGE_PER_HOUR


@transaction.atomic
def ticket_acknowledge(*, ticket: Ticket) -> OutgoingMail | None:
    """Email the customer that their request arrived, with its reference and when to expect an answer; once per ticket."""
    # NO KEY UPDATE: one acknowledgement at a time per ticket, without holding up a new ticket that refers
    # to this one (a repeat contact) while the customer's row is locked for the outbox.
    ticket = (
        Ticket.objects.select_for_update(of=("self",), no_key=True).select_related("customer", "queue", "unit").get(pk=ticket.pk)
    )
    if not acknowledgement_wanted(ticket):
        return None
    due = first_response_due(ticket)
    zone = customer_zone(ticket.customer.time_zone)
    context = {
        "ticket": ticket_data(ticket),
        "response_due": _local(due, zone),
        "response_hours": max(1, round((due - ticket.created_at).total_seconds() / 3600)),
        "queue": ticket.queue.name,
    }
    first_message = ticket.messages.filter(author_customer__isnull=False).exclude(message_id="").order_by("pk").first()
    parent = first_message.message_id if first_message is not None else ""
    outbox = _enqueue(
        ticket,
        actor=None,
        template_code=ACKNOWLEDGEMENT_TEMPLATE,
        key=acknowledgement_key(ticket),
        context=context,
        headers=_headers(ticket, in_reply_to=parent, references=[parent] if parent else None),
    )
    if outbox is None:
        return None
    try:
        with transaction.atomic():
            outgoing = OutgoingMail.objects.create(
                ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT, outbox=outbox, message_id=outbox.email_message_id
            )
    except IntegrityError:
        return OutgoingMail.objects.get(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    event_write(ticket, "mail_acknowledged", data={"outbox_id": outbox.pk, "status": outbox.status, "due_at": due.isoformat()})
    return outgoing


@transaction.atomic
def ticket_message_email(*, message: TicketMessage, status: str = "") -> OutgoingMail | None:
    """Email a public staff reply to the customer, threaded under the conversation, with its files; notes never go.

    ``status`` is where the reply leaves the ticket when that is not written yet (the reply's own signal).
    """
    message = TicketMessage.objects.select_related("ticket__customer", "ticket__queue", "ticket__unit", "author_user").get(
        pk=message.pk
    )
    if message.visibility != Visibility.PUBLIC or message.author_customer_id is not None:
        return None
    existing = OutgoingMail.objects.filter(ticket_message=message).first()
    if existing is not None:
        return existing
    ticket = message.ticket
    thread = thread_message_ids(ticket, before=message)
    parent = _reply_parent(ticket, message, thread)
    references = references_trim(thread)
    agent = message.author_user
    context = {
        "ticket": {**ticket_data(ticket), "status": status or ticket.status},
        "reply": message.body,
        "agent": {"name": agent.get_full_name() or agent.get_username(), "first_name": agent.first_name} if agent else {},
        "queue": ticket.queue.name,
    }
    attachments = [
        EmailAttachment(path=attachment.file.name or "", name=attachment.file_name, content_type=attachment.content_type)
        for attachment in message.attachments.all()
    ]
    outbox = _enqueue(
        ticket,
        actor=agent,
        template_code=REPLY_TEMPLATE,
        key=reply_key(message),
        context=context,
        headers=_headers(ticket, in_reply_to=parent, references=references),
        attachments=attachments,
    )
    if outbox is None:
        return None
    TicketMessage.objects.filter(pk=message.pk).update(
        message_id=outbox.email_message_id, in_reply_to=parent[:255], references=" ".join(references)
    )
    return OutgoingMail.objects.create(
        ticket=ticket, ticket_message=message, kind=OutgoingKind.REPLY, outbox=outbox, message_id=outbox.email_message_id
    )
