"""Replies, notes, customer messages, statuses, assignment, priority, queues and tags."""

from __future__ import annotations

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.core.models import Department, Notification, TimelineEvent
from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from aftersales.service.models import Queue, Ticket, TicketChannel, TicketEvent, TicketStatus, Visibility
from aftersales.service.selectors import ticket_detail, tickets_unanswered
from aftersales.service.services import (
    ticket_assign,
    ticket_customer_reply,
    ticket_escalate,
    ticket_follow,
    ticket_move,
    ticket_note,
    ticket_reply,
    ticket_set_priority,
    ticket_set_status,
    ticket_tag,
    ticket_update,
)
from tests.factories import UnitFactory, staff
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def test_the_first_public_reply_takes_the_ticket_out_of_the_unanswered_list(desk, desk_agent, customer):
    older = open_ticket(customer, subject="First")
    newer = open_ticket(customer, subject="Second")
    assert list(tickets_unanswered()) == [older, newer]

    message = ticket_reply(actor=desk_agent, ticket=older, body="We are on it.")

    older.refresh_from_db()
    assert older.first_public_reply_at == message.created_at
    assert older.status == TicketStatus.OPEN
    assert list(tickets_unanswered()) == [newer]
    assert TimelineEvent.objects.filter(customer=customer, kind="ticket_replied").count() == 1


def test_an_internal_note_is_not_an_answer_and_never_reaches_the_customer(desk, desk_agent, customer):
    ticket = open_ticket(customer)

    ticket_note(actor=desk_agent, ticket=ticket, body="Customer sounds upset; check the invoice.")

    assert list(tickets_unanswered()) == [ticket]
    portal_view = ticket_detail(user=customer_portal_user(customer=customer), number=ticket.number)
    assert [message.visibility for message in portal_view.messages] == [Visibility.PUBLIC]
    staff_view = ticket_detail(user=desk_agent, number=ticket.number)
    assert [message.visibility for message in staff_view.messages] == [Visibility.PUBLIC, Visibility.INTERNAL]
    assert not TimelineEvent.objects.filter(customer=customer, kind="ticket_replied").exists()


def test_an_unassigned_ticket_goes_to_whoever_answers_it(desk, customer, service_department):
    desk.assignment_mode = "manual"
    desk.save()
    ticket = open_ticket(customer)
    agent = staff(Role.SUPPORT_AGENT, department=service_department)

    ticket_reply(actor=agent, ticket=ticket, body="Hello")

    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_a_reply_can_set_the_status_it_leaves_the_ticket_in(desk, desk_agent, customer):
    ticket = open_ticket(customer)

    ticket_reply(actor=desk_agent, ticket=ticket, body="Could you send a photo?", status=TicketStatus.WAITING_CUSTOMER)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_CUSTOMER


def test_the_customers_reply_reopens_a_resolved_ticket(desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Fixed by the update.", status=TicketStatus.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None

    message = ticket_customer_reply(ticket=ticket, body="Still leaking!", channel=TicketChannel.EMAIL)

    ticket.refresh_from_db()
    assert message.ticket == ticket and message.from_customer
    assert ticket.status == TicketStatus.OPEN and ticket.resolved_at is None
    assert ticket.last_customer_message_at == message.created_at
    reopen = TicketEvent.objects.filter(ticket=ticket, kind="status").last()
    assert reopen.data == {"from": "resolved", "to": "open", "reason": "customer_reply"}


def test_the_customers_answer_ends_the_wait_on_them(desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Serial number?", status=TicketStatus.WAITING_CUSTOMER)

    ticket_customer_reply(ticket=ticket, body="SN123", channel=TicketChannel.PORTAL)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_a_message_to_a_closed_ticket_opens_a_new_linked_one(desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.CLOSED)

    message = ticket_customer_reply(ticket=ticket, body="It broke again", channel=TicketChannel.EMAIL)

    assert message.ticket != ticket
    assert message.ticket.repeat_of == ticket and message.ticket.is_repeat
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_a_closed_ticket_cannot_be_reopened_or_answered(desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.CLOSED)

    with pytest.raises(ValidationFailed) as reopening:
        ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.OPEN)
    with pytest.raises(ValidationFailed):
        ticket_reply(actor=desk_agent, ticket=ticket, body="Hello?")

    assert reopening.value.errors[0].code == "closed"


def test_status_changes_are_events_and_go_on_the_customer_and_unit_timelines(desk, desk_agent):
    unit = UnitFactory()
    ticket = open_ticket(unit.customer, unit=unit)

    ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.WAITING_THIRD_PARTY)
    ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.RESOLVED)

    kinds = list(TimelineEvent.objects.filter(unit=unit).order_by("id").values_list("kind", flat=True))
    assert kinds == ["ticket_opened", "ticket_status", "ticket_resolved"]
    changes = [event.data for event in TicketEvent.objects.filter(ticket=ticket, kind="status").order_by("id")]
    assert changes == [{"from": "new", "to": "waiting_third_party"}, {"from": "waiting_third_party", "to": "resolved"}]


