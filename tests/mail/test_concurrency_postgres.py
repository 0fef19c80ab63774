"""The same email arriving several ways at the same moment (pipe, IMAP, two ticks) is taken in once, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.customers.models import Customer
from aftersales.service.mail_in import mail_receive
from aftersales.service.models import InboundMail, MailSource, Ticket
from tests.concurrency import at_once
from tests.mail.helpers import email_bytes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_one_message_delivered_four_times_at_once_opens_one_ticket_for_one_new_customer(desk):
    raw = email_bytes(sender="Nuevo Cliente <nuevo@example.com>", message_id="<race@mail.example>")
    sources = [MailSource.PIPE, MailSource.IMAP, MailSource.IMAP, MailSource.MAILDIR]

    results = at_once(4, lambda n: mail_receive(raw=raw, source=sources[n]))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(1 for result in results if result.new) == 1
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1
    assert Customer.objects.filter(email="nuevo@example.com").count() == 1
    assert {result.inbound.pk for result in results} == {InboundMail.objects.get().pk}
