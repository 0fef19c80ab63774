"""``aftersales fetch-mail --stdin`` (a mail server pipe) and ``--maildir``."""

from __future__ import annotations

import io
import mailbox as maildir_module
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.core.models import Department
from aftersales.service.models import InboundMail, InboundOutcome, MailSource, Queue, Ticket
from tests.mail.helpers import email_bytes

pytestmark = pytest.mark.django_db


def run_stdin(monkeypatch, raw: bytes, *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("fetch_mail", "--stdin", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def billing(db):
    return Queue.objects.create(name="Billing", department=Department.objects.get(code="service"))


def test_a_piped_message_opens_a_ticket_in_the_queue_named(monkeypatch, desk, billing):
    output = run_stdin(monkeypatch, email_bytes(message_id="<pipe@mail.example>"), "--queue", "Billing")

    ticket = Ticket.objects.get()
    assert ticket.queue == billing
    assert InboundMail.objects.get().source == MailSource.PIPE
    assert "<pipe@mail.example>" in output and ticket.reference in output


def test_the_same_message_piped_twice_is_taken_once(monkeypatch, desk):
    raw = email_bytes(message_id="<twice@mail.example>")

    run_stdin(monkeypatch, raw)
    output = run_stdin(monkeypatch, raw)

    assert Ticket.objects.count() == 1 and "already taken in" in output


def test_an_empty_pipe_or_an_unknown_queue_is_an_error(monkeypatch, desk):
    with pytest.raises(CommandError, match="empty"):
        run_stdin(monkeypatch, b"")
    with pytest.raises(CommandError, match="No queue named Nowhere"):
        run_stdin(monkeypatch, email_bytes(), "--queue", "Nowhere")
    assert not InboundMail.objects.exists()


def test_a_maildir_is_read_whole_and_its_new_mail_marked_seen(tmp_path, desk, billing):
    folder = maildir_module.Maildir(str(tmp_path / "Maildir"), create=True)
    folder.add(email_bytes(sender="ana@example.com", message_id="<m1@mail.example>"))
    folder.add(email_bytes(sender="bob@example.com", message_id="<m2@mail.example>"))
    folder.add(email_bytes(sender="ooo@example.com", headers={"Auto-Submitted": "auto-replied"}))

    out = io.StringIO()
    call_command("fetch_mail", "--maildir", str(tmp_path / "Maildir"), "--queue", str(billing.pk), stdout=out)

    assert Ticket.objects.filter(queue=billing).count() == 2
    assert InboundMail.objects.filter(outcome=InboundOutcome.AUTOMATIC, source=MailSource.MAILDIR).count() == 1
    assert not list((tmp_path / "Maildir" / "new").iterdir()) and len(list((tmp_path / "Maildir" / "cur").iterdir())) == 3
    assert "3 taken in" in out.getvalue()

    call_command("fetch_mail", "--maildir", str(tmp_path / "Maildir"), stdout=io.StringIO())
    assert Ticket.objects.count() == 2


def test_a_missing_maildir_is_an_error(tmp_path, desk):
    with pytest.raises(CommandError, match="Cannot read the Maildir"):
        call_command("fetch_mail", "--maildir", str(tmp_path / "nothing"), stdout=io.StringIO())
