"""Who sees which tickets: agents their departments', managers all, reps their customers', technicians theirs."""

from __future__ import annotations

import pytest

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from aftersales.service.models import Queue
from aftersales.service.selectors import ticket_detail, tickets_visible_to
from aftersales.service.services import ticket_assign, ticket_note
from tests.factories import CustomerFactory, SaleFactory, staff
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_desks(desk):
    sales = Department.objects.get(code="sales")
    return desk, Queue.objects.create(name="Sales desk", department=sales)


def test_an_agent_sees_only_the_tickets_of_their_departments_queues(two_desks, manager, customer):
    service_desk, sales_desk = two_desks
    service_ticket = open_ticket(customer)
    sales_ticket = open_ticket(customer)
    sales_ticket.queue, sales_ticket.department = sales_desk, sales_desk.department
    sales_ticket.save()
    service_agent = staff(Role.SUPPORT_AGENT, department=service_desk.department)
    sales_agent = staff(Role.SUPPORT_AGENT, department=sales_desk.department)
    homeless_agent = staff(Role.SUPPORT_AGENT)

    assert list(tickets_visible_to(service_agent)) == [service_ticket]
    assert list(tickets_visible_to(sales_agent)) == [sales_ticket]
    assert list(tickets_visible_to(homeless_agent)) == []
    assert set(tickets_visible_to(manager)) == {service_ticket, sales_ticket}


def test_an_agent_also_sees_what_is_assigned_to_them_elsewhere(two_desks, manager, customer):
    _, sales_desk = two_desks
    outsider = staff(Role.SUPPORT_AGENT, department=sales_desk.department)
    ticket = open_ticket(customer)
    ticket_assign(actor=manager, ticket=ticket, assignee=outsider)

    assert list(tickets_visible_to(outsider)) == [ticket]


def test_a_rep_sees_the_tickets_of_customers_they_sold_to_and_may_add_notes(desk, customer):
    rep = staff(Role.SALES_REP)
    SaleFactory(customer=customer, sales_rep=rep)
    theirs = open_ticket(customer)
    open_ticket(CustomerFactory())

    assert list(tickets_visible_to(rep)) == [theirs]
    assert rep.has_perm("service.note_ticket") and not rep.has_perm("service.work_ticket")
    ticket_note(actor=rep, ticket=theirs, body="I promised a discount on the next service.")


def test_a_technician_sees_only_tickets_assigned_to_them(desk, manager, customer):
    technician = staff(Role.TECHNICIAN)
    ticket = open_ticket(customer)
    open_ticket(customer)
    ticket_assign(actor=manager, ticket=ticket, assignee=technician)

    assert list(tickets_visible_to(technician)) == [ticket]


def test_a_portal_customer_sees_only_their_own_tickets_and_never_internal_notes(desk, desk_agent, customer):
    own = open_ticket(customer)
    ticket_note(actor=desk_agent, ticket=own, body="Internal only")
    stranger = open_ticket(CustomerFactory())
    account = customer_portal_user(customer=customer)

    assert list(tickets_visible_to(account)) == [own]
    assert ticket_detail(user=account, number=stranger.number) is None
    detail = ticket_detail(user=account, number=own.number)
    assert all(message.visibility == "public" for message in detail.messages)
    assert detail.events == []


def test_nobody_signed_in_sees_nothing(desk, customer):
    from django.contrib.auth.models import AnonymousUser

    open_ticket(customer)

    assert not tickets_visible_to(AnonymousUser()).exists()
