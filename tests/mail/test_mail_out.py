"""Mail out: the acknowledgement and public replies reach the customer by email, threaded; notes never do."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.messaging.models import Message, MessageTemplate
from aftersales.service.mail_in import mail_receive
from aftersales.service.mail_out import ticket_acknowledge
from aftersales.service.models import MailSource, OutgoingKind, OutgoingMail, TicketChannel
from aftersales.service.services import ticket_note, ticket_reply
from tests.factories import CustomerFactory
from tests.mail.helpers import PDF, email_bytes, outbox_send_all
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db

MONDAY_NINE = dt.datetime(2025, 5, 5, 7, 0, tzinfo=dt.UTC)  # 09:00 in Madrid


@pytest.fixture(autouse=True)
def _desk_address(desk):
    desk.email_address = "support@shop.example"
    desk.save(update_fields=["email_address"])


def mail_in(raw: bytes, capture):
    with capture(execute=True):
        return mail_receive(raw=raw, source=MailSource.PIPE).inbound.ticket


@time_machine.travel(MONDAY_NINE, tick=False)
def test_a_new_email_ticket_is_acknowledged_in_the_customers_language_with_its_reference_and_due_time(
    desk, settings, django_capture_on_commit_callbacks
):
    settings.SERVICE_FIRST_RESPONSE_HOURS = 8
    CustomerFactory(email="lucia@example.com", language="es", time_zone="Europe/Madrid")

    ticket = mail_in(
        email_bytes(sender="lucia@example.com", subject="Lavadora", message_id="<in1@mail.example>"),
        django_capture_on_commit_callbacks,
    )
    [email] = outbox_send_all()

    assert email.to == ["lucia@example.com"]
    assert email.subject == f"[{ticket.reference}] Hemos recibido su solicitud: Lavadora"
    # 09:00 + 8 h, in Madrid. (The weekday's case follows the catalogue's "Monday", shared with shift weekdays.)
    assert "unes, 5 de mayo, 17:00" in email.body
    assert email.extra_headers["Reply-To"] == "support@shop.example"
    assert email.extra_headers["In-Reply-To"] == "<in1@mail.example>"
    acknowledgement = OutgoingMail.objects.get(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    assert email.extra_headers["Message-ID"] == acknowledgement.message_id
    assert ticket.events.filter(kind="mail_acknowledged").count() == 1


def test_a_ticket_is_acknowledged_once_and_phone_tickets_not_at_all(desk, django_capture_on_commit_callbacks):
    customer = CustomerFactory(email="ana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        emailed = open_ticket(customer, channel=TicketChannel.EMAIL)
        phoned = open_ticket(customer, channel=TicketChannel.PHONE)

    assert ticket_acknowledge(ticket=emailed) is None  # a second call sends nothing more
    assert OutgoingMail.objects.filter(ticket=emailed, kind=OutgoingKind.ACKNOWLEDGEMENT).count() == 1
    assert not OutgoingMail.objects.filter(ticket=phoned).exists()
    assert len(outbox_send_all()) == 1


def test_acknowledgements_to_one_customer_stop_at_the_hourly_cap(desk, settings, django_capture_on_commit_callbacks):
    settings.SERVICE_MAIL_ACKNOWLEDGE_PER_HOUR = 2
    customer = CustomerFactory(email="loop@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            open_ticket(customer)

    assert OutgoingMail.objects.filter(kind=OutgoingKind.ACKNOWLEDGEMENT).count() == 2


def test_a_public_reply_is_emailed_threaded_under_the_customers_mail_with_its_files(
    desk, desk_agent, django_capture_on_commit_callbacks
):
    CustomerFactory(email="ana@example.com", language="en")
    ticket = mail_in(email_bytes(sender="ana@example.com", message_id="<in1@mail.example>"), django_capture_on_commit_callbacks)
    acknowledgement = outbox_send_all()[0]

    reply = ticket_reply(
        actor=desk_agent,
        ticket=ticket,
        body="Please send a photo of the hose.",
        attachments=[SimpleUploadedFile("guide.pdf", PDF)],
    )
    [email] = outbox_send_all()

    reply.refresh_from_db()
    assert email.subject == f"Re: [{ticket.reference}] The dishwasher leaks"
    assert email.body.startswith("Please send a photo of the hose.")
    assert email.extra_headers["Message-ID"] == reply.message_id
    assert email.extra_headers["In-Reply-To"] == "<in1@mail.example>" == reply.in_reply_to
    assert email.extra_headers["References"] == f"<in1@mail.example> {acknowledgement.extra_headers['Message-ID']}"
    assert email.extra_headers["Reply-To"] == "support@shop.example"
    assert [(name, content) for name, content, _type in email.attachments] == [("guide.pdf", PDF)]
    assert desk_agent.get_full_name() in email.body


def test_an_internal_note_never_leaves(desk, desk_agent, django_capture_on_commit_callbacks):
    customer = CustomerFactory(email="ana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(customer)
    outbox_send_all()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_note(actor=desk_agent, ticket=ticket, body="Customer sounds upset; offer a visit.")

    assert outbox_send_all() == []
    assert not Message.objects.filter(body__contains="upset").exists()


def test_a_reply_to_a_resolved_ticket_says_so_in_spanish(desk, desk_agent):
    customer = CustomerFactory(email="lucia@example.com", language="es")
    ticket = open_ticket(customer, channel=TicketChannel.PHONE)

    ticket_reply(actor=desk_agent, ticket=ticket, body="Hemos cambiado la pieza.", status="resolved")
    [email] = outbox_send_all()

    assert "Consideramos resuelta su solicitud" in email.body


def test_a_reply_without_its_template_is_still_saved_and_the_ticket_says_the_email_was_not_queued(desk, desk_agent):
    MessageTemplate.objects.filter(code="ticket_reply").delete()
    customer = CustomerFactory(email="ana@example.com")
    ticket = open_ticket(customer, channel=TicketChannel.PHONE)

    reply = ticket_reply(actor=desk_agent, ticket=ticket, body="We will call you.")

    assert reply.pk and not reply.message_id
    assert ticket.events.filter(kind="mail_not_queued").exists()
    assert outbox_send_all() == []
