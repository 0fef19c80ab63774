"""The outbox: message templates, the messages themselves, their delivery log and unsubscribes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SPANISH_HELP, AppendOnlyModel, Language, SpanishDescriptionMixin, TimeStampedModel


class MessageChannel(models.TextChoices):
    # An email to the customer's address.
    EMAIL = "email", _("Email")
    # A text message to the customer's mobile phone.
    SMS = "sms", _("SMS")
    # A printed letter, written to the print queue and posted.
    LETTER = "letter", _("Letter")
    # A phone call a staff member makes; the message is their task.
    CALL = "call", _("Call")


# The customer consent that covers each channel (see customers.Channel).
CONSENT_FOR_CHANNEL = {
    MessageChannel.EMAIL: "email",
    MessageChannel.SMS: "sms",
    MessageChannel.LETTER: "post",
    MessageChannel.CALL: "phone",
}


class Purpose(models.TextChoices):
    # About something the customer has or asked for (a sign-in link, a repair); needs no marketing consent.
    TRANSACTIONAL = "transactional", _("Transactional")
    # Promotion or relationship message: needs consent, carries an unsubscribe link, counts toward the cap.
    MARKETING = "marketing", _("Marketing")


class MessageStatus(models.TextChoices):
    # Waiting to be sent (a call: waiting for its assignee).
    QUEUED = "queued", _("Queued")
    # A worker holds the lease and is handing the message to the provider.
    SENDING = "sending", _("Sending")
    # The provider (mail server, SMS gateway, print queue) accepted the message.
    SENT = "sent", _("Sent")
    # The provider reported that the message reached the recipient.
    DELIVERED = "delivered", _("Delivered")
    # Given up: a permanent error or too many failed attempts.
    FAILED = "failed", _("Failed")
    # The recipient's server or network rejected the message after it was sent.
    BOUNCED = "bounced", _("Bounced")
    # Never sent, on purpose: see the suppressed reason.
    SUPPRESSED = "suppressed", _("Suppressed")


class SuppressedReason(models.TextChoices):
    # Not suppressed.
    NONE = "", _("—")
    # Marketing on a channel the customer never agreed to.
    NO_CONSENT = "no_consent", _("no consent for this channel")
    # The customer unsubscribed from marketing on this channel.
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
    # The customer already received the most marketing messages allowed in the period.
    FREQUENCY_CAP = "frequency_cap", _("frequency cap reached")
    # The customer has no email, phone number or postal address for this channel.
    NO_ADDRESS = "no_address", _("no address for this channel")


class MessageTemplate(SpanishDescriptionMixin, TimeStampedModel):
    """The text of one kind of message on one channel in one language, with template variables."""

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    purpose = models.CharField(_("purpose"), max_length=15, choices=Purpose.choices, default=Purpose.TRANSACTIONAL)
    description = models.CharField(_("description"), max_length=200, blank=True)
    description_es = models.CharField(_("description in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["code", "channel", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "channel", "language"], name="message_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.channel} · {self.language}"


class Message(TimeStampedModel):
    """One message to one customer: the outbox row, from queued to delivered (or why not)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="messages"
    )
    unit = models.ForeignKey(
        "sales.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=15, choices=Purpose.choices)
    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("template"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_code = models.CharField(_("template code"), max_length=60)
    template_version = models.PositiveIntegerField(_("template version"), default=1)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    recipient = models.CharField(_("recipient"), max_length=500, blank=True, help_text=_("Email, E.164 phone or postal address"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED, db_index=True
    )
    suppressed_reason = models.CharField(
        _("suppressed because"), max_length=20, choices=SuppressedReason.choices, blank=True, default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_tasks",
        help_text=_("Who makes the call (call messages only)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    scheduled_for = models.DateTimeField(_("not before"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("handed to the workers at"), null=True, blank=True)
    task_id = models.CharField(_("delivery task"), max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True, db_index=True)
    # Email only: the Message-ID every attempt carries (replies and bounces quote it), extra headers a
    # capability asked for (In-Reply-To, References, Reply-To) and files from the private storage.
    email_message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)
    claimed_until = models.DateTimeField(_("lease ends at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="suppressed", suppressed_reason__gt="") | (~Q(status="suppressed") & Q(suppressed_reason="")),
                name="message_suppressed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="message_due_idx"),
            models.Index(fields=["customer", "-created_at"], name="message_customer_idx"),
            models.Index(fields=["assignee", "status"], name="message_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template_code} → {self.customer_id} ({self.status})"


class MessageEvent(AppendOnlyModel):
    """An append-only line in a message's delivery log: a status it reached and why."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices)
    detail = models.TextField(_("detail"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("message event")
        verbose_name_plural = _("message events")

    def __str__(self) -> str:
        return f"{self.status} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class Unsubscribe(models.Model):
    """A customer's one-click opt-out of marketing on a channel (their consent is withdrawn too)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="unsubscribes"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    created_at = models.DateTimeField(_("unsubscribed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        indexes = [models.Index(fields=["customer", "channel"], name="unsubscribe_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel}"
