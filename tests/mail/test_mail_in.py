"""Mail in, source by source aside: what a raw email becomes (tickets, replies, notes) and what it never becomes."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from aftersales.customers.models import Customer
from aftersales.messaging.models import Message
from aftersales.service import mail_in
from aftersales.service.mail_in import inbound_retry, mail_receive
from aftersales.service.models import (
    InboundMail,
    InboundOutcome,
    MailSource,
    Ticket,
    TicketChannel,
    TicketStatus,
    Visibility,
)
from aftersales.service.services import ticket_reply
from tests.factories import CustomerFactory
from tests.mail.helpers import PDF, bounce_bytes, email_bytes, outbox_send_all

pytestmark = pytest.mark.django_db


def receive(raw: bytes, **kwargs):
    return mail_receive(raw=raw, source=MailSource.PIPE, **kwargs)


def test_mail_from_a_stranger_opens_a_ticket_for_a_new_customer_in_their_language(desk):
    raw = email_bytes(
        sender="Lucía Pérez <Lucia.Perez@Example.com>",
        subject="La lavadora no centrifuga",
        body="Buenos días:\n\nDesde ayer la lavadora no centrifuga y hace un ruido muy fuerte al final del programa.\n",
        message_id="<first@mail.example>",
    )

    received = receive(raw)

    inbound = received.inbound
    assert received.new and inbound.outcome == InboundOutcome.OPENED
    ticket = inbound.ticket
    customer = Customer.objects.get(email="lucia.perez@example.com")
    assert ticket.customer == customer and customer.name == "Lucía Pérez" and customer.language == "es"
    assert ticket.channel == TicketChannel.EMAIL and ticket.subject == "La lavadora no centrifuga"
    assert ticket.queue == desk and ticket.language == "es"
    first = ticket.messages.get()
    assert first.message_id == "<first@mail.example>" and first.author_customer == customer
    assert "no centrifuga" in first.body
    # Nothing is lost: the raw message is kept privately, byte for byte.
    assert inbound.raw.name.startswith("mail/") and default_storage.open(inbound.raw.name).read() == raw


def test_an_english_mail_creates_an_english_customer_and_a_known_address_finds_its_customer(desk):
    known = CustomerFactory(email="ana@example.com", language="es")

    receive(email_bytes(sender="Ana <ANA@example.com>"))
    receive(email_bytes(sender="Sam Smith <sam@example.org>", body="Hello, the fridge stopped cooling last night."))

    assert Ticket.objects.filter(customer=known).count() == 1
    assert Customer.objects.filter(email__iexact="ana@example.com").count() == 1
    assert Customer.objects.get(email="sam@example.org").language == "en"


def test_quoted_text_and_signature_are_stripped_from_a_reply(desk):
    customer = CustomerFactory(email="ana@example.com")
    ticket = receive(email_bytes(sender=f"Ana <{customer.email}>")).inbound.ticket
    body = (
        "It works again, thank you!\n\n"
        "Best regards,\nAna García\n\n"
        "On Mon, 5 May 2025 at 10:00, Service <service@shop.example> wrote:\n"
        "> Please reset the machine.\n> Hold the button for five seconds.\n"
    )

    receive(email_bytes(sender=customer.email, subject=f"Re: [{ticket.reference}] The dishwasher leaks", body=body))

    reply = ticket.messages.order_by("pk").last()
    assert reply.body == "It works again, thank you!"


def test_a_reply_quoting_our_message_id_lands_on_its_ticket_and_reopens_it(desk, desk_agent, django_capture_on_commit_callbacks):
    customer = CustomerFactory(email="ana@example.com")
    ticket = receive(email_bytes(sender=customer.email, message_id="<q1@mail.example>")).inbound.ticket
    answer = ticket_reply(actor=desk_agent, ticket=ticket, body="Please check the filter.", status=TicketStatus.RESOLVED)
    answer.refresh_from_db()
    assert answer.message_id  # ours, stored for threading

    received = receive(
        email_bytes(
            sender=customer.email, subject="Re: something else entirely", in_reply_to=answer.message_id, body="Still leaking."
        )
    )

    assert received.inbound.outcome == InboundOutcome.REPLIED and received.inbound.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.messages.filter(author_customer=customer).count() == 2


def test_the_subject_reference_threads_only_mail_from_that_tickets_customer(desk):
    customer = CustomerFactory(email="ana@example.com")
    ticket = receive(email_bytes(sender=customer.email)).inbound.ticket

    from_customer = receive(email_bytes(sender=customer.email, subject=f"Re: [{ticket.reference}] The dishwasher leaks"))
    from_stranger = receive(email_bytes(sender="mallory@example.net", subject=f"Re: [{ticket.reference}] The dishwasher leaks"))

    assert from_customer.inbound.ticket == ticket and from_customer.inbound.outcome == InboundOutcome.REPLIED
    assert from_stranger.inbound.outcome == InboundOutcome.OPENED and from_stranger.inbound.ticket != ticket
    assert from_stranger.inbound.ticket.customer.email == "mallory@example.net"


def test_a_threaded_mail_from_someone_else_is_an_internal_note_the_customer_never_sees(desk):
    customer = CustomerFactory(email="ana@example.com")
    ticket = receive(email_bytes(sender=customer.email, message_id="<orig@mail.example>")).inbound.ticket

    received = receive(
        email_bytes(sender="Installer <jo@partner.example>", in_reply_to="<orig@mail.example>", body="Fitted a new hose.")
    )

    assert received.inbound.outcome == InboundOutcome.NOTED
    note = ticket.messages.order_by("pk").last()
    assert note.visibility == Visibility.INTERNAL and "jo@partner.example" in note.body and "Fitted a new hose." in note.body


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto_submitted"),
        ({"Precedence": "bulk"}, "precedence"),
        ({"Precedence": "list"}, "precedence"),
        ({"Return-Path": "<>"}, "null_return_path"),
        ({"X-Autoreply": "yes"}, "x_autoreply"),
        ({"X-Auto-Response-Suppress": "All"}, "x_auto_response_suppress"),
    ],
)
def test_automatic_mail_opens_nothing_and_gets_no_answer(desk, headers, reason, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        received = receive(email_bytes(sender="Out of office <ana@example.com>", subject="Out of office", headers=headers))

    assert received.inbound.outcome == InboundOutcome.AUTOMATIC and received.inbound.reason == reason
    assert not Ticket.objects.exists() and not Customer.objects.exists() and not Message.objects.exists()


def test_mail_a_person_marks_auto_submitted_no_is_taken_in(desk):
    received = receive(email_bytes(headers={"Auto-Submitted": "no"}))

    assert received.inbound.outcome == InboundOutcome.OPENED


def test_mail_from_our_own_address_is_refused_so_it_cannot_loop(desk):
    received = receive(email_bytes(sender="Service <service@shop.example>"))

    assert received.inbound.outcome == InboundOutcome.REJECTED and received.inbound.reason == "own_address"
    assert not Ticket.objects.exists()


def test_a_bounce_of_our_reply_marks_the_outbox_email_bounced_and_tells_the_ticket(desk, desk_agent):
    customer = CustomerFactory(email="gone@example.com")
    ticket = receive(email_bytes(sender=customer.email)).inbound.ticket
    answer = ticket_reply(actor=desk_agent, ticket=ticket, body="Here is the manual.")
    outbox_send_all()
    answer.refresh_from_db()
    sent = Message.objects.get(idempotency_key=f"ticket_message:{answer.pk}")

    received = receive(bounce_bytes(original_message_id=answer.message_id, recipient=customer.email))

    sent.refresh_from_db()
    assert received.inbound.outcome == InboundOutcome.BOUNCE and received.inbound.bounced_message == sent
    assert sent.status == "bounced" and "User unknown" in sent.last_error
    note = ticket.messages.order_by("pk").last()
    assert note.visibility == Visibility.INTERNAL and "gone@example.com" in note.body
    assert ticket.events.filter(kind="mail_bounced").exists()
    assert Ticket.objects.count() == 1


def test_a_bounce_we_cannot_match_opens_nothing(desk):
    received = receive(bounce_bytes(original_message_id="<unknown@elsewhere>", recipient="x@example.com"))

    assert received.inbound.outcome == InboundOutcome.BOUNCE and received.inbound.reason == "unmatched"
    assert not Ticket.objects.exists() and not Customer.objects.exists()


def test_the_same_message_twice_makes_one_ticket_even_through_two_sources(desk):
    raw = email_bytes(message_id="<once@mail.example>")
    # The mail server's pipe and the IMAP copy differ in their trace headers, not in their Message-ID.
    relayed = b"Received: from mx.example by shop.example; Mon, 5 May 2025 10:00:00 +0000\r\n" + raw

    first = receive(raw)
    second = mail_receive(raw=relayed, source=MailSource.IMAP)

    assert first.new and not second.new and second.inbound == first.inbound
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1


def test_a_mail_without_message_id_is_still_taken_once(desk):
    raw = b"From: ana@example.com\r\nSubject: No id\r\n\r\nHello there, my oven is broken.\r\n"

    receive(raw)
    receive(raw)

    assert Ticket.objects.count() == 1


def test_attachments_are_kept_and_a_refused_one_is_dropped_with_an_internal_note(desk, settings):
    settings.SERVICE_ATTACHMENT_MAX_BYTES = 1024
    raw = email_bytes(
        attachments=(
            ("invoice.pdf", PDF, "application/pdf"),
            ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, "application/octet-stream"),
            ("huge.pdf", PDF + b"0" * 2048, "application/pdf"),
        )
    )

    received = receive(raw)

    ticket = received.inbound.ticket
    assert received.inbound.outcome == InboundOutcome.OPENED
    assert list(ticket.attachments.values_list("file_name", flat=True)) == ["invoice.pdf"]
    note = ticket.messages.get(visibility=Visibility.INTERNAL)
    assert "setup.exe" in note.body and "huge.pdf" in note.body and "invoice.pdf" not in note.body


def test_an_html_only_mail_becomes_readable_text(desk):
    raw = email_bytes(
        body=None,
        html="<html><head><style>p{color:red}</style></head><body><p>The door&nbsp;won't close.</p><p>Help!</p></body></html>",
    )

    ticket = receive(raw).inbound.ticket

    assert ticket.messages.get().body == "The door won't close.\n\nHelp!"


def test_a_mail_whose_processing_fails_is_kept_and_can_be_taken_in_again(desk, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(mail_in, "ticket_open", broken)
    failed = receive(email_bytes(message_id="<retry@mail.example>")).inbound

    assert failed.outcome == InboundOutcome.FAILED and "database hiccup" in failed.detail
    assert not Ticket.objects.exists() and default_storage.exists(failed.raw.name)

    monkeypatch.undo()
    retried = inbound_retry(inbound=failed)

    assert retried.outcome == InboundOutcome.OPENED and retried.ticket.messages.get().message_id == "<retry@mail.example>"
    assert receive(email_bytes(message_id="<retry@mail.example>")).new is False
