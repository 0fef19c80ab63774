"""Outgoing webhooks: endpoints that hear about tickets, and the log of every delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel


class WebhookEvent(models.TextChoices):
    # A ticket was opened.
    TICKET_CREATED = "ticket.created", _("Ticket created")
    # A ticket changed: a reply, a status, an assignment…
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")
    # A ticket was resolved.
    TICKET_RESOLVED = "ticket.resolved", _("Ticket resolved")


class WebhookEndpoint(TimeStampedModel):
    """A URL of another system that receives signed ticket events.

    The secret is kept as given, not hashed: every delivery is signed with it (HMAC-SHA256), so it
    must be readable by the server. It is shown once, when the endpoint is created, and never again.
    """

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    # Empty: every event.
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["url", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        """Return whether the endpoint subscribed to an event."""
        return not self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    # Waiting for a worker (first try or a retry after a failure).
    PENDING = "pending", _("Pending")
    # A worker is posting it now.
    SENDING = "sending", _("Sending")
    # The endpoint answered 2xx.
    SUCCEEDED = "succeeded", _("Delivered")
    # Given up after the last retry, or the endpoint was removed.
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event posted (or to be posted) to one endpoint, with every attempt's outcome."""

    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    ticket = models.ForeignKey(
        "service.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response (start)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    task_id = models.CharField(_("delivery task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
