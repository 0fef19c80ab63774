"""Reads of follow-up: playbooks, a staff member's day, the agenda of upcoming touches, who may work a task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.core.models import Language, User
from aftersales.core.permissions import is_staff_member
from aftersales.customers.models import Customer
from aftersales.followup.due import Window, last_contact_expression, local_midnight, step_occurrences, step_occurrences_count
from aftersales.followup.models import Playbook, PlaybookStep, StaffTask, TaskStatus, Touch
from aftersales.sales.models import Unit, UnitStatus
from aftersales.service.models import ACTIVE_STATUSES, Ticket

MANAGE_TASKS = "followup.manage_stafftasks"


# --- playbooks ------------------------------------------------------------------------------------


def steps_running() -> list[PlaybookStep]:
    """Return the active steps of active playbooks, with what their conditions need."""
    return list(
        PlaybookStep.objects.filter(active=True, playbook__active=True)
        .select_related("playbook", "assignee", "department")
        .prefetch_related("segments", "categories", "playbook__segments", "playbook__categories")
        .order_by("playbook_id", "position", "pk")
    )


def playbooks_all() -> QuerySet[Playbook]:
    """Return every playbook with its steps, scope and conditions loaded."""
    steps = PlaybookStep.objects.select_related("assignee", "department").prefetch_related("segments", "categories")
    return Playbook.objects.prefetch_related(
        Prefetch("steps", queryset=steps.order_by("position", "pk")), "segments", "categories"
    ).order_by("name")


# --- tasks ----------------------------------------------------------------------------------------


def tasks_visible_to(user: Any) -> QuerySet[StaffTask]:
    """Return the tasks a user may see: all for staff with the permission, none otherwise."""
    if is_staff_member(user) and user.has_perm("followup.view_stafftask"):
        return StaffTask.objects.select_related("customer", "unit__product", "assignee", "department", "message", "touch__step")
    return StaffTask.objects.none()


def tasks_filtered(
    *,
    queryset: QuerySet[StaffTask],
    assignee_id: int | None = None,
    status: str = "",
    kind: str = "",
    customer_id: int | None = None,
    overdue: bool = False,
    escalated: bool = False,
) -> QuerySet[StaffTask]:
    """Return the tasks matching the filters, the most urgent first."""
    if assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    queryset = queryset.annotate(next_due=Coalesce("retry_at", "due_at"))
    if overdue:
        queryset = queryset.filter(status=TaskStatus.OPEN, next_due__lt=timezone.now())
    if escalated:
        queryset = queryset.filter(status=TaskStatus.OPEN, escalated_at__isnull=False)
    return queryset.order_by("next_due", "pk")


def task_workable_by(user: Any, task: StaffTask) -> bool:
    """Return whether a user may log an outcome on a task: theirs, their department's queue, or any for managers."""
    if not is_staff_member(user) or not user.has_perm("followup.change_stafftask"):
        return False
    if user.has_perm(MANAGE_TASKS) or task.assignee_id == user.pk:
        return True
    return task.assignee_id is None and (task.department_id is None or task.department_id == user.department_id)


def task_with_history(*, queryset: QuerySet[StaffTask], task_id: int) -> StaffTask | None:
    """Return one task with its history in order, or None when it is not visible."""
    return queryset.prefetch_related("events__actor").filter(pk=task_id).first()


def open_tickets_count(customer_ids: list[int]) -> dict[int, int]:
    """Return how many open service-desk tickets each customer has."""
    rows = (
        Ticket.objects.filter(customer_id__in=customer_ids, status__in=ACTIVE_STATUSES, merged_into__isnull=True)
        .values("customer_id")
        .annotate(count=Count("pk"))
    )
    return {row["customer_id"]: row["count"] for row in rows}


@dataclass(frozen=True)
class DayTask:
    """A task on someone's day, with what they need to know about the customer before calling."""

    task: StaffTask
    overdue: bool
    due_today: bool
    products: list[str] = field(default_factory=list)
    open_tickets: int = 0
    last_contact_at: dt.datetime | None = None


# My day also shows work due in the next days (a visit "within 48 hours" found this morning), but not
# a call waiting for its retry on a later day: that one comes back on its day.
MY_DAY_LOOKAHEAD = dt.timedelta(days=3)


def tasks_my_day(*, user: User, day: dt.date | None = None) -> list[DayTask]:
    """Return the open tasks a staff member works on a day: theirs and their queue's, overdue first, then by due time."""
    day = day or timezone.localdate()
    end = local_midnight(day + dt.timedelta(days=1))
    mine = Q(assignee=user)
    if user.department_id:
        mine |= Q(assignee__isnull=True, department_id=user.department_id)
    tasks = list(
        StaffTask.objects.filter(mine, status=TaskStatus.OPEN)
        .filter(Q(retry_at__isnull=True, due_at__lt=end + MY_DAY_LOOKAHEAD) | Q(retry_at__lt=end))
        .select_related("customer", "unit__product", "assignee", "department", "message")
        .annotate(next_due=Coalesce("retry_at", "due_at"))
        .order_by("next_due", "pk")
    )
    return tasks_in_context(tasks, language=user.language, day=day)


