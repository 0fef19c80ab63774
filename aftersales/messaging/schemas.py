"""API shapes for the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from aftersales.messaging.models import Message


class TemplateIn(Schema):
    code: str
    channel: str
    language: str = "en"
    purpose: str = "transactional"
    description: str = ""
    description_es: str = ""
    subject: str = ""
    body: str


class TemplatePatch(Schema):
    code: str | None = None
    channel: str | None = None
    language: str | None = None
    purpose: str | None = None
    description: str | None = None
    description_es: str | None = None
    subject: str | None = None
    body: str | None = None


class TemplateOut(Schema):
    id: int
    code: str
    channel: str
    language: str
    purpose: str
    description: str
    description_es: str
    subject: str
    body: str
    version: int
    updated_by: str | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_updated_by(obj: Any) -> str | None:
        return str(obj.updated_by) if obj.updated_by_id else None


class PreviewIn(Schema):
    subject: str = ""
    body: str
    language: str = "en"
    purpose: str = "transactional"
    customer_id: int | None = Field(None, description="Render for this customer and their latest unit instead of a sample.")


class PreviewOut(Schema):
    subject: str
    body: str


class MessageIn(Schema):
    customer_id: int
    template_code: str
    channel: str
    context: dict[str, Any] = Field(default_factory=dict, description="Extra template variables (plain values).")
    purpose: str | None = Field(None, description="Only 'marketing' changes anything: a marketing template stays marketing.")
    unit_id: int | None = None
    send_after: dt.datetime | None = None
    assignee_id: int | None = Field(None, description="Call messages: the staff member who makes the call.")


class MessageOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    unit_id: int | None
    channel: str
    purpose: str
    template_code: str
    template_version: int
    language: str
    subject: str
    recipient: str
    status: str
    suppressed_reason: str
    assignee_id: int | None
    attempts: int
    scheduled_for: dt.datetime
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_error: str
    provider_message_id: str
    idempotency_key: str
    created_at: dt.datetime

    @staticmethod
    def resolve_customer_name(obj: Message) -> str:
        return obj.customer.name


class MessageEventOut(Schema):
    status: str
    detail: str
    occurred_at: dt.datetime
    actor: str | None

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class MessageDetailOut(MessageOut):
    body: str
    events: list[MessageEventOut]

    @staticmethod
    def resolve_events(obj: Message) -> list[Any]:
        return list(obj.events.all())


class DeliveryReportIn(Schema):
    message_id: str = Field(description="The gateway's id for the message, as it answered when we sent it.")
    status: str = Field(description="delivered, or failed / undelivered / rejected / bounced / expired.")
    detail: str = ""


class DeliveryReportOut(Schema):
    id: int
    status: str
