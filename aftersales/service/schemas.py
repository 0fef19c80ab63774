"""API shapes for the service desk.

A portal customer reads the same shapes as staff, without what is internal: the fields marked
"staff only" come back empty for them (tags, followers, assignee's address, repeat links, events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from aftersales.core.permissions import is_staff_member
from aftersales.service.schemas_sla import ClockOut


def _for_staff(context: Any) -> bool:
    request = (context or {}).get("request")
    return request is not None and is_staff_member(request.user)


class TicketFilter(Schema):
    status: str = Field("", description="One status or several separated by commas.")
    active: bool = Field(False, description="Only tickets that still need someone (new, open, waiting).")
    unanswered: bool = Field(False, description="Only tickets without any public reply yet.")
    queue_id: int | None = None
    department_id: int | None = None
    assignee_id: int | None = Field(None, description="0 for unassigned tickets.")
    customer_id: int | None = None
    unit_id: int | None = None
    kind: str = ""
    priority: str = ""
    channel: str = ""
    language: str = ""
    tag: str = ""
    q: str = Field("", description="Words of the subject, the customer's name or email, or a reference (#123).")


class TicketIn(Schema):
    customer_id: int | None = Field(None, description="Required for staff; a portal customer opens tickets for themselves.")
    subject: str
    body: str
    kind: str = "question"
    channel: str = Field("api", description="Staff only; a portal customer's tickets come from the portal.")
    unit_id: int | None = None
    priority: str | None = None
    language: str | None = None
    idempotency_key: str | None = Field(None, description="Or the Idempotency-Key header: a retry returns the first ticket.")


class TicketPatch(Schema):
    subject: str | None = None
    kind: str | None = None
    unit_id: int | None = None
    priority: str | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    status: str | None = None
    tags: list[str] | None = None


class AttachmentOut(Schema):
    id: int
    file_name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return f"/api/v1/tickets/{obj.ticket.number}/attachments/{obj.pk}"


class MessageOut(Schema):
    id: int
    visibility: str
    channel: str
    body: str
    from_customer: bool
    author: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Any) -> str:
        if obj.author_user_id and obj.author_customer_id is None:
            return obj.author_user.get_full_name() or obj.author_user.username
        return obj.author_customer.name if obj.author_customer_id else ""

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class TicketOut(Schema):
    id: int
    number: int
    reference: str
    subject: str
    kind: str
    channel: str
    status: str
    priority: str
    language: str
    escalation_tier: int
    customer_id: int
    customer_name: str
    unit_id: int | None
    unit_serial: str | None
    queue_id: int
    queue_name: str
    department_id: int
    assignee_id: int | None
    assignee_name: str | None
    tags: list[str] = Field(description="Staff only.")
    follower_ids: list[int] = Field(description="Staff only.")
    is_repeat: bool = Field(description="Staff only.")
    repeat_of_number: int | None = Field(description="Staff only.")
    merged_into_number: int | None
    first_public_reply_at: dt.datetime | None
    last_customer_message_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sla_due_at: dt.datetime | None = Field(None, description="Staff lists: when the next live SLA target is due.")
    sla_breached: bool = Field(False, description="Staff lists: a live SLA target has passed.")
    sla_paused: bool = Field(False, description="Staff lists: the SLA clocks wait on the customer or a third party.")

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_unit_serial(obj: Any) -> str | None:
        return obj.unit.serial if obj.unit_id else None

    @staticmethod
    def resolve_queue_name(obj: Any) -> str:
        return obj.queue.name

    @staticmethod
    def resolve_assignee_name(obj: Any) -> str | None:
        return (obj.assignee.get_full_name() or obj.assignee.username) if obj.assignee_id else None

    @staticmethod
    def resolve_tags(obj: Any, context: Any) -> list[str]:
        return [tag.name for tag in obj.tags.all()] if _for_staff(context) else []

    @staticmethod
    def resolve_follower_ids(obj: Any, context: Any) -> list[int]:
        return [user.pk for user in obj.followers.all()] if _for_staff(context) else []

    @staticmethod
    def resolve_is_repeat(obj: Any, context: Any) -> bool:
        return bool(obj.is_repeat) if _for_staff(context) else False

    @staticmethod
    def resolve_repeat_of_number(obj: Any, context: Any) -> int | None:
        return obj.repeat_of.number if obj.repeat_of_id and _for_staff(context) else None

    @staticmethod
    def resolve_merged_into_number(obj: Any) -> int | None:
        return obj.merged_into.number if obj.merged_into_id else None


class EventOut(Schema):
    kind: str
    data: dict[str, Any]
    actor_id: int | None
    at: dt.datetime


class TicketDetailOut(Schema):
    ticket: TicketOut
    messages: list[MessageOut]
    events: list[EventOut] = Field(description="Staff only: the ticket's history.")
    sla_clocks: list[ClockOut] = Field([], description="Staff only: the ticket's SLA clocks.")


class ReplyIn(Schema):
    body: str
    status: str | None = Field(None, description="Staff only: the status the reply leaves the ticket in.")


class NoteIn(Schema):
    body: str


class StatusIn(Schema):
    status: str
    reason: str = ""


class AssignIn(Schema):
    assignee_id: int | None


class MergeIn(Schema):
    target_number: int


class BulkIn(Schema):
    numbers: list[int]
    action: str = Field(description="assign, merge or close")
    assignee_id: int | None = None
    target_number: int | None = None
    body: str = Field("", description="close: a public reply sent to each ticket first")
    status: str = Field("closed", description="close: resolved or closed")


class BulkOut(Schema):
    changed: list[int]


class CallIn(Schema):
    customer_id: int
    body: str
    ticket_number: int | None = Field(None, description="Add the call to this ticket instead of opening a new one.")
    unit_id: int | None = None
    subject: str = ""
    kind: str = "question"
    channel: str = Field("phone", description="phone or in_person")
    answered: bool = Field(True, description="The customer talked to someone: counts as the first response.")


class CallbackIn(Schema):
    due_at: dt.datetime
    assignee_id: int | None = None
    note: str = ""


class CallbackDoneIn(Schema):
    note: str = ""


class CallbackOut(Schema):
    id: int
    ticket_number: int
    assignee_id: int
    due_at: dt.datetime
    done_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_ticket_number(obj: Any) -> int:
        return obj.ticket.number


class QueueIn(Schema):
    name: str
    name_es: str = ""
    department_id: int
    languages: list[str] = []
    assignment_mode: str = "round_robin"
    email_address: str = ""
    is_default: bool = False
    active: bool = True


class QueuePatch(Schema):
    name: str | None = None
    name_es: str | None = None
    department_id: int | None = None
    languages: list[str] | None = None
    assignment_mode: str | None = None
    email_address: str | None = None
    is_default: bool | None = None
    active: bool | None = None


class QueueOut(Schema):
    id: int
    name: str
    name_es: str
    department_id: int
    languages: list[str]
    assignment_mode: str
    email_address: str
    is_default: bool
    active: bool


class RuleIn(Schema):
    name: str
    queue_id: int
    position: int | None = None
    kind: str = ""
    category_id: int | None = None
    channel: str = ""
    language: str = ""
    priority: str = ""
    active: bool = True


class RulePatch(Schema):
    name: str | None = None
    queue_id: int | None = None
    position: int | None = None
    kind: str | None = None
    category_id: int | None = None
    channel: str | None = None
    language: str | None = None
    priority: str | None = None
    active: bool | None = None


class RuleOut(Schema):
    id: int
    position: int
    name: str
    kind: str
    category_id: int | None
    channel: str
    language: str
    queue_id: int
    priority: str
    active: bool


class CannedIn(Schema):
    title: str
    body_en: str
    body_es: str = ""
    active: bool = True


class CannedPatch(Schema):
    title: str | None = None
    body_en: str | None = None
    body_es: str | None = None
    active: bool | None = None


class CannedOut(Schema):
    id: int
    title: str
    body_en: str
    body_es: str
    active: bool


class RenderedOut(Schema):
    body: str


class MacroIn(Schema):
    name: str
    status: str = ""
    priority: str = ""
    queue_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] = []
    canned_reply_id: int | None = None
    active: bool = True


class MacroPatch(Schema):
    name: str | None = None
    status: str | None = None
    priority: str | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] | None = None
    canned_reply_id: int | None = None
    active: bool | None = None


class MacroOut(Schema):
    id: int
    name: str
    status: str
    priority: str
    queue_id: int | None
    assignee_id: int | None
    tags: list[str]
    canned_reply_id: int | None
    active: bool

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class WebhookIn(Schema):
    url: str
    events: list[str] = Field([], description="ticket.created, ticket.updated, ticket.resolved; empty for all.")
    description: str = ""
    active: bool = True


class WebhookPatch(Schema):
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    active: bool | None = None


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: dt.datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Shown once: store it to verify the X-Aftersales-Signature header.")


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    event: str
    ticket_id: int | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    response_status: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None


class ShiftIO(Schema):
    weekday: int = Field(description="0 Monday … 6 Sunday: the day the shift starts")
    starts_at: dt.time
    ends_at: dt.time = Field(description="Before starts_at for a night shift that ends the next day (22:00–06:00).")


class AgentIn(Schema):
    languages: list[str] | None = None
    available: bool | None = Field(None, description="Off while away: no tickets are assigned automatically.")
    shifts: list[ShiftIO] | None = Field(None, description="Replaces every shift; an empty list means always on shift.")


class AgentOut(Schema):
    user_id: int
    name: str
    department_id: int | None
    languages: list[str]
    available: bool
    shifts: list[ShiftIO]
