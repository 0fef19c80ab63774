"""Recording due touches and acting on them, exactly once per occurrence.

1. ``touches_record_due`` asks each active step for its occurrences due in [today − catch-up, today]
   (one SQL query per step, ``followup.due``) and inserts them as pending touches with
   ``INSERT … ON CONFLICT DO NOTHING`` on (step, customer, occurrence): a second sweep, a second
   machine or a retry after a crash finds the row already there and adds nothing.
2. ``touches_act_pending`` takes pending touches one by one, each in its own transaction with the
   row locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers), performs the
   action and marks the touch in the same transaction. A crash before the commit leaves the touch
   pending and nothing else behind; the next sweep does it. The outbox key ``followup:touch:<id>``
   and the one task per touch are a second guard.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aftersales.core.errors import ValidationFailed
from aftersales.core.models import Department, User
from aftersales.core.timeline import timeline_record
from aftersales.followup.due import Window, step_occurrences
from aftersales.followup.models import (
    Action,
    AssignTo,
    PlaybookStep,
    TaskKind,
    Touch,
    TouchResult,
    TouchStatus,
)
from aftersales.followup.selectors import steps_running
from aftersales.followup.services.staff_tasks import task_create
from aftersales.followup.signals import survey_requested, touch_gift_requested
from aftersales.messaging.models import Message, MessageChannel, MessageStatus
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Sale

logger = logging.getLogger(__name__)


def touches_record_due(*, today: dt.date | None = None, steps: list[PlaybookStep] | None = None) -> int:
    """Record every occurrence due today or within its step's catch-up window as a pending touch; return how many were found."""
    today = today or timezone.localdate()
    created = 0
    for step in steps if steps is not None else steps_running():
        window = Window(today - dt.timedelta(days=step.catch_up_days), today)
        batch: list[Touch] = []
        for occurrence in step_occurrences(step, window):
            batch.append(
                Touch(
                    step_id=occurrence.step_id,
                    customer_id=occurrence.customer_id,
                    unit_id=occurrence.unit_id,
                    occurrence_key=occurrence.key,
                    anchor_on=occurrence.anchor_on,
                    due_on=occurrence.due_on,
                )
            )
            if len(batch) >= 1000:
                created += _insert(batch)
                batch = []
        created += _insert(batch)
    return created


def _insert(batch: list[Touch]) -> int:
    if not batch:
        return 0
    with transaction.atomic():
        Touch.objects.bulk_create(batch, ignore_conflicts=True)
    return len(batch)


def touches_act_pending(*, limit: int | None = None) -> Counter[str]:
    """Act on pending touches, oldest first, each once; return how many ended in each status."""
    limit = limit if limit is not None else settings.FOLLOWUP_SWEEP_LIMIT
    outcome: Counter[str] = Counter()
    last_id = 0
    while sum(outcome.values()) < limit:
        ids = list(
            Touch.objects.filter(status=TouchStatus.PENDING, pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:200]
        )
        if not ids:
            break
        for touch_id in ids:
            status = touch_act(touch_id=touch_id)
            if status:
                outcome[status] += 1
        last_id = ids[-1]
    return outcome


@dataclass(frozen=True)
class _Done:
    status: str
    result: str
    detail: str = ""
    message: Message | None = None


@transaction.atomic
def touch_act(*, touch_id: int) -> str:
    """Perform a pending touch's action and record what came of it; return its new status ("" when not ours to do)."""
    touch = (
        Touch.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("step__playbook", "step__assignee", "step__department", "customer", "unit__sale_line__sale")
        .filter(pk=touch_id, status=TouchStatus.PENDING)
        .first()
    )
    if touch is None:
        return ""  # done already, or another sweep holds it right now
    step = touch.step
    if not (step.active and step.playbook.active):
        done = _Done(TouchStatus.SKIPPED, TouchResult.STEP_INACTIVE)
    else:
        try:
            with transaction.atomic():
                done = _perform(touch, step)
        except ValidationFailed as failed:
            detail = "; ".join(f"{error.field}: {error.reason}" for error in failed.errors)
            missing = any(error.field == "template_code" for error in failed.errors)
            done = _Done(TouchStatus.FAILED, TouchResult.TEMPLATE_MISSING if missing else TouchResult.ERROR, detail[:300])
        except Exception as error:
            logger.exception("Follow-up touch %s failed", touch.pk)
            done = _Done(TouchStatus.FAILED, TouchResult.ERROR, f"{error.__class__.__name__}: {error}"[:300])
    touch.status, touch.result, touch.detail = done.status, done.result, done.detail
    touch.message = done.message
    touch.acted_at = timezone.now()
    touch.save(update_fields=["status", "result", "detail", "message", "acted_at"])
    timeline_record(
        customer=touch.customer,
        kind="followup_touch",
        data={
            "step": step.name,
            "step_es": step.name_es,
            "playbook": step.playbook.name,
            "playbook_es": step.playbook.name_es,
            "status": done.status,
            "result": done.result,
            "detail": done.detail,
            "touch_id": touch.pk,
            "step_id": step.pk,
            "unit_id": touch.unit_id,
            "due_on": touch.due_on.isoformat(),
        },
    )
    return done.status


