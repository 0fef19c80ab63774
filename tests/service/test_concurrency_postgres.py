"""Simultaneous ticket writes on PostgreSQL: numbers never repeat, turns are taken once, retries make one ticket."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from aftersales.core.roles import Role
from aftersales.service.models import Ticket
from aftersales.service.services import ticket_reply
from tests.concurrency import at_once
from tests.factories import staff
from tests.service.helpers import open_ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_eight_tickets_opened_at_once_get_eight_consecutive_numbers_and_fair_turns(desk, service_department, customer):
    agents = [staff(Role.SUPPORT_AGENT, department=service_department) for _ in range(4)]

    results = at_once(8, lambda n: open_ticket(customer, subject=f"Request {n}"))

    assert all(isinstance(result, Ticket) for result in results), results
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 8))
    assert Counter(Ticket.objects.values_list("assignee_id", flat=True)) == {agent.pk: 2 for agent in agents}


def test_the_same_idempotency_key_sent_eight_times_at_once_opens_one_ticket(desk, customer):
    results = at_once(8, lambda _n: open_ticket(customer, idempotency_key="crm-retry"))

    assert all(isinstance(result, Ticket) for result in results), results
    assert {result.pk for result in results} == {Ticket.objects.get().pk}
    later = open_ticket(customer)
    assert later.number == results[0].number + 1, "the retries used up no numbers"


def test_simultaneous_first_replies_record_the_earliest_once(desk, desk_agent, customer):
    ticket = open_ticket(customer)

    results = at_once(4, lambda n: ticket_reply(actor=desk_agent, ticket=ticket, body=f"Reply {n}"))

    assert not [result for result in results if isinstance(result, Exception)], results
    ticket.refresh_from_db()
    first = ticket.messages.filter(author_user=desk_agent).order_by("created_at").first()
    assert ticket.first_public_reply_at == first.created_at
    assert ticket.events.filter(kind="public_reply", data__first=True).count() == 1
