"""Signals the outbox listens to: email providers' delivery and bounce reports (django-anymail)."""

from __future__ import annotations

from typing import Any

from anymail.signals import tracking
from django.dispatch import receiver

from aftersales.messaging.backends import OUTBOX_METADATA
from aftersales.messaging.services import email_report_apply


@receiver(tracking, dispatch_uid="aftersales.messaging.email_tracking")
def email_tracking_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    detail = " — ".join(str(part) for part in (event.description, event.mta_response) if part)
    email_report_apply(
        event_type=str(event.event_type),
        provider_message_id=str(event.message_id or ""),
        outbox_id=str((event.metadata or {}).get(OUTBOX_METADATA, "")),
        detail=f"{esp_name}: {detail}" if detail else "",
    )
