"""Emails that carry threading headers, a Reply-To and files (the service desk's replies use them)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from aftersales.core.errors import ValidationFailed
from aftersales.messaging.backends import EmailAttachment
from aftersales.messaging.models import MessageStatus
from aftersales.messaging.services import email_bounce_apply, message_deliver, message_enqueue

pytestmark = pytest.mark.django_db


def enqueue(customer, **kwargs):
    values = {"template_code": "welcome", "channel": "email", "idempotency_key": "extras:1"}
    values.update(kwargs)
    return message_enqueue(actor=None, customer=customer, **values)


def test_an_email_carries_its_headers_and_files_on_every_attempt(fan):
    path = default_storage.save("tickets/manual.pdf", ContentFile(b"%PDF-1.4 manual"))
    message = enqueue(
        fan,
        headers={
            "Message-ID": "<ours.1@shop.example>",
            "In-Reply-To": "<theirs@mail.example>",
            "Reply-To": "support@shop.example",
        },
        attachments=[EmailAttachment(path=path, name="Manual.pdf", content_type="application/pdf")],
    )

    message_deliver(message_id=message.pk, worker_id="w")

    [email] = mail.outbox
    message.refresh_from_db()
    assert message.email_message_id == "<ours.1@shop.example>" == email.extra_headers["Message-ID"]
    assert email.extra_headers["In-Reply-To"] == "<theirs@mail.example>"
    assert email.message()["Reply-To"] == "support@shop.example"
    assert email.attachments == [("Manual.pdf", b"%PDF-1.4 manual", "application/pdf")]


def test_header_injection_unknown_headers_and_missing_files_are_refused(fan):
    with pytest.raises(ValidationFailed) as refused:
        enqueue(
            fan,
            headers={"In-Reply-To": "<a@b>\r\nBcc: everyone@example.com", "X-Mailer": "us"},
            attachments=[EmailAttachment(path="tickets/nope.pdf", name="nope.pdf", content_type="application/pdf")],
        )

    fields = {error.field for error in refused.value.errors}
    assert fields == {"headers.In-Reply-To", "headers.X-Mailer", "attachments[0]"}


def test_only_emails_carry_headers(fan):
    with pytest.raises(ValidationFailed) as refused:
        enqueue(fan, channel="sms", template_code="warranty_ending", headers={"Reply-To": "a@b.example"})

    assert refused.value.errors[0].field == "headers"


def test_a_stored_file_removed_before_sending_fails_the_email_for_good(fan):
    path = default_storage.save("tickets/gone.pdf", ContentFile(b"%PDF-1.4"))
    message = enqueue(fan, attachments=[EmailAttachment(path=path, name="gone.pdf", content_type="application/pdf")])
    default_storage.delete(path)

    assert message_deliver(message_id=message.pk, worker_id="w") == "failed"
    message.refresh_from_db()
    assert "gone.pdf" in message.last_error and not mail.outbox


def test_a_bounce_quoting_our_message_id_marks_the_email_bounced(fan):
    message = enqueue(fan)
    message_deliver(message_id=message.pk, worker_id="w")
    message.refresh_from_db()

    assert email_bounce_apply(message_ids=["<unknown@x>"], detail="550") is None
    bounced = email_bounce_apply(message_ids=["<other@x>", message.email_message_id], detail="550 5.1.1 no such user")

    assert bounced == message
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED and message.last_error == "550 5.1.1 no such user"