def tasks_in_context(tasks: Sequence[StaffTask], *, language: str, day: dt.date | None = None) -> list[DayTask]:
    """Return tasks with what their worker needs to know about each customer (products, open issues, last contact)."""
    end = local_midnight((day or timezone.localdate()) + dt.timedelta(days=1))
    customer_ids = sorted({task.customer_id for task in tasks})
    units = Unit.objects.filter(customer_id__in=customer_ids, status=UnitStatus.IN_SERVICE).select_related("product")
    products: dict[int, list[str]] = {}
    for unit in units.order_by("customer_id", "-created_at"):
        products.setdefault(unit.customer_id, []).append(f"{unit.product.display_name(language)} ({unit.serial})")
    contacts = dict(
        Customer.objects.filter(pk__in=customer_ids).annotate(last=last_contact_expression()).values_list("pk", "last")
    )
    tickets = open_tickets_count(customer_ids)
    now = timezone.now()
    return [
        DayTask(
            task=task,
            overdue=task.status == TaskStatus.OPEN and task.next_due_at < now,
            due_today=task.next_due_at < end,
            products=products.get(task.customer_id, []),
            open_tickets=tickets.get(task.customer_id, 0),
            last_contact_at=contacts.get(task.customer_id),
        )
        for task in tasks
    ]


# --- touches --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingTouch:
    """A touch the playbooks will make, computed from their current definitions."""

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


def touches_upcoming(
    *,
    customer: Customer | None = None,
    rep: User | None = None,
    days: int = 30,
    today: dt.date | None = None,
    language: str = Language.ENGLISH,
) -> list[UpcomingTouch]:
    """Return the touches due from today for a customer, or for a rep's customers, in the next days, soonest first.

    Step and playbook names are in the reader's language.

    The same SQL as the sweep, over a future window: change a step and the agenda changes with it.
    """
    today = today or timezone.localdate()
    window = Window(today, today + dt.timedelta(days=max(1, days)))
    customers = Customer.objects.all()
    if customer is not None:
        customers = customers.filter(pk=customer.pk)
    if rep is not None:
        customers = customers.filter(pk__in=Customer.objects.filter(sales__sales_rep=rep).values("pk"))
    found = [(step, occurrence) for step in steps_running() for occurrence in step_occurrences(step, window, customers=customers)]
    names = dict(
        Customer.objects.filter(pk__in={occurrence.customer_id for _step, occurrence in found}).values_list("pk", "name")
    )
    upcoming = [
        UpcomingTouch(
            due_on=occurrence.due_on,
            customer_id=occurrence.customer_id,
            customer_name=names.get(occurrence.customer_id, ""),
            unit_id=occurrence.unit_id,
            step_id=step.pk,
            step_name=step.display_name(language),
            playbook_name=step.playbook.display_name(language),
            action=step.action,
            channel=step.channel,
            template_code=step.template_code,
        )
        for step, occurrence in found
    ]
    return sorted(upcoming, key=lambda touch: (touch.due_on, touch.customer_name, touch.step_id))


def touches_of_customer(*, customer_id: int) -> QuerySet[Touch]:
    """Return what the playbooks did for a customer, newest first."""
    return (
        Touch.objects.filter(customer_id=customer_id)
        .select_related("step__playbook", "unit__product", "message", "task")
        .order_by("-due_on", "-pk")
    )


def steps_upcoming_counts(*, steps: list[PlaybookStep], days: int = 30, today: dt.date | None = None) -> dict[int, int]:
    """Return, per step, how many touches its current definition will make from today over the next days.

    Counted in the database with the sweep's own query over a future window, so the editor's figure is
    what the sweep will do if nothing changes.
    """
    today = today or timezone.localdate()
    window = Window(today, today + dt.timedelta(days=max(1, days)))
    return {step.pk: step_occurrences_count(step, window) for step in steps}


@dataclass(frozen=True)
class TouchLinks:
    """What a touch led to: the message it queued and the task it created, if any."""

    message_id: int | None
    task_id: int | None


def touches_links(touch_ids: list[int]) -> dict[int, TouchLinks]:
    """Return the message and task each of the touches led to, in one query."""
    rows = Touch.objects.filter(pk__in=touch_ids).values_list("pk", "message_id", "task__pk")
    return {pk: TouchLinks(message_id, task_id) for pk, message_id, task_id in rows}
