"""API shapes for follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from aftersales.followup.models import Playbook, PlaybookStep, StaffTask, Touch


class PlaybookIn(Schema):
    name: str
    name_es: str = ""
    description: str = ""
    description_es: str = ""
    active: bool = True
    segment_ids: list[int] = Field(default_factory=list, description="Customer segments in scope; empty for all.")
    category_ids: list[int] = Field(default_factory=list, description="Product categories in scope (and below); empty for all.")


class PlaybookPatch(Schema):
    name: str | None = None
    name_es: str | None = None
    description: str | None = None
    description_es: str | None = None
    active: bool | None = None
    segment_ids: list[int] | None = None
    category_ids: list[int] | None = None


class StepIn(Schema):
    name: str
    name_es: str = ""
    trigger: str = Field(
        description="sale, delivery, installation, ticket_resolved, warranty_end, contract_end, birthday, "
        "no_contact, maintenance, exchange_window, purchase_anniversary or first_purchase."
    )
    action: str = Field(description="send_template, call_task, visit_task, propose_work_order or send_survey.")
    position: int | None = None
    active: bool = True
    offset_days: int = Field(
        0, description="Days after the trigger; negative for before (−30). For no_contact: days without contact."
    )
    repeat_months: int | None = Field(None, description="Repeat every N months (sale, delivery, installation, warranty_end).")
    catch_up_days: int = Field(3, description="An occurrence missed by up to this many days still happens.")
    consent_channel: str = Field("", description="Only customers who consented to email, sms, phone or post.")
    min_sale_value: Decimal | None = None
    segment_ids: list[int] = Field(default_factory=list)
    category_ids: list[int] = Field(default_factory=list)
    template_code: str = Field("", description="The message template (send_template), or the call's script (call_task).")
    channel: str = Field("", description="email, sms or letter (send_template only).")
    assign_to: str = Field("", description="selling_rep, user or queue (tasks only).")
    assignee_id: int | None = None
    department_id: int | None = None
    task_due_hours: int = 24
    gift_voucher_value: Decimal | None = Field(
        None, description="A fixed-value gift voucher sent with the message (send_template)."
    )
    gift_voucher_days: int = Field(60, description="How many days the gift voucher is valid.")


class StepPatch(Schema):
    name: str | None = None
    name_es: str | None = None
    trigger: str | None = None
    action: str | None = None
    position: int | None = None
    active: bool | None = None
    offset_days: int | None = None
    repeat_months: int | None = None
    catch_up_days: int | None = None
    consent_channel: str | None = None
    min_sale_value: Decimal | None = None
    segment_ids: list[int] | None = None
    category_ids: list[int] | None = None
    template_code: str | None = None
    channel: str | None = None
    assign_to: str | None = None
    assignee_id: int | None = None
    department_id: int | None = None
    task_due_hours: int | None = None
    gift_voucher_value: Decimal | None = None
    gift_voucher_days: int | None = None


class StepOut(Schema):
    id: int
    playbook_id: int
    position: int
    name: str
    name_es: str
    active: bool
    trigger: str
    offset_days: int
    repeat_months: int | None
    catch_up_days: int
    consent_channel: str
    min_sale_value: Decimal | None
    segment_ids: list[int]
    category_ids: list[int]
    action: str
    template_code: str
    channel: str
    assign_to: str
    assignee_id: int | None
    department_id: int | None
    task_due_hours: int
    gift_voucher_value: Decimal | None
    gift_voucher_days: int

    @staticmethod
    def resolve_segment_ids(obj: PlaybookStep) -> list[int]:
        return sorted(segment.pk for segment in obj.segments.all())

    @staticmethod
    def resolve_category_ids(obj: PlaybookStep) -> list[int]:
        return sorted(category.pk for category in obj.categories.all())


class PlaybookOut(Schema):
    id: int
    name: str
    name_es: str
    description: str
    description_es: str
    active: bool
    segment_ids: list[int]
    category_ids: list[int]
    steps: list[StepOut]
    updated_at: dt.datetime
    updated_by: str | None

    @staticmethod
    def resolve_segment_ids(obj: Playbook) -> list[int]:
        return sorted(segment.pk for segment in obj.segments.all())

    @staticmethod
    def resolve_category_ids(obj: Playbook) -> list[int]:
        return sorted(category.pk for category in obj.categories.all())

    @staticmethod
    def resolve_steps(obj: Playbook) -> list[Any]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_updated_by(obj: Playbook) -> str | None:
        return str(obj.updated_by) if obj.updated_by_id else None


class TaskIn(Schema):
    kind: str = Field(description="call, visit, work_order or problem.")
    customer_id: int
    unit_id: int | None = None
    title: str
    due_at: dt.datetime
    assignee_id: int | None = None
    department_id: int | None = None
    notes: str = ""


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    customer_id: int
    customer_name: str
    customer_phone: str
    customer_language: str
    unit_id: int | None
    unit: str | None
    assignee_id: int | None
    assignee: str | None
    department_id: int | None
    due_at: dt.datetime
    retry_at: dt.datetime | None
    status: str
    outcome: str
    attempts: int
    notes: str
    escalated_at: dt.datetime | None
    completed_at: dt.datetime | None
    touch_id: int | None
    parent_id: int | None
    message_id: int | None
    script: str = Field(description="For calls: what to say, in the customer's language.")

    @staticmethod
    def resolve_customer_name(obj: StaffTask) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_customer_phone(obj: StaffTask) -> str:
        return obj.customer.phone

    @staticmethod
    def resolve_customer_language(obj: StaffTask) -> str:
        return obj.customer.language

    @staticmethod
    def resolve_unit(obj: StaffTask) -> str | None:
        return f"{obj.unit.product.name} ({obj.unit.serial})" if obj.unit_id and obj.unit else None

    @staticmethod
    def resolve_assignee(obj: StaffTask) -> str | None:
        return str(obj.assignee) if obj.assignee_id else None

    @staticmethod
    def resolve_script(obj: StaffTask) -> str:
        return obj.message.body if obj.message_id and obj.message else ""


class TaskEventOut(Schema):
    kind: str
    data: dict[str, Any]
    occurred_at: dt.datetime
    actor: str | None

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class TaskDetailOut(TaskOut):
    events: list[TaskEventOut]

    @staticmethod
    def resolve_events(obj: StaffTask) -> list[Any]:
        return list(obj.events.all())


class DayTaskOut(Schema):
    task: TaskOut
    overdue: bool
    due_today: bool = Field(description="Due by the end of the day asked for (overdue ones too).")
    products: list[str]
    open_tickets: int = Field(description="Open service issues of the customer.")
    last_contact_at: dt.datetime | None


class OutcomeIn(Schema):
    outcome: str = Field(description="reached_fine, reached_problem or no_answer.")
    note: str = Field("", description="What was said; required for reached_problem.")
    retry_at: dt.datetime | None = Field(None, description="No answer: when to try again (default FOLLOWUP_RETRY_HOURS later).")


class ReassignIn(Schema):
    assignee_id: int | None = None
    department_id: int | None = None


class CancelIn(Schema):
    reason: str = ""


class UpcomingOut(Schema):
    due_on: dt.date
    customer_id: int
    customer_name: str
    unit_id: int | None
    step_id: int
    step_name: str
    playbook_name: str
    action: str
    channel: str
    template_code: str


class TouchOut(Schema):
    id: int
    step_id: int
    step_name: str
    playbook_name: str
    customer_id: int
    unit_id: int | None
    occurrence_key: str
    anchor_on: dt.date
    due_on: dt.date
    status: str
    result: str
    detail: str
    message_id: int | None
    task_id: int | None
    acted_at: dt.datetime | None

    @staticmethod
    def resolve_step_name(obj: Touch) -> str:
        return obj.step.name

    @staticmethod
    def resolve_playbook_name(obj: Touch) -> str:
        return obj.step.playbook.name

    @staticmethod
    def resolve_task_id(obj: Touch) -> int | None:
        task = getattr(obj, "task", None)
        return task.pk if task is not None else None
