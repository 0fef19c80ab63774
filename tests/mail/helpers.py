"""Emails as mail clients, autoresponders and mail servers write them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from django.core import mail

from aftersales.messaging.models import Message
from aftersales.messaging.services import message_deliver

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def email_bytes(
    *,
    sender: str = "Ana García <ana@example.com>",
    to: str = "support@shop.example",
    subject: str = "The dishwasher leaks",
    body: str = "Hello,\n\nthere is water on the floor after every wash.\n",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bytes:
    """Return a raw RFC 5322 message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain="mail.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None and body is None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def bounce_bytes(*, original_message_id: str, recipient: str, diagnostic: str = "smtp; 550 5.1.1 User unknown") -> bytes:
    """Return a delivery status notification (RFC 3464) for an email we sent."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: service@shop.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.net')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\r\n'
        "\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered to {recipient}.\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n"
        "\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "From: Aftersales <service@shop.example>\r\n"
        f"To: {recipient}\r\n"
        "Subject: Re: [#1] The dishwasher leaks\r\n"
        f"Message-ID: {original_message_id}\r\n"
        "\r\n"
        "--BOUNDARY--\r\n"
    ).encode()


def outbox_send_all() -> list:
    """Send every queued outbox email now (as the worker would) and return what left, in order."""
    before = len(mail.outbox)
    for message in Message.objects.filter(status="queued", channel="email").order_by("pk"):
        message_deliver(message_id=message.pk, worker_id="test")
    return mail.outbox[before:]
