"""Writes to staff tasks: calls, visits and work-order proposals, their outcomes and escalation.

A call is one thing for the rep to work: the task. Its script travels as a ``call`` message in the
outbox (rendered in the customer's language, shown in the outbox's log), and logging the task's outcome
closes that message too: reached → sent, given up → failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import Department, User
from aftersales.core.roles import Role
from aftersales.core.services import notification_send
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.followup.models import StaffTask, StaffTaskEvent, TaskEventKind, TaskKind, TaskOutcome, TaskStatus, Touch
from aftersales.messaging.models import Message
from aftersales.messaging.services import call_message_close, call_message_reassign
from aftersales.sales.models import Unit
from aftersales.service.models import Ticket, TicketChannel, TicketKind
from aftersales.service.services import ticket_open

logger = logging.getLogger(__name__)

# Where a manager sees the overdue calls and visits.
MY_DAY_PATH = "/followup/my-day/"


def _person(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _holder(task: StaffTask) -> str:
    """Return who holds a task, for the history: a person, a queue, or nobody."""
    if task.assignee_id and task.assignee:
        return str(task.assignee)
    if task.department_id and task.department:
        return task.department.name
    return "—"


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _history(
    task: StaffTask, kind: str, *, actor: User | None, timeline: str | None = None, data: dict[str, Any] | None = None
) -> None:
    """Append a line to the task's history and, when given a kind, to the customer's timeline."""
    details = {"kind": task.kind, "title": task.title, "task_id": task.pk, "unit_id": task.unit_id, **(data or {})}
    StaffTaskEvent.objects.create(task=task, kind=kind, data=details, actor=_person(actor))
    if timeline:
        # Tasks are the staff's own work: they stay off the unit's history, which the customer sees in the portal.
        timeline_record(customer=task.customer, kind=timeline, actor=actor, data=details)


def staff_check(user: User | None, *, field: str, errors: list[FieldError]) -> None:
    """Record an error when a user given for a task is not an active staff member."""
    if user is not None and not (user.is_staff and user.is_active):
        errors.append(FieldError(field=field, reason=_("is not an active staff member")))


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    kind: str,
    customer: Customer,
    title: str,
    due_at: dt.datetime,
    assignee: User | None = None,
    department: Department | None = None,
    unit: Unit | None = None,
    notes: str = "",
    touch: Touch | None = None,
    message: Message | None = None,
    parent: StaffTask | None = None,
) -> StaffTask:
    """Give a staff member (or a department's queue) a call, visit or proposal to do for a customer by a time."""
    errors: list[FieldError] = []
    title = (title or "").strip()
    if kind not in TaskKind.values:
        errors.append(FieldError(field="kind", reason=one_of(TaskKind.values)))
    if not title:
        errors.append(FieldError(field="title", reason=_("is required")))
    elif len(title) > 200:
        errors.append(FieldError(field="title", reason=interpolate(_("is longer than %(limit)s characters"), limit=200)))
    if due_at is None or timezone.is_naive(due_at):
        errors.append(FieldError(field="due_at", reason=_("must include a time zone, e.g. 2025-06-01T09:00:00+02:00")))
    if unit is not None and unit.customer_id != customer.pk:
        errors.append(FieldError(field="unit_id", reason=_("belongs to another customer")))
    staff_check(assignee, field="assignee_id", errors=errors)
    if errors:
        raise ValidationFailed(errors=errors)
    if touch is not None:
        existing = StaffTask.objects.filter(touch=touch).first()
        if existing is not None:
            return existing  # the touch already made its task (a repeated sweep)
    task = StaffTask.objects.create(
        kind=kind,
        title=title,
        customer=customer,
        unit=unit,
        assignee=assignee,
        department=department if assignee is None else None,
        due_at=due_at,
        notes=notes.strip(),
        touch=touch,
        message=message,
        parent=parent,
        created_by=_person(actor),
    )
    _history(
        task,
        TaskEventKind.CREATED,
        actor=actor,
        timeline="followup_task_created",
        data={"assignee": _holder(task), "due": _local(task.due_at)},
    )
    return task


def _open_task(task: StaffTask) -> StaffTask:
    task = StaffTask.objects.select_for_update(of=("self",)).select_related("customer", "assignee", "department").get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise Conflict(interpolate(_("This task is already %(status)s."), status=TaskStatus(task.status).label))
    return task


def _with_note(task: StaffTask, actor: User | None, note: str) -> None:
    if note:
        who = str(actor) if _person(actor) else gettext("system")
        task.notes = f"{task.notes}\n[{_local(timezone.now())} {who}] {note}".strip()


@transaction.atomic
def task_log_outcome(
    *, actor: User | None, task: StaffTask, outcome: str, note: str = "", retry_at: dt.datetime | None = None
) -> StaffTask:
    """Record how a call or visit went: fine and problem close it (a problem opens a ticket), no answer retries later."""
    task = _open_task(task)
    note = (note or "").strip()
    errors: list[FieldError] = []
    if outcome not in TaskOutcome.values or not outcome:
        errors.append(FieldError(field="outcome", reason=one_of([code for code in TaskOutcome.values if code])))
    now = timezone.now()
    if retry_at is not None and (timezone.is_naive(retry_at) or retry_at <= now):
        errors.append(FieldError(field="retry_at", reason=_("must be a later time, with its time zone")))
    if retry_at is not None and outcome != TaskOutcome.NO_ANSWER:
        errors.append(FieldError(field="retry_at", reason=_("is only used when nobody answered")))
    if outcome == TaskOutcome.REACHED_PROBLEM and not note:
        errors.append(FieldError(field="note", reason=_("describe the problem the customer reported")))
    if errors:
        raise ValidationFailed(errors=errors)

    if task.assignee_id is None and _person(actor):
        task.assignee, task.department = actor, None  # whoever works a queued task takes it
    task.attempts += 1
    task.outcome = outcome
    _with_note(task, actor, note)
    reached = outcome in (TaskOutcome.REACHED_FINE, TaskOutcome.REACHED_PROBLEM)
    given_up = outcome == TaskOutcome.NO_ANSWER and task.attempts >= max(1, settings.FOLLOWUP_CALL_ATTEMPTS)
    if outcome == TaskOutcome.NO_ANSWER and not given_up:
        task.retry_at = retry_at or now + dt.timedelta(hours=settings.FOLLOWUP_RETRY_HOURS)
        task.escalated_at = None  # overdue again after the retry time means escalating again
    else:
        task.status, task.completed_at, task.retry_at = TaskStatus.DONE, now, None
    task.save()
    if task.message_id and (reached or given_up):
        call_message_close(actor=actor, message=task.message, reached=reached, detail=note)  # type: ignore[arg-type]
    ticket = problem_report(actor=actor, task=task, note=note) if outcome == TaskOutcome.REACHED_PROBLEM else None
    _history(
        task,
        TaskEventKind.OUTCOME,
        actor=actor,
        timeline="followup_task_outcome",
        data={
            "outcome": outcome,
            "note": note,
            "reached": reached,
            "attempt": task.attempts,
            "retry_at": _local(task.retry_at) if task.retry_at else "",
            "ticket_id": ticket.pk if ticket else None,
            "ticket": ticket.reference if ticket else "",
            "ticket_number": ticket.number if ticket else None,
        },
    )
    return task


def problem_report(*, actor: User | None, task: StaffTask, note: str) -> Ticket:
    """Open a service-desk ticket for a problem the customer reported on a call or visit."""
    with translation.override(task.customer.language or settings.LANGUAGE_CODE):
        subject = gettext("Problem reported on a follow-up: %(title)s") % {"title": task.title}
        body = note.strip() or gettext("The customer reported a problem during a follow-up. No details were noted.")
    ticket = ticket_open(
        actor=actor,
        customer=task.customer,
        unit=task.unit,
        subject=subject[:200],
        body=body,
        kind=TicketKind.COMPLAINT,
        channel=TicketChannel.IN_PERSON if task.kind == TaskKind.VISIT else TicketChannel.PHONE,
        # One ticket per reported outcome, even if the request that logged it is retried.
        idempotency_key=f"followup-task:{task.pk}:problem:{task.attempts}",
    )
    return ticket


@transaction.atomic
def task_reassign(
    *, actor: User | None, task: StaffTask, assignee: User | None = None, department: Department | None = None
) -> StaffTask:
    """Give an open task to another staff member or to a department's queue."""
    task = _open_task(task)
    errors: list[FieldError] = []
    if assignee is None and department is None:
        errors.append(FieldError(field="assignee_id", reason=_("name a staff member or a queue")))
    staff_check(assignee, field="assignee_id", errors=errors)
    if errors:
        raise ValidationFailed(errors=errors)
    before = _holder(task)
    task.assignee, task.department = assignee, department if assignee is None else None
    task.save(update_fields=["assignee", "department", "updated_at"])
    if task.message_id:
        call_message_reassign(actor=actor, message=task.message, assignee=assignee)  # type: ignore[arg-type]
    _history(
        task,
        TaskEventKind.REASSIGNED,
        actor=actor,
        timeline="followup_task_reassigned",
        data={"from": before, "assignee": _holder(task)},
    )
    return task


@transaction.atomic
def task_cancel(*, actor: User | None, task: StaffTask, reason: str = "") -> StaffTask:
    """Cancel an open task that is no longer needed; its call is closed as not made."""
    task = _open_task(task)
    reason = (reason or "").strip()
    task.status, task.completed_at, task.retry_at = TaskStatus.CANCELLED, timezone.now(), None
    _with_note(task, actor, reason)
    task.save()
    if task.message_id:
        call_message_close(actor=actor, message=task.message, reached=False, detail=reason or "Cancelled.")  # type: ignore[arg-type]
    _history(task, TaskEventKind.CANCELLED, actor=actor, timeline="followup_task_cancelled", data={"reason": reason})
    return task


def service_managers() -> list[User]:
    """Return the active staff members who hold the service manager role."""
    return list(User.objects.filter(is_active=True, is_staff=True, groups__name=Role.SERVICE_MANAGER).distinct())


@transaction.atomic
def tasks_escalate_overdue(*, limit: int = 500) -> int:
    """Flag open tasks overdue beyond the allowed delay and tell the service managers, once per overdue spell."""
    now = timezone.now()
    late = now - dt.timedelta(hours=settings.FOLLOWUP_ESCALATE_AFTER_HOURS)
    overdue = list(
        StaffTask.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("customer", "assignee", "department")
        .annotate(next_due=Coalesce("retry_at", "due_at"))
        .filter(Q(status=TaskStatus.OPEN, escalated_at__isnull=True, next_due__lt=late))
        .order_by("next_due", "pk")[:limit]
    )
    for task in overdue:
        task.escalated_at = now
        task.save(update_fields=["escalated_at", "updated_at"])
        _history(task, TaskEventKind.ESCALATED, actor=None, timeline="followup_task_escalated", data={"assignee": _holder(task)})
    if overdue:
        _tell_managers([task.pk for task in overdue])
    return len(overdue)


def _tell_managers(task_ids: list[int]) -> None:
    """Put each overdue task in every service manager's inbox (emailed to those with an address)."""
    tasks = StaffTask.objects.filter(pk__in=task_ids).select_related("customer", "assignee", "department")
    managers = service_managers()
    for task in tasks:
        data = {
            "title": task.title,
            "customer": task.customer.name,
            "holder": _holder(task),
            "due": _local(task.retry_at or task.due_at),
        }
        for manager in managers:
            notification_send(user=manager, kind="followup_task_overdue", data=data, link=MY_DAY_PATH)
