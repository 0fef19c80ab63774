"""Mail in: every email to a service desk mailbox becomes a ticket, a reply on one, or is set aside.

One entry point, :func:`mail_receive`, takes a raw RFC 5322 message from any source (IMAP, an MTA pipe,
a Maildir): it keeps the raw message privately, takes each Message-ID once, and then

- a delivery failure report marks the outbox email it quotes as bounced (and tells the ticket);
- automatic mail (Auto-Submitted, Precedence bulk/junk/list, an empty Return-Path, X-Autoreply,
  X-Auto-Response-Suppress, read receipts) and mail from our own addresses open nothing and get no
  answer, so no mail loop can start;
- a reply is threaded into its ticket by In-Reply-To/References (our stored Message-IDs) or by the
  ``[#123]`` reference in the subject when the sender is that ticket's customer;
- anything else opens a ticket for the customer with the sender's address (created when unknown).

Quoted text and signatures are stripped with ``mail-parser-reply``; attachments go through the ticket
attachment checks, and a file that fails them is dropped with an internal note saying so.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import imaplib
import logging
import mailbox as maildir_module
import os
import re
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core.emails import validate_email
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import Language
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_create
from aftersales.messaging.services import email_bounce_apply
from aftersales.service.models import (
    InboundMail,
    InboundOutcome,
    Mailbox,
    MailSecurity,
    MailSource,
    OutgoingMail,
    Queue,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketMessage,
)
from aftersales.service.services import attachments_check, ticket_customer_reply, ticket_note, ticket_open
from aftersales.service.services.attachments import MAX_ATTACHMENTS
from aftersales.service.services.common import event_write
from aftersales.service.services.tickets import MAX_BODY

logger = logging.getLogger(__name__)

REFERENCE_IN_SUBJECT = re.compile(r"\[#(\d{1,9})\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_SUBJECT = 200
# Nobody is acting: mail is taken in by the system.
SYSTEM: Any = None


# --- reading a message ----------------------------------------------------------------------------


def mail_parse(raw: bytes) -> EmailMessage:
    """Return a raw RFC 5322 message parsed with the modern email API."""
    parsed: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]
    return parsed


def header(message: Message, name: str) -> str:
    """Return a header as one line of text, "" when missing or unreadable."""
    try:
        value = message.get(name)
    except (IndexError, ValueError, TypeError):
        # A malformed header the modern parser cannot structure: fall back to its raw text.
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)  # type: ignore[attr-defined]
    return " ".join(str(value).split()) if value is not None else ""


def message_ids(text: str) -> list[str]:
    """Return the ``<…>`` Message-IDs in a header such as References, in order, each once."""
    found: list[str] = []
    for value in MESSAGE_ID.findall(text or ""):
        if value not in found:
            found.append(value)
    return found


def sender_of(message: Message) -> tuple[str, str]:
    """Return the sender's display name and address (lower-cased), or "" for what is missing or invalid."""
    name, address = parseaddr(header(message, "From"))
    address = address.strip().lower()
    try:
        validate_email(address)
    except Exception:
        return name.strip(), ""
    return name.strip(), address


def fingerprint_of(raw: bytes, message_id: str) -> str:
    """Return what makes a message the same message: its Message-ID, or a digest of the bytes without one."""
    return message_id[:255] if message_id else f"sha256:{hashlib.sha256(raw).hexdigest()}"


class _TextFromHtml(HTMLParser):
    """Collect the text of an HTML mail with line breaks where blocks end; scripts and styles dropped."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(source: str) -> str:
    """Return the readable text of an HTML body."""
    parser = _TextFromHtml()
    parser.feed(source)
    parser.close()
    lines = [" ".join(line.split()) for line in html.unescape("".join(parser.parts)).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def body_text(message: EmailMessage) -> str:
    """Return the text of a message: its plain part, else its HTML part as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    return html_text(text) if part.get_content_subtype() == "html" else text


@functools.cache
def _reply_parser() -> Any:
    from mailparser_reply import EmailReplyParser

    return EmailReplyParser(languages=[code for code, _name in settings.LANGUAGES])


