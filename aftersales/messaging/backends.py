"""How a message leaves the building: email through Django's mail backends, SMS through a pluggable
gateway, letters into the print queue. Calls have no backend: they wait for the person assigned.

Every backend receives the message's idempotency key and derives what it hands to the provider from
it (the email ``Message-ID``, the SMS ``Idempotency-Key`` header, the letter's file name), so a message
sent again after a worker died mid-send can be recognised as the same message by the provider.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Sending failed for now; the outbox tries again later."""


class PermanentDeliveryError(DeliveryError):
    """Sending can never succeed (an invalid number, a refused address); the outbox gives up."""


def key_digest(idempotency_key: str) -> str:
    """Return a short, stable, file- and header-safe digest of an idempotency key."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


# --- email ----------------------------------------------------------------------------------------


OUTBOX_METADATA = "aftersales_message"


def sender_domain() -> str:
    """Return the domain of the sender address, used to build Message-IDs."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "aftersales.invalid"


def email_message_id(idempotency_key: str) -> str:
    """Return the Message-ID of a message: the same for every attempt, so receivers can drop repeats."""
    return f"<{key_digest(idempotency_key)}@{sender_domain()}>"


# Headers a capability may add to an email (threading and where answers go); the Message-ID replaces ours.
EMAIL_EXTRA_HEADERS = ("Message-ID", "In-Reply-To", "References", "Reply-To")


@dataclass(frozen=True)
class EmailAttachment:
    """A file in the default (private) storage that goes with an email."""

    path: str
    name: str
    content_type: str


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    idempotency_key: str
    unsubscribe_url: str = ""
    outbox_id: int | None = None
    message_id: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    attachments: Sequence[EmailAttachment] = ()


def email_build(outgoing: OutgoingEmail) -> EmailMessage:
    """Return the Django email for a message, with a stable Message-ID, the extra headers and files it carries
    and, for marketing, RFC 8058 headers."""
    headers = {name: value for name, value in outgoing.headers.items() if name in EMAIL_EXTRA_HEADERS}
    headers["Message-ID"] = outgoing.message_id or email_message_id(outgoing.idempotency_key)
    if outgoing.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMessage(
        subject=outgoing.subject,
        body=outgoing.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.to],
        headers=headers,
    )
    for attachment in outgoing.attachments:
        try:
            with default_storage.open(attachment.path, "rb") as handle:
                content = handle.read()
        except OSError as error:
            raise PermanentDeliveryError(f"The attachment {attachment.name!r} is no longer stored.") from error
        email.attach(attachment.name, content, attachment.content_type or None)
    if outgoing.outbox_id is not None:
        # django-anymail sends this to the provider, which echoes it in delivery and bounce reports.
        email.metadata = {OUTBOX_METADATA: str(outgoing.outbox_id)}  # type: ignore[attr-defined]
    return email


