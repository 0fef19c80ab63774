"""Every write to a ticket: opening, replies, notes, status, assignment, priority, queue, tags, merging.

Each service locks the ticket row, writes the change and one ``TicketEvent``, puts what the customer
would recognise on their timeline, and sends ``ticket_changed`` (inside the transaction) and
``ticket_committed`` (after it) — see :mod:`aftersales.service.signals`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import Language, User
from aftersales.core.services import notification_send
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale, Unit
from aftersales.service.models import (
    EscalationTier,
    Queue,
    Tag,
    Ticket,
    TicketChannel,
    TicketEventKind,
    TicketKind,
    TicketMessage,
    TicketNumber,
    TicketPriority,
    TicketStatus,
    Visibility,
)
from aftersales.service.services.attachments import attachments_check, attachments_save
from aftersales.service.services.common import changed, event_write, person, ticket_lock, timeline_write
from aftersales.service.services.routing import Route, assignee_pick, queue_locked, staff_holding, ticket_route
from aftersales.service.signals import Change

MAX_SUBJECT = 200
MAX_BODY = 100_000
MAX_TAG = 50
# Kinds of ticket about which the rep who made the sale is told and follows along.
REP_FOLLOWS_KINDS = (TicketKind.COMPLAINT, TicketKind.CLAIM)


def ticket_path(ticket: Ticket) -> str:
    """Return the console path of a ticket (used in notifications)."""
    return f"/tickets/{ticket.number}/"


def _text_check(errors: list[FieldError], field: str, value: str, *, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.append(FieldError(field=field, reason=_("is required"), code="required"))
    elif len(text) > limit:
        errors.append(FieldError(field=field, reason=interpolate(_("is longer than %(limit)s characters"), limit=limit)))
    return text


def _content_check(
    body: str, attachments: Sequence[Any], errors: list[FieldError] | None = None
) -> tuple[str, list[tuple[Any, str]]]:
    """Return a message's trimmed body and checked files; raise every reason (with earlier ``errors``) at once."""
    errors = errors if errors is not None else []
    text = _text_check(errors, "body", body, limit=MAX_BODY)
    try:
        checked = attachments_check(attachments)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
        checked = []
    if errors:
        raise ValidationFailed(errors=errors)
    return text, checked


def _choice_check(errors: list[FieldError], field: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        errors.append(FieldError(field=field, reason=one_of(choices)))


def _counter_locked() -> TicketNumber:
    """Return the ticket number counter under its row lock: one ticket is numbered at a time."""
    TicketNumber.objects.get_or_create(pk=1)
    return TicketNumber.objects.select_for_update().get(pk=1)


def _number_next(counter: TicketNumber) -> int:
    """Take the next ticket number from the locked counter (numbers are never reused)."""
    # A restored database or an import may already hold higher numbers.
    highest = Ticket.objects.order_by("-number").values_list("number", flat=True).first() or 0
    counter.last = max(counter.last, highest) + 1
    counter.save(update_fields=["last"])
    return counter.last


def _selling_rep(customer: Customer, unit: Unit | None) -> User | None:
    """Return the rep who sold the unit, or the customer's latest sale's rep when there is no unit."""
    if unit is not None:
        sales = Sale.objects.filter(lines__pk=unit.sale_line_id) if unit.sale_line_id else Sale.objects.none()
    else:
        sales = Sale.objects.filter(customer=customer, sales_rep__isnull=False).order_by("-sold_on", "-id")
    sale = sales.select_related("sales_rep").first()
    return sale.sales_rep if sale and sale.sales_rep and sale.sales_rep.is_active else None


def _repeat_origin(*, customer: Customer, unit: Unit | None, before: dt.datetime) -> Ticket | None:
    """Return the latest ticket of the same customer about the same unit (or about none) within the window."""
    since = before - dt.timedelta(days=settings.SERVICE_REPEAT_CONTACT_DAYS)
    earlier = Ticket.objects.filter(customer=customer, created_at__gte=since, created_at__lte=before, merged_into__isnull=True)
    earlier = earlier.filter(unit=unit) if unit is not None else earlier.filter(unit__isnull=True)
    return earlier.order_by("-created_at", "-id").first()


def _assignee_notify(ticket: Ticket, assignee: User | None, actor: Any) -> None:
    if assignee is not None and (person(actor) is None or assignee.pk != actor.pk):
        notification_send(
            user=assignee,
            kind="ticket_assigned",
            data={"reference": ticket.reference, "subject": ticket.subject},
            link=ticket_path(ticket),
        )


def _message_add(
    ticket: Ticket,
    *,
    body: str,
    visibility: str,
    channel: str,
    author_user: Any = None,
    author_customer: Customer | None = None,
    checked: Sequence[tuple[Any, str]] = (),
    message_id: str = "",
    in_reply_to: str = "",
) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket,
        author_user=person(author_user),
        author_customer=author_customer,
        visibility=visibility,
        body=body,
        channel=channel,
        message_id=(message_id or "")[:255],
        in_reply_to=(in_reply_to or "")[:255],
    )
    _attachments_add(ticket, message, checked, actor=author_user)
    return message