def reply_text(text: str) -> str:
    """Return only what the sender wrote: quoted earlier mail and the signature stripped (``mail-parser-reply``)."""
    # Ticket messages hold at most MAX_BODY characters; the raw email keeps the rest.
    text = (text or "").replace("\r\n", "\n").strip()[:MAX_BODY]
    if not text:
        return ""
    parsed = _reply_parser().read(text)
    latest = parsed.replies[0] if parsed.replies else None
    stripped = (latest.body or latest.content) if latest is not None else text
    # Quoted lines the parser found no header for ("> …" at the end) are the earlier mail too.
    lines = stripped.rstrip().split("\n")
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    return "\n".join(lines).strip() or text


@functools.cache
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code, _name in settings.LANGUAGES])
    return identifier


def language_guess(message: Message, text: str) -> str:
    """Return the language a sender writes in: Content-Language, else the text's (``py3langid``), else the default."""
    supported = [code for code, _name in settings.LANGUAGES]
    declared = header(message, "Content-Language").split(",")[0].strip().lower()[:2]
    if declared in supported:
        return declared
    sample = text.strip()[:2000]
    if len(sample) >= 12:
        language, confidence = _language_identifier().classify(sample)
        if language in supported and confidence >= 0.9:
            return str(language)
    default = settings.LANGUAGE_CODE.split("-")[0]
    return default if default in supported else Language.ENGLISH


# --- automatic mail and bounces -------------------------------------------------------------------


def automatic_reason(message: Message) -> str:
    """Return why a message was sent by a machine rather than a person (a code), or "" when a person wrote it."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto_submitted"
    if header(message, "Precedence").lower() in ("bulk", "junk", "list"):
        return "precedence"
    if "Return-Path" in message and header(message, "Return-Path").strip("<> ") == "":
        return "null_return_path"
    if "X-Autoreply" in message or "X-Autorespond" in message:
        return "x_autoreply"
    if "X-Auto-Response-Suppress" in message:
        return "x_auto_response_suppress"
    report = message.get_param("report-type", header="content-type") if message.get_content_type() == "multipart/report" else None
    if report == "disposition-notification":
        return "read_receipt"
    return ""


def is_bounce(message: Message) -> bool:
    """Return whether a message is a delivery failure report (a DSN, or a mailer daemon's own format)."""
    if message.get_content_type() == "multipart/report":
        return str(message.get_param("report-type", header="content-type") or "").lower() == "delivery-status"
    local = parseaddr(header(message, "From"))[1].partition("@")[0].lower()
    return local in ("mailer-daemon", "postmaster") and header(message, "Return-Path").strip("<> ") == ""


def bounce_details(message: Message) -> tuple[list[str], str]:
    """Return the Message-IDs of the returned email and the reason the mail server gave."""
    ids: list[str] = []
    reason = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                ids.extend(message_ids(header(inner[0], "Message-ID")))
        elif kind == "text/rfc822-headers":
            ids.extend(message_ids(header(HeaderParser().parsestr(_part_text(part)), "Message-ID")))
        elif kind == "message/delivery-status":
            text = _delivery_status_text(part)
            found = re.search(r"^Diagnostic-Code:\s*(.+)$", text, flags=re.MULTILINE | re.IGNORECASE) or re.search(
                r"^Status:\s*(.+)$", text, flags=re.MULTILINE | re.IGNORECASE
            )
            if found and not reason:
                reason = found.group(1).strip()
    if not ids:
        # A daemon without a DSN: the returned headers are usually quoted in the text.
        text = body_text(message) if isinstance(message, EmailMessage) else ""
        ids = message_ids(" ".join(re.findall(r"^\s*Message-ID:\s*(<[^>]+>)", text, flags=re.MULTILINE | re.IGNORECASE)))
    ids.extend(message_ids(header(message, "In-Reply-To")) + message_ids(header(message, "References")))
    return list(dict.fromkeys(ids)), reason[:500]


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n".join(str(block) for block in payload)
    return str(payload or "")


# --- attachments ----------------------------------------------------------------------------------


@dataclass
class Attachments:
    kept: list[SimpleUploadedFile] = field(default_factory=list)
    # (file name, reason) for every file that failed the ticket attachment checks.
    dropped: list[tuple[str, str]] = field(default_factory=list)


def _attachment_parts(message: EmailMessage) -> Iterable[Message]:
    bodies = {id(part) for part in (message.get_body(("plain",)), message.get_body(("html",))) if part is not None}
    for part in message.walk():
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            continue
        if id(part) in bodies:
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment" or part.get_filename() or part.get_content_maintype() not in ("text", "multipart"):
            yield part


def attachments_of(message: EmailMessage) -> Attachments:
    """Return the files of a message that pass the ticket attachment checks, and the others with why."""
    found = Attachments()
    seen_parents: set[int] = set()
    for index, part in enumerate(_attachment_parts(message)):
        if id(part) in seen_parents:
            continue
        if part.get_content_type() == "message/rfc822":
            inner = [nested for nested in part.get_payload() or [] if isinstance(nested, Message)]
            for nested in inner:
                seen_parents.update(id(sub) for sub in nested.walk())
            data = inner[0].as_bytes() if inner else b""
            name = part.get_filename() or "message.eml"
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            name = part.get_filename() or f"attachment-{index + 1}"
        name = PurePath(name.replace("\\", "/")).name[:255] or f"attachment-{index + 1}"
        if len(found.kept) >= MAX_ATTACHMENTS:
            found.dropped.append((name, gettext("more than %(count)s files in one email") % {"count": MAX_ATTACHMENTS}))
            continue
        upload = SimpleUploadedFile(name, data, content_type=part.get_content_type())
        try:
            attachments_check([upload])
        except ValidationFailed as failed:
            found.dropped.append((name, "; ".join(str(error.reason) for error in failed.errors)))
            continue
        found.kept.append(upload)
    return found


# --- taking a message in --------------------------------------------------------------------------


def own_addresses() -> set[str]:
    """Return the addresses the service desk sends from or receives at (mail from them would loop)."""
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), parseaddr(settings.SERVER_EMAIL)[1].lower()}
    addresses.update(
        address.lower() for address in Queue.objects.exclude(email_address="").values_list("email_address", flat=True)
    )
    addresses.update(name.lower() for name in Mailbox.objects.filter(username__contains="@").values_list("username", flat=True))
    addresses.discard("")
    return addresses


