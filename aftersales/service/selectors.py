"""Reads of the service desk: who sees which tickets, the unanswered list, my work, a ticket's conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from aftersales.core.permissions import is_staff_member
from aftersales.core.roles import Role
from aftersales.service.models import (
    ACTIVE_STATUSES,
    Callback,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketStatus,
    Visibility,
)
from aftersales.service.ticket_rows import TicketRowList

# Statuses in which nobody from the company has answered yet counts against the company.
UNANSWERED_STATUSES = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_THIRD_PARTY]


def _list_related(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("customer", "unit", "unit__product", "queue", "department", "assignee")


def ticket_visibility_filter(user: Any) -> Q | None:
    """Return the condition of the tickets a staff user may see, or None for every ticket.

    Service managers and administrators see all; agents the tickets of their department's queues;
    everyone with the view permission also what is assigned to them, what they follow, and (sales reps)
    the tickets of customers they sold to. Without the view permission: nothing.
    """
    if user.has_perm("service.view_all_tickets"):
        return None
    if not user.has_perm("service.view_ticket"):
        return Q(pk__in=[])
    condition = Q(assignee=user) | Q(followers=user)
    if user.has_perm("service.work_ticket") and user.department_id:
        condition |= Q(department_id=user.department_id)
    if Role.SALES_REP in user.role_codes:
        condition |= Q(customer__sales__sales_rep=user)
    return condition


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    """Return the tickets a user may see: by role for staff, their own for a portal customer, else none."""
    if is_staff_member(user):
        condition = ticket_visibility_filter(user)
        if condition is None:
            return Ticket.objects.all()
        # Joins through followers and sales can repeat a row: filter by ids instead of distinct().
        return Ticket.objects.filter(pk__in=Ticket.objects.filter(condition).values("pk"))
    if user is not None and user.is_authenticated and user.is_active:
        return Ticket.objects.filter(customer__user=user)
    return Ticket.objects.none()


def ticket_is_visible(user: Any, ticket: Ticket) -> bool:
    """Return whether a user may see one ticket."""
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def tickets_unanswered(*, visible_to: Any = None) -> QuerySet[Ticket]:
    """Return tickets without any public reply yet, oldest first (the "no request unanswered" list)."""
    tickets = Ticket.objects.filter(first_public_reply_at__isnull=True, status__in=UNANSWERED_STATUSES, merged_into__isnull=True)
    # Whoever sees every ticket needs no "id in (visible ids)" filter, which makes the database read them all.
    if visible_to is not None and not _sees_all(visible_to):
        tickets = tickets.filter(pk__in=tickets_visible_to(visible_to).values("pk"))
    return _list_related(tickets).order_by("created_at", "id")


def tickets_unanswered_rows(*, visible_to: Any, now: dt.datetime | None = None) -> TicketRowList:
    """Return the unanswered list as a screen shows it (``TicketRowList``), for a staff member.

    For those who see every ticket it is one list, whose page statements are compiled once per process.
    """
    if _sees_all(visible_to):
        return TicketRowList.compiled_once("tickets_unanswered", tickets_unanswered, now=now)
    return TicketRowList(tickets_unanswered(visible_to=visible_to), now=now)


def _sees_all(user: Any) -> bool:
    return is_staff_member(user) and ticket_visibility_filter(user) is None


def tickets_my_work(user: Any) -> QuerySet[Ticket]:
    """Return the active tickets assigned to a user, the ones needing them first, then oldest first."""
    tickets = Ticket.objects.filter(assignee=user, status__in=ACTIVE_STATUSES)
    return _list_related(tickets).order_by("status", "created_at", "id")


def callbacks_due(user: Any) -> QuerySet[Callback]:
    """Return a user's call-backs not yet made, earliest first."""
    return (
        Callback.objects.filter(assignee=user, done_at__isnull=True)
        .select_related("ticket", "ticket__customer")
        .order_by("due_at")
    )


def tickets_of_customer(*, customer_id: int, user: Any) -> QuerySet[Ticket]:
    """Return a customer's tickets the user may see, newest first."""
    return _list_related(tickets_visible_to(user).filter(customer_id=customer_id)).order_by("-created_at", "-id")


def ticket_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Ticket]:
    """Return the tickets a user may see, filtered by status, queue, assignee, kind, priority, customer, tag or text."""
    tickets = tickets_visible_to(user)
    data = {key: value for key, value in (filters or {}).items() if value not in (None, "", [])}
    if "status" in data:
        statuses = data["status"] if isinstance(data["status"], list) else str(data["status"]).split(",")
        tickets = tickets.filter(status__in=statuses)
    if data.get("active"):
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    for field in ("queue_id", "customer_id", "unit_id", "department_id"):
        if field in data:
            tickets = tickets.filter(**{field: data[field]})
    if "assignee_id" in data:
        tickets = (
            tickets.filter(assignee__isnull=True)
            if data["assignee_id"] in (0, "0", "none")
            else tickets.filter(assignee_id=data["assignee_id"])
        )
    for field in ("kind", "priority", "channel", "language"):
        if field in data:
            tickets = tickets.filter(**{field: data[field]})
    if "tag" in data:
        tickets = tickets.filter(tags__name=str(data["tag"]).lower())
    if data.get("unanswered"):
        tickets = tickets.filter(first_public_reply_at__isnull=True, status__in=UNANSWERED_STATUSES)
    if "q" in data:
        text = str(data["q"]).strip()
        condition = Q(subject__icontains=text) | Q(customer__name__icontains=text) | Q(customer__email__iexact=text)
        if text.lstrip("#").isdigit():
            condition |= Q(number=int(text.lstrip("#")))
        tickets = tickets.filter(condition)
    return _list_related(tickets).order_by("-created_at", "-id")


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    messages: list[TicketMessage]
    events: list[TicketEvent]
    for_customer: bool


def ticket_messages(ticket: Ticket, *, for_customer: bool) -> QuerySet[TicketMessage]:
    """Return a ticket's conversation with attachments; a customer never gets internal notes."""
    messages = ticket.messages.select_related("author_user", "author_customer").prefetch_related(
        Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id"))
    )
    if for_customer:
        messages = messages.filter(visibility=Visibility.PUBLIC)
    return messages.order_by("created_at", "id")


def ticket_detail(*, user: Any, number: int) -> TicketDetail | None:
    """Return a ticket the user may see with its conversation (and, for staff, its history), or None."""
    ticket = (
        _list_related(tickets_visible_to(user).filter(number=number))
        .select_related("repeat_of", "merged_into", "created_by")
        .prefetch_related("tags", "followers")
        .first()
    )
    if ticket is None:
        return None
    for_customer = not is_staff_member(user)
    events: list[TicketEvent] = [] if for_customer else list(ticket.events.select_related("actor").order_by("at", "id"))
    return TicketDetail(
        ticket=ticket, messages=list(ticket_messages(ticket, for_customer=for_customer)), events=events, for_customer=for_customer
    )


def attachment_visible(*, user: Any, attachment_id: int) -> TicketAttachment | None:
    """Return an attachment the user may download: on a visible ticket, and never from an internal note for a customer."""
    attachments = TicketAttachment.objects.filter(pk=attachment_id, ticket__in=tickets_visible_to(user).values("pk"))
    if not is_staff_member(user):
        attachments = attachments.filter(message__visibility=Visibility.PUBLIC)
    return attachments.select_related("ticket", "message").first()
