"""Mail under concurrency on PostgreSQL: one email arriving several ways at once, replies racing new tickets."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from aftersales.customers.models import Customer
from aftersales.messaging.models import Message
from aftersales.service.mail_in import mail_receive
from aftersales.service.models import InboundMail, MailSource, OutgoingKind, OutgoingMail, Ticket
from aftersales.service.services import ticket_reply
from tests.concurrency import at_once
from tests.factories import CustomerFactory
from tests.mail.helpers import email_bytes
from tests.service.helpers import open_ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# Rows the data migrations create; a transactional test's flush removes them, so each test adds them back.
DATA_MIGRATIONS = [
    ("aftersales.core.migrations.0003_departments", "create_departments"),
    ("aftersales.service.migrations.0002_default_queue", "create_default_queue"),
    ("aftersales.service.migrations.0006_ticket_mail_templates", "templates_add"),
]


@pytest.fixture(autouse=True)
def _data_migrations(transactional_db):
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def test_one_message_delivered_four_times_at_once_opens_one_ticket_for_one_new_customer(desk):
    raw = email_bytes(sender="Nuevo Cliente <nuevo@example.com>", message_id="<race@mail.example>")
    sources = [MailSource.PIPE, MailSource.IMAP, MailSource.IMAP, MailSource.MAILDIR]

    results = at_once(4, lambda n: mail_receive(raw=raw, source=sources[n]))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(1 for result in results if result.new) == 1
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1
    assert Customer.objects.filter(email="nuevo@example.com").count() == 1
    assert {result.inbound.pk for result in results} == {InboundMail.objects.get().pk}


def test_replies_and_new_tickets_of_one_customer_at_the_same_moment_never_deadlock(desk, desk_agent):
    # A reply locks its ticket and queues an email (the outbox locks the customer); a new ticket of the same
    # customer refers to both (a repeat contact of that ticket). Neither may wait on the other in a circle.
    customer = CustomerFactory(email="busy@example.com")
    ticket = open_ticket(customer)

    def work(number: int):
        if number % 2:
            return ticket_reply(actor=desk_agent, ticket=ticket, body=f"Answer {number}")
        return open_ticket(customer, subject=f"Again {number}")

    results = at_once(8, work)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert Message.objects.filter(idempotency_key__startswith="ticket_message:").count() == 4
    assert OutgoingMail.objects.filter(kind=OutgoingKind.ACKNOWLEDGEMENT).count() == 5