def _attachments_add(ticket: Ticket, message: TicketMessage, checked: Sequence[tuple[Any, str]], *, actor: Any) -> None:
    for attachment in attachments_save(message=message, checked=checked):
        event_write(
            ticket,
            TicketEventKind.ATTACHMENT,
            actor=actor,
            data={"attachment_id": attachment.pk, "file_name": attachment.file_name, "message_id": message.pk},
        )


@transaction.atomic
def ticket_open(
    *,
    actor: Any,
    customer: Customer,
    subject: str,
    body: str,
    kind: str,
    channel: str,
    unit: Unit | None = None,
    priority: str | None = None,
    attachments: Sequence[Any] = (),
    language: str | None = None,
    message_id: str = "",
    idempotency_key: str | None = None,
    queue: Queue | None = None,
) -> Ticket:
    """Open a ticket for a customer: route it to a queue, assign an agent, link a repeat contact, bring in the selling rep.

    A retry with the same idempotency key returns the ticket the first call opened. A given queue (the
    mailbox's the mail came to) takes the ticket instead of the routing rules.
    """
    key = (idempotency_key or "").strip() or None
    if key is not None:
        existing = Ticket.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise Conflict(_("This idempotency key was already used for another customer's ticket."))
            return existing
    errors: list[FieldError] = []
    subject = _text_check(errors, "subject", subject, limit=MAX_SUBJECT)
    _choice_check(errors, "kind", kind, TicketKind.values)
    _choice_check(errors, "channel", channel, TicketChannel.values)
    _choice_check(errors, "priority", priority, TicketPriority.values)
    _choice_check(errors, "language", language, Language.values)
    if unit is not None and unit.customer_id != customer.pk:
        errors.append(FieldError(field="unit", reason=_("belongs to another customer")))
    if key is not None and len(key) > 200:
        errors.append(
            FieldError(field="idempotency_key", reason=interpolate(_("is longer than %(limit)s characters"), limit=200))
        )
    body, checked = _content_check(body, attachments, errors)

    language = language or customer.language or Language.ENGLISH
    if queue is not None and queue.active:
        route = Route(queue=queue, priority="", rule=None)
    else:
        route = ticket_route(kind=kind, channel=channel, language=language, unit=unit)
    queue = queue_locked(route.queue)
    counter = _counter_locked()
    if key is not None and (existing := Ticket.objects.filter(idempotency_key=key).first()) is not None:
        # A simultaneous retry with the same key waited for the counter while the first call opened the ticket.
        return existing
    now = timezone.now()
    origin = _repeat_origin(customer=customer, unit=unit, before=now)
    ticket = Ticket(
        number=_number_next(counter),
        subject=subject,
        kind=kind,
        channel=channel,
        customer=customer,
        unit=unit,
        priority=priority or route.priority or TicketPriority.NORMAL,
        queue=queue,
        department_id=queue.department_id,
        status=TicketStatus.NEW,
        language=language,
        last_customer_message_at=now,
        repeat_of=origin,
        is_repeat=origin is not None,
        created_by=person(actor),
        idempotency_key=key,
        created_at=now,
    )
    ticket.assignee = assignee_pick(queue=queue, language=language, at=now)
    try:
        with transaction.atomic():
            ticket.save(force_insert=True)
    except IntegrityError:
        if key is not None and Ticket.objects.filter(idempotency_key=key).exists():
            # Another request with the same key won the race: theirs is the ticket.
            return Ticket.objects.get(idempotency_key=key)
        raise

    message = _message_add(
        ticket,
        body=body,
        visibility=Visibility.PUBLIC,
        channel=channel,
        author_user=actor if person(actor) is not None and actor.is_staff else None,
        author_customer=customer,
        message_id=message_id,
    )
    event_write(
        ticket,
        TicketEventKind.CREATED,
        actor=actor,
        data={
            "channel": channel,
            "kind": kind,
            "queue": queue.pk,
            "priority": ticket.priority,
            "rule": route.rule.pk if route.rule else None,
            "message_id": message.pk,
        },
    )
    _attachments_add(ticket, message, checked, actor=actor)
    if ticket.assignee is not None:
        event_write(
            ticket, TicketEventKind.ASSIGNED, actor=None, data={"from": None, "to": ticket.assignee.pk, "automatic": True}
        )
    if origin is not None:
        event_write(ticket, TicketEventKind.REPEAT, actor=None, data={"repeat_of": origin.pk, "reference": origin.reference})
    timeline_write(ticket, "ticket_opened", actor=actor, data={"kind": kind, "channel": channel, "subject": subject})

    if kind in REP_FOLLOWS_KINDS:
        rep = _selling_rep(customer, unit)
        if rep is not None:
            ticket.followers.add(rep)
            event_write(ticket, TicketEventKind.FOLLOWERS, actor=None, data={"user": rep.pk, "following": True, "reason": "rep"})
            notification_send(
                user=rep,
                kind="ticket_rep_follower",
                data={"reference": ticket.reference, "subject": subject, "customer": customer.name, "kind": kind},
                link=ticket_path(ticket),
            )
    _assignee_notify(ticket, ticket.assignee, actor)
    changed(ticket, Change.CREATED, actor=actor, data={"message_id": message.pk, "repeat_of": origin.pk if origin else None})
    return ticket


