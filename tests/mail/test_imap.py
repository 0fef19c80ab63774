"""Email through a real IMAP server (Dovecot on a loopback port): mail in, the agent's answer out, the customer's reply in."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from aftersales.core.tick import tick_run
from aftersales.customers.models import Customer
from aftersales.messaging.models import Message
from aftersales.service.mail_in import mailbox_fetch
from aftersales.service.models import InboundMail, InboundOutcome, Mailbox, Ticket, TicketStatus
from aftersales.service.services import ticket_reply
from tests.mail.helpers import bounce_bytes, email_bytes, outbox_send_all

pytestmark = pytest.mark.django_db


def fetch(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("fetch_mail", stdout=out)
    return out.getvalue()


def test_round_trip_customer_mails_in_agent_replies_customer_answers_the_reply(
    dovecot, imap_account, mailbox, desk_agent, django_capture_on_commit_callbacks
):
    # given: a customer writes to the support mailbox; the mail server delivers it by LMTP
    dovecot.deliver(
        imap_account.username,
        email_bytes(sender="Ana García <ana@example.com>", subject="The dishwasher leaks", message_id="<c1@mail.example>"),
        sender="ana@example.com",
    )

    # when: fetch-mail polls the mailbox
    report = fetch(django_capture_on_commit_callbacks)

    # then: a ticket for a new customer, acknowledged by email
    ticket = Ticket.objects.get()
    assert "1 taken in" in report
    assert ticket.customer == Customer.objects.get(email="ana@example.com") and ticket.queue == mailbox.queue
    [acknowledgement] = outbox_send_all()
    assert ticket.reference in acknowledgement.subject and acknowledgement.extra_headers["In-Reply-To"] == "<c1@mail.example>"

    # when: an agent answers from the console
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(
            actor=desk_agent, ticket=ticket, body="Could you send a photo of the hose?", status=TicketStatus.WAITING_CUSTOMER
        )
    [answer] = outbox_send_all()

    # then: the email threads under the customer's mail
    assert answer.extra_headers["In-Reply-To"] == "<c1@mail.example>"
    assert "<c1@mail.example>" in answer.extra_headers["References"]

    # when: the customer's mail client replies to our email, quoting it
    dovecot.append(
        imap_account.username,
        imap_account.password,
        email_bytes(
            sender="ana@example.com",
            subject=f"Re: {answer.subject}",
            message_id="<c2@mail.example>",
            in_reply_to=answer.extra_headers["Message-ID"],
            references=f"{answer.extra_headers['References']} {answer.extra_headers['Message-ID']}",
            body=f"Here it is.\n\nOn Mon, 5 May 2025, Service wrote:\n> {answer.body.splitlines()[0]}\n",
        ),
    )
    fetch(django_capture_on_commit_callbacks)

    # then: same ticket, the customer's words only, open again, no second acknowledgement
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1
    assert ticket.status == TicketStatus.OPEN
    assert list(ticket.messages.values_list("body", flat=True))[-1] == "Here it is."
    assert outbox_send_all() == []


def test_auto_replies_and_bounces_from_the_server_create_nothing(
    dovecot, imap_account, mailbox, django_capture_on_commit_callbacks
):
    dovecot.deliver(
        imap_account.username,
        email_bytes(sender="ana@example.com", subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
        sender="ana@example.com",
    )
    # A bounce comes with the null reverse path: LMTP writes Return-Path: <>.
    dovecot.deliver(
        imap_account.username, bounce_bytes(original_message_id="<x@shop.example>", recipient="a@b.example"), sender=""
    )
    dovecot.deliver(imap_account.username, email_bytes(sender="news@shop-news.example", headers={"Precedence": "bulk"}))

    fetch(django_capture_on_commit_callbacks)

    outcomes = sorted(InboundMail.objects.values_list("outcome", flat=True))
    assert outcomes == [InboundOutcome.AUTOMATIC, InboundOutcome.AUTOMATIC, InboundOutcome.BOUNCE]
    assert not Ticket.objects.exists() and not Customer.objects.exists() and not Message.objects.exists()


def test_each_message_is_taken_once_across_polls_and_a_uidvalidity_change(dovecot, imap_account, mailbox):
    dovecot.deliver(imap_account.username, email_bytes(sender="ana@example.com", message_id="<a@mail.example>"))
    dovecot.deliver(imap_account.username, email_bytes(sender="bob@example.com", message_id="<b@mail.example>"))

    first = mailbox_fetch(mailbox=mailbox)
    again = mailbox_fetch(mailbox=mailbox)
    mailbox.refresh_from_db()
    assert (first.taken, again.taken, again.duplicates) == (2, 0, 0)
    assert mailbox.last_uid == 2 and mailbox.uid_validity and mailbox.last_error == ""

    # The server renumbered the folder: everything is read again, nothing is taken twice.
    Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=1)
    mailbox.refresh_from_db()
    renumbered = mailbox_fetch(mailbox=mailbox)

    assert (renumbered.taken, renumbered.duplicates) == (0, 2)
    assert Ticket.objects.count() == 2


def test_the_mailbox_is_left_untouched_on_the_server(dovecot, imap_account, mailbox):
    dovecot.deliver(imap_account.username, email_bytes())

    mailbox_fetch(mailbox=mailbox)

    connection = dovecot.imap(imap_account.username, imap_account.password)
    try:
        connection.select("INBOX", readonly=True)
        status, unseen = connection.search(None, "UNSEEN")
    finally:
        connection.logout()
    assert status == "OK" and unseen[0].split() == [b"1"]


def test_a_certificate_that_cannot_be_verified_stops_the_poll_and_is_reported(dovecot, imap_account, mailbox):
    dovecot.deliver(imap_account.username, email_bytes())
    mailbox.ssl_verify = True
    mailbox.save(update_fields=["ssl_verify"])

    result = mailbox_fetch(mailbox=mailbox)

    mailbox.refresh_from_db()
    assert result.taken == 0 and "CERTIFICATE_VERIFY_FAILED" in result.error
    assert "CERTIFICATE_VERIFY_FAILED" in mailbox.last_error and mailbox.last_checked_at is not None
    assert not Ticket.objects.exists()


def test_a_wrong_or_missing_password_is_reported_and_the_command_fails(dovecot, imap_account, mailbox, settings):
    settings.SERVICE_MAILBOX_PASSWORDS = {"DESK_MAILBOX_PASSWORD": "wrong"}
    result = mailbox_fetch(mailbox=mailbox)
    assert "AUTHENTICATIONFAILED" in result.error, result.error

    settings.SERVICE_MAILBOX_PASSWORDS = {}
    with pytest.raises(Exception, match="could not be read"):
        call_command("fetch_mail", stdout=io.StringIO(), stderr=io.StringIO())
    mailbox.refresh_from_db()
    assert "DESK_MAILBOX_PASSWORD" in mailbox.last_error


def test_the_password_can_come_from_the_environment_variable_the_mailbox_names(
    dovecot, imap_account, mailbox, settings, monkeypatch
):
    settings.SERVICE_MAILBOX_PASSWORDS = {}
    monkeypatch.setenv("DESK_MAILBOX_PASSWORD", imap_account.password)
    dovecot.deliver(imap_account.username, email_bytes())

    assert mailbox_fetch(mailbox=mailbox).taken == 1


def test_the_tick_polls_active_mailboxes_every_minute(dovecot, imap_account, mailbox, django_capture_on_commit_callbacks):
    dovecot.deliver(imap_account.username, email_bytes(message_id="<tick@mail.example>"))

    with django_capture_on_commit_callbacks(execute=True):
        outcome = tick_run(only="service.mail_fetch")

    assert outcome == {"service.mail_fetch": "ran"}
    assert InboundMail.objects.get().ticket is not None


def test_an_inactive_mailbox_is_not_polled(dovecot, imap_account, mailbox, django_capture_on_commit_callbacks):
    Mailbox.objects.filter(pk=mailbox.pk).update(active=False)
    dovecot.deliver(imap_account.username, email_bytes())

    fetch(django_capture_on_commit_callbacks)

    assert not InboundMail.objects.exists()