def test_nothing_goes_back_to_new_and_unknown_statuses_are_refused(desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.OPEN)

    with pytest.raises(ValidationFailed):
        ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.NEW)
    with pytest.raises(ValidationFailed):
        ticket_set_status(actor=desk_agent, ticket=ticket, status="pending")


def test_assigning_tells_the_new_assignee_and_refuses_people_who_cannot_see_tickets(desk, manager, customer, service_department):
    ticket = open_ticket(customer)
    agent = staff(Role.SUPPORT_AGENT, department=service_department)

    ticket_assign(actor=manager, ticket=ticket, assignee=agent)

    assert Notification.objects.filter(user=agent, verb="ticket_assigned").exists()
    with pytest.raises(ValidationFailed):
        ticket_assign(actor=manager, ticket=ticket, assignee=staff(Role.SALES_REP, is_active=False))
    ticket_assign(actor=manager, ticket=ticket, assignee=None)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_moving_to_another_departments_queue_hands_the_ticket_to_its_agents(desk, manager, customer, service_department):
    ticket = open_ticket(customer)
    ticket_assign(actor=manager, ticket=ticket, assignee=staff(Role.SUPPORT_AGENT, department=service_department))
    sales = Department.objects.get(code="sales")
    other = Queue.objects.create(name="Sales desk", department=sales)
    sales_agent = staff(Role.SUPPORT_AGENT, department=sales)

    ticket_move(actor=manager, ticket=ticket, queue=other)

    ticket.refresh_from_db()
    assert ticket.queue == other and ticket.department == sales
    assert ticket.assignee == sales_agent


def test_priority_tags_followers_kind_and_tier_changes_are_each_an_event(desk, manager, customer):
    ticket = open_ticket(customer)
    rep = staff(Role.SALES_REP)

    ticket_set_priority(actor=manager, ticket=ticket, priority="urgent")
    ticket_tag(actor=manager, ticket=ticket, add=["VIP", " noise "])
    ticket_tag(actor=manager, ticket=ticket, remove=["noise"])
    ticket_follow(actor=manager, ticket=ticket, user=rep)
    ticket_update(actor=manager, ticket=ticket, kind="complaint", subject="Leaking dishwasher")
    ticket_escalate(actor=manager, ticket=ticket, tier=2)

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.priority == "urgent" and ticket.kind == "complaint" and ticket.escalation_tier == 2
    assert list(ticket.tags.values_list("name", flat=True)) == ["vip"]
    assert list(ticket.followers.all()) == [rep]
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket).exclude(kind__in=["created", "assigned"]).values_list("kind", flat=True)
    )
    assert kinds == ["priority", "tags", "tags", "followers", "details", "kind", "escalated"]


def test_events_are_append_only(desk, customer):
    ticket = open_ticket(customer)
    event = TicketEvent.objects.get(ticket=ticket, kind="created")

    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        TicketEvent.objects.filter(ticket=ticket).delete()