def _status_apply(ticket: Ticket, status: str, *, actor: Any, reason: str = "") -> bool:
    """Move a locked ticket to a status with its event, timeline entry and signal; return whether it changed."""
    previous = ticket.status
    if status == previous:
        return False
    now = timezone.now()
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        if ticket.resolved_at is None:
            ticket.resolved_at = now
            fields.append("resolved_at")
    elif previous in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket.resolved_at = None
        fields.append("resolved_at")
    ticket.save(update_fields=fields)
    data = {"from": previous, "to": status}
    if reason:
        data["reason"] = reason
    event_write(ticket, TicketEventKind.STATUS, actor=actor, data=data)
    if status == TicketStatus.RESOLVED:
        timeline_write(ticket, "ticket_resolved", actor=actor)
    else:
        timeline_write(ticket, "ticket_status", actor=actor, data={"status": status})
    changed(ticket, Change.STATUS, actor=actor, data=data)
    return True


def _status_check(ticket: Ticket, status: str, *, field: str = "status") -> None:
    if status not in TicketStatus.values:
        raise ValidationFailed(errors=[FieldError(field=field, reason=one_of(TicketStatus.values))])
    if ticket.status == TicketStatus.CLOSED and status != TicketStatus.CLOSED:
        raise ValidationFailed(
            errors=[FieldError(field=field, reason=_("the ticket is closed; open a new one instead"), code="closed")]
        )
    if status == TicketStatus.NEW and ticket.status != TicketStatus.NEW:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("a ticket cannot go back to new"), code="invalid")])


