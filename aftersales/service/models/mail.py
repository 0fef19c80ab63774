"""Service desk email: the mailboxes polled for new mail, every mail taken in, and every ticket email sent."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel


class MailSecurity(models.TextChoices):
    # IMAP over TLS from the first byte (IMAPS, port 993): the default.
    SSL = "ssl", _("IMAPS (TLS)")
    # Plain IMAP upgraded to TLS with STARTTLS (port 143).
    STARTTLS = "starttls", _("STARTTLS")
    # No encryption at all: only for a server on the same machine.
    NONE = "none", _("None (local server only)")


class Mailbox(TimeStampedModel):
    """An IMAP mailbox whose new mail becomes tickets (and replies) in a queue.

    The password is never stored here: ``password_variable`` names where it is, a key of the
    ``SERVICE_MAILBOX_PASSWORDS`` setting or else an environment variable of that name.
    """

    queue = models.ForeignKey("service.Queue", verbose_name=_("queue"), on_delete=models.PROTECT, related_name="mailboxes")
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.SSL)
    ssl_verify = models.BooleanField(
        _("verify the certificate"),
        default=True,
        help_text=_("Turn off only for a server with a self-signed certificate you trust."),
    )
    username = models.CharField(_("user name"), max_length=255)
    password_variable = models.CharField(
        _("password variable"),
        max_length=100,
        help_text=_("Name of the setting key or environment variable holding the password; the password itself is not stored."),
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    # IMAP numbers messages per folder; the numbers are only valid while UIDVALIDITY stays the same.
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("last UID taken"), default=0, editable=False)
    active = models.BooleanField(_("active"), default=True)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        ordering = ["queue__name", "username"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(fields=["host", "port", "username", "folder"], name="mailbox_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class MailSource(models.TextChoices):
    # Fetched from a mailbox over IMAP.
    IMAP = "imap", _("IMAP")
    # Handed over by the mail server through a pipe (``fetch-mail --stdin``).
    PIPE = "pipe", _("Mail server pipe")
    # Read from a Maildir folder (``fetch-mail --maildir``).
    MAILDIR = "maildir", _("Maildir")


class InboundOutcome(models.TextChoices):
    # The mail opened a new ticket.
    OPENED = "opened", _("Opened a ticket")
    # The mail was added to its ticket as the customer's reply.
    REPLIED = "replied", _("Added to a ticket")
    # The mail was threaded into a ticket but came from someone else: added as an internal note.
    NOTED = "noted", _("Added as an internal note")
    # An automatic reply (out of office, mailing list…): kept, no ticket, no answer.
    AUTOMATIC = "automatic", _("Automatic mail, ignored")
    # A delivery failure report about one of our emails.
    BOUNCE = "bounce", _("Bounce")
    # Refused: no usable sender, or mail from our own addresses (a loop).
    REJECTED = "rejected", _("Refused")
    # Processing failed; the raw message is kept so it can be taken in again.
    FAILED = "failed", _("Failed")


def inbound_upload_to(instance: InboundMail, filename: str) -> str:
    # Raw messages are private: a random name under media/mail/, never served by a public URL.
    return f"mail/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.eml"


class InboundMail(models.Model):
    """One email taken in, kept raw, with what became of it. One row per Message-ID, so mail is never taken twice."""

    # The Message-ID, or ``sha256:<digest>`` of the raw message when it has none.
    fingerprint = models.CharField(_("fingerprint"), max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=MailSource.choices)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    queue = models.ForeignKey(
        "service.Queue", verbose_name=_("queue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raw = models.FileField(_("raw message"), upload_to=inbound_upload_to, max_length=200)
    sender = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=InboundOutcome.choices)
    # A code saying why (``auto_submitted``, ``precedence``, ``own_address``…) for ignored and refused mail.
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ticket = models.ForeignKey(
        "service.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    ticket_message = models.ForeignKey(
        "service.TicketMessage",
        verbose_name=_("ticket message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bounced_message = models.ForeignKey(
        "messaging.Message", verbose_name=_("bounced email"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        indexes = [models.Index(fields=["outcome", "-received_at"], name="inbound_mail_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.sender} {self.subject!r} ({self.outcome})"


class OutgoingKind(models.TextChoices):
    # The automatic "we have your request" email, at most one per ticket.
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    # A public reply of an agent.
    REPLY = "reply", _("Reply")


class OutgoingMail(models.Model):
    """An email about a ticket handed to the outbox, with the Message-ID that answers to it will quote."""

    ticket = models.ForeignKey("service.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="outgoing_mail")
    ticket_message = models.ForeignKey(
        "service.TicketMessage",
        verbose_name=_("ticket message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outgoing_mail",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutgoingKind.choices)
    outbox = models.ForeignKey(
        "messaging.Message", verbose_name=_("outbox message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket email")
        verbose_name_plural = _("ticket emails")
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(kind="acknowledgement"), name="outgoing_mail_one_ack"),
            models.UniqueConstraint(
                fields=["ticket_message"], condition=Q(ticket_message__isnull=False), name="outgoing_mail_one_per_message"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.message_id}"