def thread_ticket(message: Message, *, sender: str) -> Ticket | None:
    """Return the ticket a message answers: by our Message-IDs it quotes, else by ``[#123]`` from that ticket's customer."""
    quoted = message_ids(header(message, "In-Reply-To")) + message_ids(header(message, "References"))
    if quoted:
        ours = (
            TicketMessage.objects.filter(message_id__in=quoted)
            .order_by("-created_at", "-pk")
            .values_list("ticket_id", flat=True)
            .first()
        )
        ours = (
            ours or OutgoingMail.objects.filter(message_id__in=quoted).order_by("-pk").values_list("ticket_id", flat=True).first()
        )
        if ours:
            return Ticket.objects.select_related("customer").get(pk=ours)
    reference = REFERENCE_IN_SUBJECT.search(header(message, "Subject"))
    if reference and sender:
        return (
            Ticket.objects.select_related("customer")
            .filter(number=int(reference.group(1)), customer__email__iexact=sender)
            .first()
        )
    return None


def customer_for_sender(*, address: str, name: str, language: str) -> Customer:
    """Return the customer with an email address, or create one with the sender's name and language."""
    existing = Customer.objects.filter(email__iexact=address).order_by("pk").first()
    if existing is not None:
        return existing
    display = " ".join(name.split())[:200] or address.partition("@")[0][:200]
    return customer_create(actor=None, data={"name": display, "email": address, "language": language})


NO_TEXT = _("(The email had no text.)")
NO_SUBJECT = _("(no subject)")


def _text_in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text)