def _writable(ticket: Ticket, field: str = "ticket") -> None:
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("the ticket is closed"), code="closed")])


@transaction.atomic
def ticket_set_status(*, actor: Any, ticket: Ticket, status: str, reason: str = "") -> Ticket:
    """Change a ticket's status; a closed ticket stays closed and nothing goes back to new."""
    ticket = ticket_lock(ticket)
    _status_check(ticket, status)
    _status_apply(ticket, status, actor=actor, reason=reason)
    return ticket


@transaction.atomic
def ticket_reply(
    *, actor: User, ticket: Ticket, body: str, attachments: Sequence[Any] = (), status: str | None = None
) -> TicketMessage:
    """Reply to the customer publicly; the first reply is recorded, an unassigned ticket goes to whoever answers.

    Without a status a new ticket becomes open; with one (``waiting_customer``, ``resolved``…) it moves there.
    """
    ticket = ticket_lock(ticket)
    body, checked = _content_check(body, attachments)
    _writable(ticket)
    if status is not None:
        _status_check(ticket, status)
    # The reply goes out by email (the mail capability sends it); a portal ticket is answered in the portal too.
    channel = TicketChannel.PORTAL if ticket.channel == TicketChannel.PORTAL else TicketChannel.EMAIL
    message = _message_add(ticket, body=body, visibility=Visibility.PUBLIC, channel=channel, author_user=actor, checked=checked)
    first = ticket.first_public_reply_at is None
    if first:
        ticket.first_public_reply_at = message.created_at
        ticket.save(update_fields=["first_public_reply_at", "updated_at"])
    event_write(ticket, TicketEventKind.PUBLIC_REPLY, actor=actor, data={"message_id": message.pk, "first": first})
    timeline_write(ticket, "ticket_replied", actor=actor)
    target = status or (TicketStatus.OPEN if ticket.status == TicketStatus.NEW else None)
    # The reply's email says where the reply leaves the ticket (resolved…), so the signal carries it.
    changed(
        ticket,
        Change.PUBLIC_REPLY,
        actor=actor,
        data={"message_id": message.pk, "first": first, "status": target or ticket.status},
    )
    if ticket.assignee_id is None and person(actor) is not None and actor.is_staff:
        _assign_apply(ticket, actor, actor=actor)
    if target:
        _status_apply(ticket, target, actor=actor)
    return message


@transaction.atomic
def ticket_customer_reply(
    *,
    ticket: Ticket,
    body: str,
    attachments: Sequence[Any] = (),
    channel: str,
    message_id: str = "",
    in_reply_to: str = "",
    recorded_by: User | None = None,
) -> TicketMessage:
    """Add the customer's message to their ticket; a resolved or waiting ticket opens again.

    A message to a merged ticket lands on the ticket it was merged into; one to a closed ticket opens a
    new ticket linked to it. The message returned tells which ticket took it.
    """
    ticket = ticket_lock(ticket)
    while ticket.merged_into_id is not None:
        ticket = ticket_lock(Ticket(pk=ticket.merged_into_id))
    errors: list[FieldError] = []
    _choice_check(errors, "channel", channel, TicketChannel.values)
    body, checked = _content_check(body, attachments, errors)
    if ticket.status == TicketStatus.CLOSED:
        follow_up = ticket_open(
            actor=recorded_by,
            customer=ticket.customer,
            subject=ticket.subject,
            body=body,
            kind=ticket.kind,
            channel=channel,
            unit=ticket.unit,
            attachments=[upload for upload, _kind in checked],
            language=ticket.language,
            message_id=message_id,
        )
        first_message = follow_up.messages.order_by("id").first()
        assert first_message is not None
        return first_message

    message = _message_add(
        ticket,
        body=body,
        visibility=Visibility.PUBLIC,
        channel=channel,
        author_user=recorded_by,
        author_customer=ticket.customer,
        checked=checked,
        message_id=message_id,
        in_reply_to=in_reply_to,
    )
    ticket.last_customer_message_at = message.created_at
    ticket.save(update_fields=["last_customer_message_at", "updated_at"])
    reopened = ticket.status in (TicketStatus.RESOLVED, TicketStatus.WAITING_CUSTOMER)
    event_write(ticket, TicketEventKind.CUSTOMER_REPLY, actor=recorded_by, data={"message_id": message.pk, "channel": channel})
    timeline_write(ticket, "ticket_customer_wrote", actor=recorded_by, data={"channel": channel})
    changed(ticket, Change.CUSTOMER_REPLY, actor=recorded_by, data={"message_id": message.pk, "reopened": reopened})
    if reopened:
        _status_apply(ticket, TicketStatus.OPEN, actor=recorded_by, reason="customer_reply")
    return message


