"""REST endpoints of follow-up: playbooks and steps, staff tasks and their outcomes, the agenda of upcoming touches."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.models import Department, User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_visible_to
from aftersales.followup import selectors, services
from aftersales.followup.models import Playbook, PlaybookStep, StaffTask
from aftersales.followup.schemas import (
    CancelIn,
    DayTaskOut,
    OutcomeIn,
    PlaybookIn,
    PlaybookOut,
    PlaybookPatch,
    ReassignIn,
    StepIn,
    StepOut,
    StepPatch,
    TaskDetailOut,
    TaskIn,
    TaskOut,
    TouchOut,
    UpcomingOut,
)
from aftersales.sales.models import Unit

router = Router(tags=["followup"])


class TaskFilter(Schema):
    assignee_id: int | None = None
    status: str = ""
    kind: str = ""
    customer_id: int | None = None
    overdue: bool = False
    escalated: bool = False


class DayFilter(Schema):
    day: dt.date | None = None
    user_id: int | None = None


class AgendaFilter(Schema):
    days: int = 30


def _playbook(playbook_id: int) -> Playbook:
    playbook = selectors.playbooks_all().filter(pk=playbook_id).first()
    if playbook is None:
        raise NotFound(_("No such playbook."))
    return playbook


def _step(step_id: int) -> PlaybookStep:
    step = PlaybookStep.objects.select_related("playbook").filter(pk=step_id).first()
    if step is None:
        raise NotFound(_("No such step."))
    return step


def _task(request: HttpRequest, task_id: int) -> StaffTask:
    task = selectors.task_with_history(queryset=selectors.tasks_visible_to(request.user), task_id=task_id)
    if task is None:
        raise NotFound(_("No such task."))
    return task


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _staff(user_id: int | None) -> User | None:
    if not user_id:
        return None
    user = User.objects.filter(pk=user_id, is_staff=True).first()
    if user is None:
        raise NotFound(_("No such staff member."))
    return user


def _department(department_id: int | None) -> Department | None:
    if not department_id:
        return None
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise NotFound(_("No such department."))
    return department


# --- playbooks ------------------------------------------------------------------------------------


@router.get("/followup/playbooks", response=list[PlaybookOut])
def playbook_list(request: HttpRequest) -> Any:
    require_perm(request.user, "followup.view_playbook")
    return selectors.playbooks_all()


@router.post("/followup/playbooks", response={201: PlaybookOut})
def playbook_create(request: HttpRequest, payload: PlaybookIn) -> Any:
    require_perm(request.user, "followup.add_playbook")
    playbook = services.playbook_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]
    return 201, _playbook(playbook.pk)


@router.get("/followup/playbooks/{playbook_id}", response=PlaybookOut)
def playbook_get(request: HttpRequest, playbook_id: int) -> Any:
    require_perm(request.user, "followup.view_playbook")
    return _playbook(playbook_id)


@router.patch("/followup/playbooks/{playbook_id}", response=PlaybookOut)
def playbook_update(request: HttpRequest, playbook_id: int, payload: PlaybookPatch) -> Any:
    require_perm(request.user, "followup.change_playbook")
    data = payload.dict(exclude_unset=True)
    services.playbook_update(actor=request.user, playbook=_playbook(playbook_id), data=data)  # type: ignore[arg-type]
    return _playbook(playbook_id)


@router.delete("/followup/playbooks/{playbook_id}", response={204: None})
def playbook_delete(request: HttpRequest, playbook_id: int) -> Any:
    require_perm(request.user, "followup.delete_playbook")
    services.playbook_delete(actor=request.user, playbook=_playbook(playbook_id))  # type: ignore[arg-type]
    return 204, None


@router.post("/followup/playbooks/{playbook_id}/steps", response={201: StepOut})
def step_create(request: HttpRequest, playbook_id: int, payload: StepIn) -> Any:
    require_perm(request.user, "followup.change_playbook")
    data = payload.dict(exclude_none=True)
    return 201, services.step_create(actor=request.user, playbook=_playbook(playbook_id), data=data)  # type: ignore[arg-type]


@router.patch("/followup/steps/{step_id}", response=StepOut)
def step_update(request: HttpRequest, step_id: int, payload: StepPatch) -> Any:
    require_perm(request.user, "followup.change_playbook")
    data = payload.dict(exclude_unset=True)
    return services.step_update(actor=request.user, step=_step(step_id), data=data)  # type: ignore[arg-type]


@router.delete("/followup/steps/{step_id}", response={204: None})
def step_delete(request: HttpRequest, step_id: int) -> Any:
    require_perm(request.user, "followup.change_playbook")
    services.step_delete(actor=request.user, step=_step(step_id))  # type: ignore[arg-type]
    return 204, None


# --- tasks ----------------------------------------------------------------------------------------


@router.get("/followup/tasks", response=list[TaskOut])
@paginate(Paged)
def task_list(request: HttpRequest, filters: Query[TaskFilter]) -> Any:
    require_perm(request.user, "followup.view_stafftask")
    return selectors.tasks_filtered(queryset=selectors.tasks_visible_to(request.user), **filters.dict())


@router.post("/followup/tasks", response={201: TaskOut})
def task_create(request: HttpRequest, payload: TaskIn) -> Any:
    require_perm(request.user, "followup.add_stafftask")
    customer = _customer(request, payload.customer_id)
    unit = Unit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    if payload.unit_id and unit is None:
        raise NotFound(_("No such unit."))
    task = services.task_create(
        actor=request.user,  # type: ignore[arg-type]
        kind=payload.kind,
        customer=customer,
        unit=unit,
        title=payload.title,
        due_at=payload.due_at,
        assignee=_staff(payload.assignee_id),
        department=_department(payload.department_id),
        notes=payload.notes,
    )
    return 201, _task(request, task.pk)


@router.get("/followup/tasks/my-day", response=list[DayTaskOut])
def task_my_day(request: HttpRequest, filters: Query[DayFilter]) -> Any:
    require_perm(request.user, "followup.view_stafftask")
    user = request.user
    if filters.user_id and filters.user_id != user.pk:
        require_perm(user, selectors.MANAGE_TASKS)
        user = _staff(filters.user_id)  # type: ignore[assignment]
    return selectors.tasks_my_day(user=user, day=filters.day)  # type: ignore[arg-type]


@router.get("/followup/tasks/{task_id}", response=TaskDetailOut)
def task_get(request: HttpRequest, task_id: int) -> Any:
    require_perm(request.user, "followup.view_stafftask")
    return _task(request, task_id)


@router.post("/followup/tasks/{task_id}/outcome", response=TaskDetailOut)
def task_log_outcome(request: HttpRequest, task_id: int, payload: OutcomeIn) -> Any:
    require_perm(request.user, "followup.change_stafftask")
    task = _task(request, task_id)
    if not selectors.task_workable_by(request.user, task):
        raise PermissionDenied(_("This task belongs to someone else."))
    services.task_log_outcome(actor=request.user, task=task, **payload.dict())  # type: ignore[arg-type]
    return _task(request, task_id)


@router.post("/followup/tasks/{task_id}/reassign", response=TaskDetailOut)
def task_reassign(request: HttpRequest, task_id: int, payload: ReassignIn) -> Any:
    require_perm(request.user, "followup.change_stafftask")
    task = _task(request, task_id)
    if not selectors.task_workable_by(request.user, task):
        raise PermissionDenied(_("This task belongs to someone else."))
    assignee, department = _staff(payload.assignee_id), _department(payload.department_id)
    services.task_reassign(actor=request.user, task=task, assignee=assignee, department=department)  # type: ignore[arg-type]
    return _task(request, task_id)


@router.post("/followup/tasks/{task_id}/cancel", response=TaskDetailOut)
def task_cancel(request: HttpRequest, task_id: int, payload: CancelIn) -> Any:
    require_perm(request.user, selectors.MANAGE_TASKS)
    services.task_cancel(actor=request.user, task=_task(request, task_id), reason=payload.reason)  # type: ignore[arg-type]
    return _task(request, task_id)


# --- touches --------------------------------------------------------------------------------------


@router.get("/followup/customers/{customer_id}/upcoming", response=list[UpcomingOut])
def customer_upcoming(request: HttpRequest, customer_id: int, filters: Query[AgendaFilter]) -> Any:
    require_perm(request.user, "followup.view_touch")
    return selectors.touches_upcoming(customer=_customer(request, customer_id), days=min(max(filters.days, 1), 366))


@router.get("/followup/customers/{customer_id}/touches", response=list[TouchOut])
@paginate(Paged)
def customer_touches(request: HttpRequest, customer_id: int) -> Any:
    require_perm(request.user, "followup.view_touch")
    return selectors.touches_of_customer(customer_id=_customer(request, customer_id).pk)


@router.get("/followup/reps/{rep_id}/upcoming", response=list[UpcomingOut])
def rep_upcoming(request: HttpRequest, rep_id: int, filters: Query[AgendaFilter]) -> Any:
    require_perm(request.user, "followup.view_touch")
    return selectors.touches_upcoming(rep=_staff(rep_id), days=min(max(filters.days, 1), 366))