def _context(touch: Touch, step: PlaybookStep) -> dict[str, object]:
    # ``trigger_day`` is the day the occurrence hangs on: the last exchange day, the warranty's end, the delivery…
    return {"trigger_day": touch.anchor_on, "due_day": touch.due_on, "step": step.name}


class _NotSent(Exception):
    """The outbox refused a gift's message: roll the voucher back with it."""


def _gift(touch: Touch, step: PlaybookStep) -> dict[str, Any] | None:
    """Ask the vouchers capability for the step's gift; return the first answer to merge into the message, or None."""
    answers = touch_gift_requested.send(
        sender=Touch,
        touch=touch,
        customer=touch.customer,
        step=step,
        value=step.gift_voucher_value,
        valid_days=step.gift_voucher_days,
    )
    for _receiver, answer in answers:
        if isinstance(answer, Mapping) and answer.get("voucher_code"):
            return dict(answer)
    return None


def _enqueue(
    touch: Touch, step: PlaybookStep, channel: str, assignee: User | None = None, extra: Mapping[str, Any] | None = None
) -> Message:
    """Put the touch's message in the outbox under the touch's own key, so a repeat finds it there."""
    return message_enqueue(
        actor=None,
        customer=touch.customer,
        template_code=step.template_code,
        channel=channel,
        context={**_context(touch, step), **(extra or {})},
        idempotency_key=f"followup:touch:{touch.pk}",
        unit=touch.unit,
        assignee=assignee,
    )


def _perform(touch: Touch, step: PlaybookStep) -> _Done:
    if step.action == Action.SEND_TEMPLATE:
        if step.gift_voucher_value is None:
            return _message_done(_enqueue(touch, step, step.channel))
        try:
            with transaction.atomic():
                gift = _gift(touch, step)
                done = _message_done(_enqueue(touch, step, step.channel, extra=gift))
                if done.status != TouchStatus.DONE:
                    raise _NotSent
        except _NotSent:
            # The message cannot go (no consent, no address): undo the voucher with it, and record the message as refused.
            return _message_done(_enqueue(touch, step, step.channel))
        if gift is None:
            # Nobody issued the voucher (the vouchers capability is not installed): the card went without a present.
            return _Done(TouchStatus.DONE, TouchResult.MESSAGE_QUEUED_NO_GIFT, "no gift voucher was issued", done.message)
        return _Done(TouchStatus.DONE, TouchResult.MESSAGE_QUEUED, f"gift voucher {gift['voucher_code']}"[:300], done.message)
    if step.action == Action.SEND_SURVEY:
        answers = survey_requested.send(sender=Touch, touch=touch, customer=touch.customer, unit=touch.unit, step=step)
        if any(answer for _receiver, answer in answers):
            return _Done(TouchStatus.DONE, TouchResult.SURVEY_REQUESTED)
        return _Done(TouchStatus.SKIPPED, TouchResult.NO_SURVEYS)
    assignee, department = _holder_for(touch, step)
    message: Message | None = None
    if step.action == Action.CALL_TASK:
        message = _enqueue(touch, step, MessageChannel.CALL, assignee)
        if message.status == MessageStatus.SUPPRESSED:
            return _message_done(message)  # no consent or no phone number: nothing for anyone to call
    kinds: dict[str, str] = {Action.CALL_TASK: TaskKind.CALL, Action.VISIT_TASK: TaskKind.VISIT}
    kind = kinds.get(step.action, TaskKind.WORK_ORDER_PROPOSAL)
    task_create(
        actor=None,
        kind=kind,
        customer=touch.customer,
        unit=touch.unit,
        title=step.name,
        due_at=timezone.now() + dt.timedelta(hours=step.task_due_hours),
        assignee=assignee,
        department=department,
        touch=touch,
        message=message,
    )
    return _Done(TouchStatus.DONE, TouchResult.TASK_CREATED, message=message)


def _message_done(message: Message) -> _Done:
    if message.status == MessageStatus.SUPPRESSED:
        return _Done(TouchStatus.SKIPPED, TouchResult.MESSAGE_SUPPRESSED, message.suppressed_reason, message)
    return _Done(TouchStatus.DONE, TouchResult.MESSAGE_QUEUED, message=message)


def _holder_for(touch: Touch, step: PlaybookStep) -> tuple[User | None, Department | None]:
    """Return who gets a touch's task: the step's person or queue, or the selling rep; a queue when nobody fits."""
    fallback = step.department or Department.objects.filter(code="sales").first()
    if step.assign_to == AssignTo.QUEUE:
        return None, step.department
    if step.assign_to == AssignTo.USER:
        person = step.assignee
    else:
        person = _selling_rep(touch)
    if person is not None and person.is_active and person.is_staff:
        return person, None
    return None, fallback


def _selling_rep(touch: Touch) -> User | None:
    """Return the rep of the sale the touch's unit came from, else of the customer's latest sale."""
    line = touch.unit.sale_line if touch.unit is not None else None
    if line is not None and line.sale.sales_rep_id:
        return line.sale.sales_rep
    sale = Sale.objects.filter(customer_id=touch.customer_id, sales_rep__isnull=False).select_related("sales_rep")
    latest = sale.order_by("-sold_on", "-pk").first()
    return latest.sales_rep if latest else None


def followup_sweep() -> dict[str, int]:
    """Record what fell due and act on it: the periodic sweep of follow-up."""
    found = touches_record_due()
    acted = touches_act_pending()
    return {"found": found, **acted}
