"""Outgoing webhooks: tell other systems when tickets are created, updated or resolved.

Each committed ticket change becomes one ``WebhookDelivery`` per subscribed endpoint, posted by a
worker. The body is JSON; ``X-Aftersales-Signature: sha256=<hex>`` is the HMAC-SHA256, keyed with the
endpoint's secret, of ``<timestamp>.<body>`` where the timestamp (Unix seconds) travels in
``X-Aftersales-Timestamp`` — receivers recompute it and refuse old timestamps to stop replays.
A non-2xx answer or a network error is retried with exponential backoff through the task queue,
up to ``SERVICE_WEBHOOK_MAX_ATTEMPTS``; 410 Gone stops at once. Every attempt is in the delivery log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import User
from aftersales.core.tasks import task_enqueue_on_commit, tasks_waiting
from aftersales.service.models import (
    DeliveryStatus,
    Ticket,
    TicketStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from aftersales.service.signals import Change

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Aftersales-Signature"
TIMESTAMP_HEADER = "X-Aftersales-Timestamp"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a public prefix, not a secret
# How long a worker may hold a delivery before another may take it over.
LEASE = dt.timedelta(minutes=2)
# Waits after the 1st, 2nd, … failed attempt: 30 s, 1 min, 2 min … capped at 6 hours.
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=6)


def signature_compute(*, secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value for a body sent at a timestamp."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_verify(*, secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Return whether a signature header matches (what a receiving system does)."""
    return hmac.compare_digest(signature_compute(secret=secret, timestamp=timestamp, body=body), signature)


def backoff(attempts: int) -> dt.timedelta:
    """Return how long to wait after a number of failed attempts."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * (2 ** max(0, attempts - 1)))


# --- endpoints ------------------------------------------------------------------------------------


def _endpoint_clean(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "url" in data or creating:
        url = str(data.get("url") or "").strip()
        parts = urlsplit(url)
        if not url:
            errors.append(FieldError(field="url", reason=_("is required"), code="required"))
        elif parts.scheme not in ("https", "http") or not parts.netloc:
            errors.append(FieldError(field="url", reason=_("must be an http or https URL")))
        elif len(url) > 500:
            errors.append(FieldError(field="url", reason=interpolate(_("is longer than %(limit)s characters"), limit=500)))
        cleaned["url"] = url
    if "events" in data:
        events = list(dict.fromkeys(str(event) for event in (data.get("events") or [])))
        if any(event not in WebhookEvent.values for event in events):
            errors.append(FieldError(field="events", reason=one_of(WebhookEvent.values)))
        cleaned["events"] = events
    if "description" in data:
        description = str(data.get("description") or "").strip()
        if len(description) > 200:
            errors.append(
                FieldError(field="description", reason=interpolate(_("is longer than %(limit)s characters"), limit=200))
            )
        cleaned["description"] = description
    if "active" in data:
        cleaned["active"] = bool(data["active"])
    if errors:
        raise ValidationFailed(errors=errors)
    return cleaned


@transaction.atomic
def webhook_endpoint_create(*, actor: User, data: Mapping[str, Any]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint and return it with its signing secret, which is shown this once only."""
    cleaned = _endpoint_clean(data, creating=True)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(**cleaned, secret=secret, created_by=actor if actor.is_authenticated else None)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(*, actor: User, endpoint: WebhookEndpoint, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Change an endpoint's URL, events, description or switch it off (the secret stays)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    for name, value in _endpoint_clean(data, creating=False).items():
        setattr(endpoint, name, value)
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    endpoint.delete()


# --- deliveries -----------------------------------------------------------------------------------


def webhook_event_for(change: str, data: Mapping[str, Any]) -> str:
    """Return the webhook event a ticket change is."""
    if change == Change.CREATED:
        return WebhookEvent.TICKET_CREATED
    if change == Change.STATUS and data.get("to") == TicketStatus.RESOLVED:
        return WebhookEvent.TICKET_RESOLVED
    return WebhookEvent.TICKET_UPDATED


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    """Return what a webhook says about a ticket: codes, ids and times, never internal notes."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "kind": ticket.kind,
        "channel": ticket.channel,
        "status": ticket.status,
        "priority": ticket.priority,
        "language": ticket.language,
        "escalation_tier": ticket.escalation_tier,
        "queue": {"id": ticket.queue_id, "name": ticket.queue.name},
        "assignee": (
            {"id": ticket.assignee.pk, "name": str(ticket.assignee), "email": ticket.assignee.email} if ticket.assignee else None
        ),
        "customer": {"id": ticket.customer_id, "name": ticket.customer.name, "email": ticket.customer.email},
        "unit": {"id": ticket.unit.pk, "serial": ticket.unit.serial} if ticket.unit else None,
        "is_repeat": ticket.is_repeat,
        "repeat_of": ticket.repeat_of_id,
        "merged_into": ticket.merged_into_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_public_reply_at": ticket.first_public_reply_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
    }


def _deliver_task() -> Any:
    from aftersales.service.tasks import deliver_webhook

    return deliver_webhook


def _dispatch(delivery: WebhookDelivery) -> None:
    task_enqueue_on_commit(_deliver_task, record=WebhookDelivery, pk=delivery.pk, run_after=delivery.next_attempt_at)


@transaction.atomic
def webhook_deliveries_create(*, ticket: Ticket, change: str, data: Mapping[str, Any]) -> list[WebhookDelivery]:
    """Queue one delivery of a committed ticket change to every active endpoint subscribed to its event."""
    event = webhook_event_for(change, data)
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(active=True) if endpoint.wants(event)]
    if not endpoints:
        return []
    now = timezone.now()
    body = {"event": event, "change": change, "occurred_at": now, "ticket": ticket_payload(ticket), "data": dict(data)}
    payload = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, ticket=ticket, payload=payload, next_attempt_at=now
        )
        _dispatch(delivery)
        deliveries.append(delivery)
    return deliveries


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=DeliveryStatus.SENDING, next_attempt_at__lt=now)
    taken = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(due | abandoned)
        .update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )
    return bool(taken)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """Post a delivery; return the HTTP status (None on a network error), the response's start and an error."""
    body = json.dumps({"id": delivery.pk, **delivery.payload}, separators=(",", ":"), sort_keys=True).encode("utf-8")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s) when the endpoint was saved
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Aftersales-Webhooks/1",
            SIGNATURE_HEADER: signature_compute(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
            TIMESTAMP_HEADER: timestamp,
            "X-Aftersales-Event": delivery.event,
            "X-Aftersales-Delivery": str(delivery.pk),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.SERVICE_WEBHOOK_TIMEOUT) as response:  # noqa: S310
            return response.status, response.read(2000).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(2000).decode("utf-8", "replace"), f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", str(getattr(error, "reason", error)) or error.__class__.__name__