@transaction.atomic
def ticket_note(*, actor: User, ticket: Ticket, body: str, attachments: Sequence[Any] = ()) -> TicketMessage:
    """Add an internal note for staff; the customer never sees it."""
    ticket = ticket_lock(ticket)
    body, checked = _content_check(body, attachments)
    message = _message_add(
        ticket, body=body, visibility=Visibility.INTERNAL, channel=ticket.channel, author_user=actor, checked=checked
    )
    event_write(ticket, TicketEventKind.INTERNAL_NOTE, actor=actor, data={"message_id": message.pk})
    changed(ticket, Change.INTERNAL_NOTE, actor=actor, data={"message_id": message.pk})
    return message


def _assignee_check(assignee: User | None, field: str = "assignee") -> None:
    if assignee is None:
        return
    # Agents work tickets; a technician or a rep may also be given one (a repair, a sales question).
    if not staff_holding("service.view_ticket").filter(pk=assignee.pk).exists():
        raise ValidationFailed(
            errors=[FieldError(field=field, reason=_("must be an active staff member who may see tickets"), code="invalid")]
        )


def _field_apply(
    ticket: Ticket,
    field: str,
    value: Any,
    *,
    actor: Any,
    kind: str,
    change: str,
    extra: dict[str, Any] | None = None,
    also: Sequence[str] = (),
) -> bool:
    """Set one field of a locked ticket with its event and signal (data: from, to); return whether it changed."""
    # A foreign key compares by id (``assignee_id``), a plain field by value.
    before = getattr(ticket, f"{field}_id") if field in ("assignee", "queue") else getattr(ticket, field)
    after = value.pk if isinstance(value, models.Model) else value
    if before == after:
        return False
    setattr(ticket, field, value)
    ticket.save(update_fields=[field, *also, "updated_at"])
    data = {"from": before, "to": after, **(extra or {})}
    event_write(ticket, kind, actor=actor, data=data)
    changed(ticket, change, actor=actor, data=data)
    return True


def _assign_apply(ticket: Ticket, assignee: User | None, *, actor: Any, automatic: bool = False) -> bool:
    extra = {"automatic": True} if automatic else None
    if not _field_apply(
        ticket, "assignee", assignee, actor=actor, kind=TicketEventKind.ASSIGNED, change=Change.ASSIGNED, extra=extra
    ):
        return False
    _assignee_notify(ticket, assignee, actor)
    return True


@transaction.atomic
def ticket_assign(*, actor: Any, ticket: Ticket, assignee: User | None) -> Ticket:
    """Give a ticket to a staff member who works tickets, or to nobody."""
    ticket = ticket_lock(ticket)
    _assignee_check(assignee)
    _writable(ticket)
    _assign_apply(ticket, assignee, actor=actor)
    return ticket