def _dropped_note(ticket: Ticket, dropped: Sequence[tuple[str, str]]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [gettext("These attachments of the customer's email were not kept:")]
        lines.extend(f"- {name}: {reason}" for name, reason in dropped)
        lines.append(gettext("The original email is kept in the inbound mail log."))
    ticket_note(actor=SYSTEM, ticket=ticket, body="\n".join(lines))


def _bounce_take(inbound: InboundMail, message: EmailMessage) -> None:
    ids, reason = bounce_details(message)
    inbound.outcome = InboundOutcome.BOUNCE
    inbound.detail = reason
    bounced = email_bounce_apply(message_ids=ids, detail=reason)
    if bounced is None:
        inbound.reason = "unmatched"
        return
    inbound.bounced_message = bounced
    outgoing = OutgoingMail.objects.filter(outbox=bounced).select_related("ticket").first()
    if outgoing is not None:
        inbound.ticket = outgoing.ticket
        event_write(
            outgoing.ticket, "mail_bounced", data={"outbox_id": bounced.pk, "recipient": bounced.recipient, "reason": reason}
        )
        with translation.override(settings.LANGUAGE_CODE):
            body = gettext("Our email to %(recipient)s was returned by the mail server: %(reason)s") % {
                "recipient": bounced.recipient,
                "reason": reason or gettext("no reason given"),
            }
        ticket_note(actor=SYSTEM, ticket=outgoing.ticket, body=body)


def _person_take(inbound: InboundMail, message: EmailMessage, *, name: str, sender: str, queue: Queue | None) -> None:
    ticket = thread_ticket(message, sender=sender)
    raw_text = body_text(message)
    body = reply_text(raw_text)
    files = attachments_of(message)
    in_reply_to = (message_ids(header(message, "In-Reply-To")) or [""])[0]
    if ticket is not None and ticket.customer.email.lower() == sender:
        entry = ticket_customer_reply(
            ticket=ticket,
            body=body or _text_in(ticket.language, NO_TEXT),
            attachments=files.kept,
            channel=TicketChannel.EMAIL,
            message_id=inbound.message_id,
            in_reply_to=in_reply_to,
        )
        # A reply to a closed ticket opens a new one linked to it.
        first = TicketMessage.objects.filter(ticket_id=entry.ticket_id).order_by("pk").values_list("pk", flat=True).first()
        inbound.outcome = InboundOutcome.OPENED if first == entry.pk else InboundOutcome.REPLIED
    elif ticket is not None:
        with translation.override(settings.LANGUAGE_CODE):
            intro = gettext("Email from %(sender)s, who is not the ticket's customer:") % {"sender": f"{name} <{sender}>".strip()}
        entry = ticket_note(actor=SYSTEM, ticket=ticket, body=f"{intro}\n\n{body}", attachments=files.kept)
        TicketMessage.objects.filter(pk=entry.pk).update(message_id=inbound.message_id, in_reply_to=in_reply_to)
        inbound.outcome = InboundOutcome.NOTED
    else:
        language = language_guess(message, f"{header(message, 'Subject')}\n{body}")
        customer = customer_for_sender(address=sender, name=name, language=language)
        subject = " ".join(header(message, "Subject").split())[:MAX_SUBJECT] or _text_in(customer.language, NO_SUBJECT)
        opened = ticket_open(
            actor=SYSTEM,
            customer=customer,
            subject=subject,
            body=body or _text_in(customer.language, NO_TEXT),
            kind=TicketKind.QUESTION,
            channel=TicketChannel.EMAIL,
            attachments=files.kept,
            message_id=inbound.message_id,
            queue=queue,
        )
        entry = opened.messages.order_by("pk")[0]
        inbound.outcome = InboundOutcome.OPENED
    inbound.ticket_id = entry.ticket_id
    inbound.ticket_message = entry
    if files.dropped:
        _dropped_note(Ticket.objects.get(pk=entry.ticket_id), files.dropped)


def _classify_and_take(inbound: InboundMail, message: EmailMessage, *, queue: Queue | None) -> None:
    name, sender = sender_of(message)
    if is_bounce(message):
        _bounce_take(inbound, message)
        return
    reason = automatic_reason(message)
    if reason:
        inbound.outcome, inbound.reason = InboundOutcome.AUTOMATIC, reason
        return
    if not sender:
        inbound.outcome, inbound.reason = InboundOutcome.REJECTED, "no_sender"
        return
    if sender in own_addresses():
        inbound.outcome, inbound.reason = InboundOutcome.REJECTED, "own_address"
        return
    _person_take(inbound, message, name=name, sender=sender, queue=queue)


@dataclass(frozen=True)
class Received:
    inbound: InboundMail
    # False when the same message was taken before (by this or another source): nothing was done again.
    new: bool


def _inbound_new(raw: bytes, message: EmailMessage, *, source: str, mailbox: Mailbox | None, queue: Queue | None) -> InboundMail:
    message_id = (message_ids(header(message, "Message-ID")) or [""])[0][:255]
    inbound = InboundMail(
        fingerprint=fingerprint_of(raw, message_id),
        message_id=message_id,
        source=source,
        mailbox=mailbox,
        queue=queue,
        sender=sender_of(message)[1][:320],
        subject=header(message, "Subject")[:300],
        outcome=InboundOutcome.FAILED,
    )
    inbound.raw.save("message.eml", ContentFile(raw), save=False)
    return inbound


def mail_receive(*, raw: bytes, source: str, mailbox: Mailbox | None = None, queue: Queue | None = None) -> Received:
    """Take one raw email in once: keep it, then open a ticket, add it to its ticket, or set it aside (see the module doc).

    A message whose Message-ID was taken before changes nothing. A failure while processing is recorded
    with the raw message (outcome ``failed``) so the mail is never lost; :func:`inbound_retry` tries again.
    """
    message = mail_parse(raw)
    message_id = (message_ids(header(message, "Message-ID")) or [""])[0][:255]
    earlier = InboundMail.objects.filter(fingerprint=fingerprint_of(raw, message_id)).first()
    if earlier is not None:
        return Received(inbound=earlier, new=False)
    queue = queue or (mailbox.queue if mailbox is not None else None)
    inbound = _inbound_new(raw, message, source=source, mailbox=mailbox, queue=queue)
    try:
        with transaction.atomic():
            _classify_and_take(inbound, message, queue=queue)
            inbound.save(force_insert=True)
        return Received(inbound=inbound, new=True)
    except IntegrityError:
        existing = InboundMail.objects.filter(fingerprint=inbound.fingerprint).first()
        if existing is not None:
            # The same message arrived through another source at the same moment: theirs counts.
            inbound.raw.delete(save=False)
            return Received(inbound=existing, new=False)
        return Received(inbound=_failed_save(inbound), new=True)
    except Exception:
        logger.exception("Taking in the email %s failed; it is kept for another try.", inbound.message_id or inbound.fingerprint)
        return Received(inbound=_failed_save(inbound), new=True)


def _failed_save(inbound: InboundMail) -> InboundMail:
    import traceback

    inbound.pk = None
    inbound.outcome, inbound.reason = InboundOutcome.FAILED, "error"
    inbound.ticket_id = inbound.ticket_message_id = inbound.bounced_message_id = None
    inbound.detail = traceback.format_exc(limit=5)[-4000:]
    inbound.save(force_insert=True)
    return inbound


def inbound_retry(*, inbound: InboundMail) -> InboundMail:
    """Take a failed email in again from its kept raw message."""
    if inbound.outcome != InboundOutcome.FAILED:
        return inbound
    with inbound.raw.open("rb") as handle:
        raw = handle.read()
    message = mail_parse(raw)
    try:
        with transaction.atomic():
            locked = InboundMail.objects.select_for_update().get(pk=inbound.pk)
            if locked.outcome != InboundOutcome.FAILED:
                return locked
            locked.reason, locked.detail = "", ""
            _classify_and_take(locked, message, queue=locked.queue)
            locked.save()
            return locked
    except Exception:
        logger.exception("Taking in the email %s failed again.", inbound.fingerprint)
        return inbound


# --- sources: IMAP, Maildir -----------------------------------------------------------------------


class MailboxError(Exception):
    """The mailbox could not be read (connection, certificate, login, folder)."""


def mailbox_password(mailbox: Mailbox) -> str:
    """Return a mailbox's password from the ``SERVICE_MAILBOX_PASSWORDS`` setting or the environment."""
    name = mailbox.password_variable.strip()
    password = settings.SERVICE_MAILBOX_PASSWORDS.get(name) or (os.environ.get(name) if name else None)
    if not password:
        raise MailboxError(f"No password: neither SERVICE_MAILBOX_PASSWORDS nor the environment has {name!r}.")
    return password


def _ssl_context(mailbox: Mailbox) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not mailbox.ssl_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _imap_connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.SERVICE_MAIL_TIMEOUT
    if mailbox.security == MailSecurity.SSL:
        connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=_ssl_context(mailbox), timeout=timeout
        )
    else:
        connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        if mailbox.security == MailSecurity.STARTTLS:
            connection.starttls(ssl_context=_ssl_context(mailbox))
    connection.login(mailbox.username, mailbox_password(mailbox))
    return connection