def webhook_deliver(*, delivery_id: int) -> str:
    """Post one due delivery: claim it, send it signed, record the answer, schedule a retry when it failed.

    Not one transaction on purpose: the claim is committed before the network call, the outcome after.
    """
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not delivery.endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.FAILED, last_error="endpoint switched off")
        return "failed"
    status, response, error = _post(delivery)
    finished = timezone.now()
    with transaction.atomic():
        fields: dict[str, Any] = {"response_status": status, "response_body": response, "last_error": error}
        if status is not None and 200 <= status < 300:
            fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=finished, last_error="")
            outcome = "succeeded"
        elif status == 410 or delivery.attempts >= settings.SERVICE_WEBHOOK_MAX_ATTEMPTS:
            fields.update(status=DeliveryStatus.FAILED)
            outcome = "failed"
        else:
            fields.update(status=DeliveryStatus.PENDING, next_attempt_at=finished + backoff(delivery.attempts))
            outcome = "retry"
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(**fields)
        if outcome == "retry":
            delivery.next_attempt_at = fields["next_attempt_at"]
            _dispatch(delivery)
    if outcome != "succeeded":
        logger.warning("Webhook delivery %s to %s: %s (%s)", delivery_id, delivery.endpoint.url, outcome, error or status)
    return outcome


@transaction.atomic
def webhook_delivery_retry(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again now, with a fresh set of attempts."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationFailed(errors=[FieldError(field="status", reason=_("only failed deliveries can be sent again"))])
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    _dispatch(delivery)
    return delivery


def webhook_deliveries_redispatch(*, limit: int = 500) -> dict[str, int]:
    """Hand due deliveries whose task is gone, and those a dead worker held, back to the workers."""
    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(status=DeliveryStatus.SENDING, next_attempt_at__lt=now)
        ).order_by("next_attempt_at")[:limit]
    )
    waiting = tasks_waiting(_deliver_task(), [delivery.task_id for delivery in due])
    count = 0
    with transaction.atomic():
        for delivery in due:
            if delivery.status == DeliveryStatus.PENDING and delivery.task_id in waiting:
                continue
            _dispatch(delivery)
            count += 1
    return {"redispatched": count}


def webhook_deliveries_of(endpoint_ids: Sequence[int]) -> Any:
    """Return the delivery log of some endpoints, newest first."""
    return (
        WebhookDelivery.objects.filter(endpoint_id__in=endpoint_ids)
        .select_related("endpoint", "ticket")
        .order_by("-created_at", "-id")
    )