def email_send(outgoing: OutgoingEmail) -> str:
    """Send one email through the configured Django backend; return the provider's message id."""
    import smtplib

    email = email_build(outgoing)
    try:
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([email])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise PermanentDeliveryError(f"The mail server refused the message: {error}") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentDeliveryError(
                f"The mail server refused the message: {error.smtp_code} {error.smtp_error!r}"
            ) from error
        raise DeliveryError(f"The mail server answered {error.smtp_code}: {error.smtp_error!r}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"Could not reach the mail server: {error}") from error
    except AnymailRecipientsRefused as error:
        raise PermanentDeliveryError(f"The email provider refused the recipient: {error}") from error
    except AnymailError as error:
        raise DeliveryError(f"The email provider failed: {error}") from error
    if not sent:
        raise DeliveryError("The mail backend accepted nothing.")
    # django-anymail reports the provider's id; other backends keep our Message-ID.
    status = getattr(email, "anymail_status", None)
    provider_id = getattr(status, "message_id", None) if status is not None else None
    return str(provider_id if provider_id not in (None, "") else email.extra_headers["Message-ID"])


# --- SMS ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str
    idempotency_key: str


class SmsBackend(Protocol):
    def send(self, sms: OutgoingSms) -> str:
        """Send one text message; return the provider's message id."""
        ...


class ConsoleSmsBackend:
    """Print text messages to standard output (development)."""

    def send(self, sms: OutgoingSms) -> str:
        sys.stdout.write(f"SMS to {sms.to}:\n{sms.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{key_digest(sms.idempotency_key)}"


class FileSmsBackend:
    """Write each text message to a JSON file under ``SMS_FILE_PATH`` (development, demos).

    The file is named after the idempotency key, so sending the same message twice leaves one file.
    """

    def send(self, sms: OutgoingSms) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        digest = key_digest(sms.idempotency_key)
        record = {"to": sms.to, "body": sms.body, "key": sms.idempotency_key, "written_at": timezone.now().isoformat()}
        (folder / f"{digest}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        return f"file-{digest}"


class HttpSmsBackend:
    """POST each text message as JSON to a gateway (``SMS_HTTP_URL``) with a bearer token.

    Request: ``{"to", "body", "reference", "from"?}`` with headers ``Authorization: Bearer …`` and
    ``Idempotency-Key``; the answer must be JSON with the gateway's id in ``id`` or ``message_id``.
    4xx answers (except 408 and 429) are permanent; timeouts, 5xx, 408 and 429 are retried.
    """

    timeout = 10

    def send(self, sms: OutgoingSms) -> str:
        url = settings.SMS_HTTP_URL
        if not url.startswith(("https://", "http://")):
            raise PermanentDeliveryError("SMS_HTTP_URL is not set to an http(s) address.")
        payload = {"to": sms.to, "body": sms.body, "reference": key_digest(sms.idempotency_key)}
        if settings.SMS_HTTP_SENDER:
            payload["from"] = settings.SMS_HTTP_SENDER
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
                "Idempotency-Key": key_digest(sms.idempotency_key),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(65536)
        except urllib.error.HTTPError as error:
            detail = error.read(2000).decode(errors="replace")
            if 400 <= error.code < 500 and error.code not in (408, 429):
                raise PermanentDeliveryError(f"The SMS gateway refused the message ({error.code}): {detail}") from error
            raise DeliveryError(f"The SMS gateway answered {error.code}: {detail}") from error
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryError(f"Could not reach the SMS gateway: {error}") from error
        try:
            data = json.loads(answer or b"{}")
        except ValueError as error:
            raise DeliveryError("The SMS gateway's answer is not JSON.") from error
        provider_id = (data.get("id") or data.get("message_id")) if isinstance(data, dict) else None
        if not provider_id:
            raise DeliveryError("The SMS gateway's answer has no message id.")
        return str(provider_id)


def _date_in(day: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def sms_backend() -> SmsBackend:
    """Return the configured SMS backend (``MESSAGING_SMS_BACKEND``)."""
    backend: SmsBackend = import_string(settings.MESSAGING_SMS_BACKEND)()
    return backend


# --- letters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingLetter:
    recipient_name: str
    address: str
    subject: str
    body: str
    idempotency_key: str
    language: str


class LetterBackend:
    """Write a printable HTML letter into the print queue (``LETTERS_PATH``), one file per message."""

    def send(self, letter: OutgoingLetter) -> str:
        today = timezone.localdate()
        folder = Path(settings.LETTERS_PATH) / today.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{key_digest(letter.idempotency_key)}.html"
        address = "<br>".join(html.escape(line.strip()) for line in letter.address.split(",") if line.strip())
        paragraphs = "".join(
            f"<p>{html.escape(part.strip()).replace(chr(10), '<br>')}</p>" for part in letter.body.split("\n\n") if part.strip()
        )
        document = (
            f'<!doctype html><html lang="{html.escape(letter.language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(letter.subject)}</title>"
            "<style>@page{size:A4;margin:25mm}body{font:11pt/1.5 serif}"
            ".address{margin:20mm 0 15mm 90mm}h1{font-size:12pt}</style></head><body>"
            f'<div class="address">{html.escape(letter.recipient_name)}<br>{address}</div>'
            f"<p>{html.escape(_date_in(today, letter.language))}</p>"
            f"<h1>{html.escape(letter.subject)}</h1>{paragraphs}</body></html>"
        )
        (folder / name).write_text(document, encoding="utf-8")
        return f"letter-{folder.name}/{name}"