@dataclass
class FetchResult:
    taken: int = 0
    duplicates: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""

    def count(self, received: Received) -> None:
        if received.new:
            self.taken += 1
            self.outcomes[received.inbound.outcome] = self.outcomes.get(received.inbound.outcome, 0) + 1
        else:
            self.duplicates += 1


def _imap_ok(answer: tuple[str, Any], what: str) -> Any:
    status, data = answer
    if status != "OK":
        raise MailboxError(f"The server refused {what}: {data!r}")
    return data


def mailbox_fetch(*, mailbox: Mailbox, limit: int | None = None) -> FetchResult:
    """Take in a mailbox's new mail (UIDs above the last taken, started over when UIDVALIDITY changes).

    The folder is opened read-only: nothing is flagged, moved or deleted on the server.
    """
    result = FetchResult()
    limit = limit or settings.SERVICE_MAIL_FETCH_LIMIT
    try:
        connection = _imap_connect(mailbox)
        try:
            folder = '"' + mailbox.folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
            _imap_ok(connection.select(folder, readonly=True), f"the folder {mailbox.folder!r}")
            validity_data = connection.response("UIDVALIDITY")[1]
            validity = int(validity_data[0]) if validity_data and validity_data[0] else 0
            last_uid = mailbox.last_uid if mailbox.uid_validity == validity else 0
            found = _imap_ok(connection.uid("SEARCH", "UID", f"{last_uid + 1}:*"), "the search")
            uids = sorted(uid for uid in (int(value) for value in (found[0] or b"").split()) if uid > last_uid)[:limit]
            for uid in uids:
                data = _imap_ok(connection.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"message {uid}")
                raw = next((item[1] for item in data if isinstance(item, tuple) and len(item) > 1), None)
                if raw is None:
                    continue
                result.count(mail_receive(raw=raw, source=MailSource.IMAP, mailbox=mailbox))
                Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, uid_validity=validity)
                mailbox.last_uid, mailbox.uid_validity = uid, validity
            if not uids and mailbox.uid_validity != validity:
                Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=last_uid, uid_validity=validity)
                mailbox.last_uid, mailbox.uid_validity = last_uid, validity
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                connection.logout()
    except (OSError, imaplib.IMAP4.error, MailboxError, ValueError) as error:
        result.error = f"{error.__class__.__name__}: {error}"[:2000]
        logger.warning("Mailbox %s could not be read: %s", mailbox, result.error)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=timezone.now(), last_error=result.error)
    return result


