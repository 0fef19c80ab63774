"""Opening tickets: numbers, routing, assignment, repeat contacts, the selling rep, events and timelines."""

from __future__ import annotations

import pytest

from aftersales.core.models import TimelineEvent
from aftersales.service.models import TicketEvent, TicketStatus
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def test_a_new_ticket_gets_the_next_number_and_lands_in_the_default_queue(customer, desk):
    first = open_ticket(customer)
    second = open_ticket(customer)

    assert second.number == first.number + 1
    assert first.reference == f"#{first.number}"
    assert first.queue == desk and first.department == desk.department
    assert first.status == TicketStatus.NEW
    assert first.messages.get().author_customer == customer
    assert TicketEvent.objects.filter(ticket=first, kind="created").exists()
    assert TimelineEvent.objects.filter(customer=customer, kind="ticket_opened").count() == 2