def _priority_apply(ticket: Ticket, priority: str, *, actor: Any) -> bool:
    return _field_apply(ticket, "priority", priority, actor=actor, kind=TicketEventKind.PRIORITY, change=Change.PRIORITY)


@transaction.atomic
def ticket_set_priority(*, actor: Any, ticket: Ticket, priority: str) -> Ticket:
    """Change a ticket's priority (the SLA targets follow it)."""
    ticket = ticket_lock(ticket)
    errors: list[FieldError] = []
    _choice_check(errors, "priority", priority, TicketPriority.values)
    if errors:
        raise ValidationFailed(errors=errors)
    _writable(ticket)
    _priority_apply(ticket, priority, actor=actor)
    return ticket


def _move_apply(ticket: Ticket, queue: Queue, *, actor: Any) -> bool:
    if ticket.queue_id == queue.pk:
        return False
    # The department follows the queue.
    ticket.department_id = queue.department_id
    _field_apply(ticket, "queue", queue, actor=actor, kind=TicketEventKind.QUEUE, change=Change.QUEUE, also=("department",))
    # An assignee from another department no longer sees the ticket: hand it to the new queue's agents.
    if ticket.assignee is not None and ticket.assignee.department_id != queue.department_id:
        locked_queue = queue_locked(queue)
        _assign_apply(ticket, assignee_pick(queue=locked_queue, language=ticket.language), actor=actor, automatic=True)
    return True


@transaction.atomic
def ticket_move(*, actor: Any, ticket: Ticket, queue: Queue) -> Ticket:
    """Move a ticket to another active queue; it belongs to that queue's department from then on."""
    ticket = ticket_lock(ticket)
    if not queue.active:
        raise ValidationFailed(errors=[FieldError(field="queue", reason=_("is not active"))])
    _writable(ticket)
    _move_apply(ticket, queue, actor=actor)
    return ticket


def tag_names_clean(names: Iterable[str], *, field: str = "tags") -> list[str]:
    """Return tag names lower-cased and trimmed, refusing empty or overlong ones."""
    cleaned: list[str] = []
    for index, raw in enumerate(names):
        name = " ".join(str(raw).split()).lower()
        if not name or len(name) > MAX_TAG:
            raise ValidationFailed(
                errors=[
                    FieldError(
                        field=f"{field}[{index}]", reason=interpolate(_("must be 1 to %(limit)s characters"), limit=MAX_TAG)
                    )
                ]
            )
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def _tags_apply(ticket: Ticket, add: Sequence[str], remove: Sequence[str], *, actor: Any) -> bool:
    current = set(ticket.tags.values_list("name", flat=True))
    to_add = [name for name in add if name not in current]
    to_remove = [name for name in remove if name in current and name not in add]
    if not to_add and not to_remove:
        return False
    for name in to_add:
        tag, _created = Tag.objects.get_or_create(name=name)
        ticket.tags.add(tag)
    if to_remove:
        ticket.tags.remove(*Tag.objects.filter(name__in=to_remove))
    data = {"added": to_add, "removed": to_remove}
    event_write(ticket, TicketEventKind.TAGS, actor=actor, data=data)
    changed(ticket, Change.DETAILS, actor=actor, data={"what": "tags", **data})
    return True