def mailbox_check(*, mailbox: Mailbox) -> str:
    """Sign in to a mailbox and open its folder read-only, taking nothing; return what went wrong, or "" when all worked."""
    try:
        connection = _imap_connect(mailbox)
        try:
            folder = '"' + mailbox.folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
            _imap_ok(connection.select(folder, readonly=True), f"the folder {mailbox.folder!r}")
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                connection.logout()
    except (OSError, imaplib.IMAP4.error, MailboxError, ValueError) as error:
        return f"{error.__class__.__name__}: {error}"[:2000]
    return ""


def mailbox_password_found(mailbox: Mailbox) -> bool:
    """Return whether the setting or environment variable a mailbox names holds a password (never the password)."""
    try:
        return bool(mailbox_password(mailbox))
    except MailboxError:
        return False


def mailboxes_fetch() -> dict[str, int]:
    """Take in the new mail of every active mailbox."""
    totals = {"mailboxes": 0, "taken": 0, "failed_mailboxes": 0}
    for mailbox in Mailbox.objects.filter(active=True, queue__active=True).select_related("queue").order_by("pk"):
        result = mailbox_fetch(mailbox=mailbox)
        totals["mailboxes"] += 1
        totals["taken"] += result.taken
        totals["failed_mailboxes"] += 1 if result.error else 0
    return totals


def maildir_fetch(*, path: str | Path, queue: Queue | None = None) -> FetchResult:
    """Take in every message of a Maildir; new ones move to ``cur`` marked seen, as a mail reader would."""
    result = FetchResult()
    folder = maildir_module.Maildir(str(path), factory=None, create=False)
    for key in sorted(folder.keys()):
        raw = folder.get_bytes(key)
        result.count(mail_receive(raw=raw, source=MailSource.MAILDIR, queue=queue))
        stored = folder.get_message(key)
        if stored.get_subdir() == "new":
            stored.set_subdir("cur")
            stored.add_flag("S")
            folder[key] = stored
    return result