@transaction.atomic
def ticket_tag(*, actor: Any, ticket: Ticket, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Ticket:
    """Add and remove tags on a ticket; tags are created on first use."""
    ticket = ticket_lock(ticket)
    _tags_apply(ticket, tag_names_clean(add, field="add"), tag_names_clean(remove, field="remove"), actor=actor)
    return ticket


@transaction.atomic
def ticket_follow(*, actor: Any, ticket: Ticket, user: User, following: bool = True) -> Ticket:
    """Start or stop following a ticket (followers are told about it and see it)."""
    ticket = ticket_lock(ticket)
    if following and not (user.is_active and user.is_staff):
        raise ValidationFailed(errors=[FieldError(field="user", reason=_("must be an active staff member"))])
    is_following = ticket.followers.filter(pk=user.pk).exists()
    if is_following == following:
        return ticket
    if following:
        ticket.followers.add(user)
    else:
        ticket.followers.remove(user)
    data = {"user": user.pk, "following": following}
    event_write(ticket, TicketEventKind.FOLLOWERS, actor=actor, data=data)
    changed(ticket, Change.DETAILS, actor=actor, data={"what": "followers", **data})
    return ticket


@transaction.atomic
def ticket_update(
    *, actor: Any, ticket: Ticket, subject: str | None = None, kind: str | None = None, unit: Unit | bool | None = False
) -> Ticket:
    """Correct a ticket's subject, kind or unit (the unit must be the customer's; ``unit=None`` removes it)."""
    ticket = ticket_lock(ticket)
    errors: list[FieldError] = []
    new_subject = _text_check(errors, "subject", subject, limit=MAX_SUBJECT) if subject is not None else None
    _choice_check(errors, "kind", kind, TicketKind.values)
    if isinstance(unit, Unit) and unit.customer_id != ticket.customer_id:
        errors.append(FieldError(field="unit", reason=_("belongs to another customer")))
    if errors:
        raise ValidationFailed(errors=errors)
    _writable(ticket)
    changes: dict[str, Any] = {}
    if new_subject is not None and new_subject != ticket.subject:
        changes["subject"] = (ticket.subject, new_subject)
        ticket.subject = new_subject
    if kind is not None and kind != ticket.kind:
        changes["kind"] = (ticket.kind, kind)
        ticket.kind = kind
    if unit is not False:
        new_unit = unit if isinstance(unit, Unit) else None
        if (new_unit.pk if new_unit else None) != ticket.unit_id:
            changes["unit"] = (ticket.unit_id, new_unit.pk if new_unit else None)
            ticket.unit = new_unit
    if not changes:
        return ticket
    ticket.save(update_fields=[*changes.keys(), "updated_at"])
    for field, (before, after) in changes.items():
        kind_code = TicketEventKind.KIND if field == "kind" else TicketEventKind.DETAILS
        event_write(ticket, kind_code, actor=actor, data={"field": field, "from": before, "to": after})
    changed(ticket, Change.DETAILS, actor=actor, data={"what": sorted(changes)})
    return ticket


@transaction.atomic
def ticket_escalate(*, actor: Any, ticket: Ticket, tier: int, reason: str = "") -> Ticket:
    """Move a ticket to another escalation tier (L1, L2); SLA clocks run per tier."""
    ticket = ticket_lock(ticket)
    if tier not in EscalationTier.values:
        raise ValidationFailed(errors=[FieldError(field="tier", reason=one_of([str(value) for value in EscalationTier.values]))])
    _writable(ticket)
    extra = {"reason": reason} if reason else None
    _field_apply(
        ticket, "escalation_tier", tier, actor=actor, kind=TicketEventKind.ESCALATED, change=Change.ESCALATED, extra=extra
    )
    return ticket


@transaction.atomic
def ticket_merge(*, actor: Any, source: Ticket, target: Ticket) -> Ticket:
    """Merge a ticket into another of the same customer: its conversation, followers and tags move; it closes.

    Mail or replies that later reach the merged ticket land on the target.
    """
    if source.pk == target.pk:
        raise ValidationFailed(errors=[FieldError(field="target", reason=_("is the same ticket"))])
    # Lock in id order, so two merges of the same pair in opposite directions cannot deadlock.
    first, second = sorted([source, target], key=lambda item: item.pk)
    locked = {first.pk: ticket_lock(first), second.pk: ticket_lock(second)}
    source, target = locked[source.pk], locked[target.pk]
    errors: list[FieldError] = []
    if source.customer_id != target.customer_id:
        errors.append(FieldError(field="target", reason=_("belongs to another customer")))
    if source.merged_into_id is not None:
        errors.append(FieldError(field="source", reason=_("was already merged"), code="merged"))
    if target.status == TicketStatus.CLOSED:
        errors.append(FieldError(field="target", reason=_("the ticket is closed"), code="closed"))
    if errors:
        raise ValidationFailed(errors=errors)

    source.messages.update(ticket=target)
    source.attachments.update(ticket=target)
    source.callbacks.update(ticket=target)
    target.followers.add(*source.followers.all())
    target.tags.add(*source.tags.all())
    fields = ["updated_at"]
    if source.first_public_reply_at and (
        target.first_public_reply_at is None or source.first_public_reply_at < target.first_public_reply_at
    ):
        target.first_public_reply_at = source.first_public_reply_at
        fields.append("first_public_reply_at")
    if source.last_customer_message_at and (
        target.last_customer_message_at is None or source.last_customer_message_at > target.last_customer_message_at
    ):
        target.last_customer_message_at = source.last_customer_message_at
        fields.append("last_customer_message_at")
    target.save(update_fields=fields)
    data = {"source": source.pk, "target": target.pk, "source_reference": source.reference, "target_reference": target.reference}
    event_write(target, TicketEventKind.MERGED, actor=actor, data=data)
    event_write(source, TicketEventKind.MERGED, actor=actor, data=data)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    changed(target, Change.MERGED, actor=actor, data=data)
    changed(source, Change.MERGED, actor=actor, data=data)
    if source.status != TicketStatus.CLOSED:
        _status_apply(source, TicketStatus.CLOSED, actor=actor, reason="merged")
    return target


def ticket_apply_changes(
    ticket: Ticket,
    *,
    actor: Any,
    queue: Queue | None = None,
    assignee: User | None = None,
    priority: str = "",
    add_tags: Sequence[str] = (),
) -> None:
    """Apply several field changes to a locked ticket, each with its own event (macros and bulk actions)."""
    if queue is not None:
        _move_apply(ticket, queue, actor=actor)
    if assignee is not None:
        _assign_apply(ticket, assignee, actor=actor)
    if priority:
        _priority_apply(ticket, priority, actor=actor)
    if add_tags:
        _tags_apply(ticket, list(add_tags), [], actor=actor)


@transaction.atomic
def ticket_edit(*, actor: Any, ticket: Ticket, changes: dict[str, Any]) -> Ticket:
    """Apply several changes at once (subject, kind, unit, priority, queue, assignee, status, tags), each its own event.

    ``changes`` holds only what changes: ``{"priority": "high", "queue": <Queue>, "assignee": None}``.
    """
    ticket = ticket_lock(ticket)
    errors: list[FieldError] = []
    _choice_check(errors, "priority", changes.get("priority"), TicketPriority.values)
    if "status" in changes:
        try:
            _status_check(ticket, changes["status"])
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    if changes.get("assignee") is not None:
        try:
            _assignee_check(changes["assignee"])
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    queue = changes.get("queue")
    if queue is not None and not queue.active:
        errors.append(FieldError(field="queue", reason=_("is not active")))
    if errors:
        raise ValidationFailed(errors=errors)
    details = {name: changes[name] for name in ("subject", "kind", "unit") if name in changes}
    if details:
        ticket = ticket_update(actor=actor, ticket=ticket, **details)
    if ticket.status == TicketStatus.CLOSED and set(changes) - {"status"}:
        _writable(ticket)
    if queue is not None:
        _move_apply(ticket, queue, actor=actor)
    if "assignee" in changes:
        _assign_apply(ticket, changes["assignee"], actor=actor)
    if changes.get("priority"):
        _priority_apply(ticket, changes["priority"], actor=actor)
    if "tags" in changes:
        wanted = tag_names_clean(changes["tags"])
        current = list(ticket.tags.values_list("name", flat=True))
        _tags_apply(ticket, wanted, [name for name in current if name not in wanted], actor=actor)
    if "status" in changes:
        _status_apply(ticket, changes["status"], actor=actor)
    return ticket
