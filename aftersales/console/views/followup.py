"""Console screens of follow-up: the playbook editor, my day, a task's page, the agenda and the customer's coming-up panel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category
from aftersales.console.access import forbidden, staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.forms_followup import OutcomeForm, PlaybookForm, ReassignForm, StepForm
from aftersales.console.selectors import followup_reps
from aftersales.console.views.common import page_of
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import Department, User
from aftersales.customers.models import Customer, Segment
from aftersales.customers.selectors import customers_visible_to
from aftersales.followup import selectors, services
from aftersales.followup.describe import StepDraft, StepSentences, draft_describe, step_describe
from aftersales.followup.models import Playbook, PlaybookStep, StaffTask, StaffTaskEvent, TaskEventKind, TaskOutcome, TaskStatus
from aftersales.followup.services.playbooks import step_clean

MANAGE_TASKS = selectors.MANAGE_TASKS
AGENDA_DAYS = (30, 90)


def _language() -> str:
    return get_language() or "en"


# --- playbooks ------------------------------------------------------------------------------------


def _playbook(playbook_id: int) -> Playbook:
    playbook = selectors.playbooks_all().select_related("updated_by").filter(pk=playbook_id).first()
    if playbook is None:
        raise Http404(_("No such playbook."))
    return playbook


def _step(step_id: int) -> PlaybookStep:
    step = (
        PlaybookStep.objects.select_related("playbook", "assignee", "department")
        .prefetch_related("segments", "categories")
        .filter(pk=step_id)
        .first()
    )
    if step is None:
        raise Http404(_("No such step."))
    return step


@dataclass(frozen=True)
class StepRow:
    step: PlaybookStep
    sentences: StepSentences
    upcoming: int | None


@staff_view("followup.view_playbook")
def playbook_list(request: HttpRequest) -> HttpResponse:
    playbooks = selectors.playbooks_all().select_related("updated_by")
    return render(request, "console/followup/playbooks.html", {"section": "playbooks", "playbooks": playbooks})


@staff_view("followup.view_playbook")
def playbook_edit(request: HttpRequest, playbook_id: int | None = None) -> HttpResponse:
    """Show a playbook with its scope and its steps in order; managers change it here."""
    playbook = _playbook(playbook_id) if playbook_id else None
    may_edit = request.user.has_perm("followup.change_playbook" if playbook else "followup.add_playbook")
    if playbook is None and not may_edit:
        return forbidden(request, _("Your role does not allow you to create playbooks."))
    form = PlaybookForm(request.POST or None, initial=PlaybookForm.initial_for(playbook), language=_language())
    if request.method == "POST":
        if not may_edit:
            return forbidden(request, _("Your role does not allow you to change playbooks."))
        if form.is_valid():
            try:
                if playbook:
                    saved = services.playbook_update(actor=request.user, playbook=playbook, data=form.cleaned_data)  # type: ignore[arg-type]
                else:
                    saved = services.playbook_create(actor=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("Playbook “%(name)s” saved.") % {"name": saved.name})
                return redirect("console:followup_playbook", saved.pk)
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    steps = list(playbook.steps.all()) if playbook else []
    running = [step for step in steps if step.active] if playbook and playbook.active else []
    counts = selectors.steps_upcoming_counts(steps=running, days=30)
    rows = [StepRow(step, step_describe(step, language=_language()), counts.get(step.pk)) for step in steps]
    context = {
        "section": "playbooks",
        "playbook": playbook,
        "form": form,
        "rows": rows,
        "may_edit": may_edit,
        "may_delete": playbook is not None and request.user.has_perm("followup.delete_playbook"),
    }
    return render(request, "console/followup/playbook.html", context)


@staff_view("followup.delete_playbook")
@require_POST
def playbook_delete(request: HttpRequest, playbook_id: int) -> HttpResponse:
    playbook = _playbook(playbook_id)
    try:
        services.playbook_delete(actor=request.user, playbook=playbook)  # type: ignore[arg-type]
    except Conflict as conflict:
        messages.error(request, str(conflict.message))
        return redirect("console:followup_playbook", playbook.pk)
    messages.success(request, _("Playbook “%(name)s” deleted.") % {"name": playbook.name})
    return redirect("console:followup_playbooks")


@staff_view("followup.view_playbook")
def step_edit(request: HttpRequest, playbook_id: int | None = None, step_id: int | None = None) -> HttpResponse:
    """Add or change a step, with a plain-language preview of what it will do."""
    step = _step(step_id) if step_id else None
    playbook = step.playbook if step else _playbook(playbook_id or 0)
    may_edit = request.user.has_perm("followup.change_playbook")
    if step is None and not may_edit:
        return forbidden(request, _("Your role does not allow you to change playbooks."))
    form = StepForm(request.POST or None, initial=StepForm.initial_for(step), language=_language())
    if request.method == "POST":
        if not may_edit:
            return forbidden(request, _("Your role does not allow you to change playbooks."))
        if form.is_valid():
            try:
                if step:
                    saved = services.step_update(actor=request.user, step=step, data=form.step_data())  # type: ignore[arg-type]
                else:
                    saved = services.step_create(actor=request.user, playbook=playbook, data=form.step_data())  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("Step “%(name)s” saved.") % {"name": saved.name})
                return redirect(reverse("console:followup_playbook", args=[playbook.pk]) + f"#step-{saved.pk}")
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "section": "playbooks",
        "playbook": playbook,
        "step": step,
        "form": form,
        "may_edit": may_edit,
        "may_delete": step is not None and may_edit,
    }
    return render(request, "console/followup/step_edit.html", context)


# The editor's fields the preview reads through the services' own parsing.
_PREVIEW_FIELDS = ("trigger", "action", "template_code", "channel", "assign_to", "consent_channel", "min_sale_value")
_PREVIEW_NUMBERS = ("offset_days", "repeat_months", "catch_up_days", "task_due_hours")


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _draft(data: Any) -> StepDraft:
    """Read a step from the editor's fields as they are, valid or not, for the preview."""
    cleaned, _refused = step_clean({name: data.get(name, "") for name in (*_PREVIEW_FIELDS, *_PREVIEW_NUMBERS)})
    language = _language()
    assignee = User.objects.filter(pk__in=_ids([data.get("assignee_id", "")]), is_staff=True).first()
    department = Department.objects.filter(pk__in=_ids([data.get("department_id", "")])).first()
    segments = Segment.objects.filter(pk__in=_ids(data.getlist("segment_ids"))).order_by("name")
    categories = Category.objects.filter(pk__in=_ids(data.getlist("category_ids"))).order_by("name")
    return StepDraft(
        trigger=cleaned["trigger"],
        offset_days=cleaned["offset_days"] or 0,
        repeat_months=cleaned["repeat_months"],
        catch_up_days=cleaned["catch_up_days"] or 0,
        action=cleaned["action"],
        template_code=cleaned["template_code"],
        channel=cleaned["channel"],
        assign_to=cleaned["assign_to"],
        assignee=str(assignee) if assignee else "",
        department=department.display_name(language) if department else "",
        task_due_hours=cleaned["task_due_hours"] or 24,
        segments=[segment.name for segment in segments],
        categories=[category.display_name(language) for category in categories],
        consent_channel=cleaned["consent_channel"],
        min_sale_value=cleaned["min_sale_value"],
    )


@staff_view("followup.view_playbook")
@require_POST
def step_preview(request: HttpRequest) -> HttpResponse:
    """Say in plain words what the step in the editor will do (the editor's live preview)."""
    context: dict[str, Any] = {"sentences": draft_describe(_draft(request.POST))}
    step_id = request.POST.get("step_id", "")
    if step_id.isdigit():
        step = PlaybookStep.objects.select_related("playbook").filter(pk=int(step_id)).first()
        if step is not None and step.active and step.playbook.active:
            context["upcoming"] = selectors.steps_upcoming_counts(steps=[_step(step.pk)], days=30)[step.pk]
        context["saved"] = step
    return render(request, "console/followup/_step_preview.html", context)


def _back_to_steps(playbook: Playbook, step: PlaybookStep | None = None) -> HttpResponse:
    anchor = f"#step-{step.pk}" if step else "#steps"
    return redirect(reverse("console:followup_playbook", args=[playbook.pk]) + anchor)


@staff_view("followup.view_playbook", "followup.change_playbook")
@require_POST
def step_move(request: HttpRequest, step_id: int) -> HttpResponse:
    """Move a step one place up or down in its playbook."""
    step = _step(step_id)
    order = list(step.playbook.steps.order_by("position", "pk").values_list("pk", flat=True))
    index = order.index(step.pk)
    target = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        services.steps_reorder(actor=request.user, playbook=step.playbook, step_ids=order)  # type: ignore[arg-type]
    return _back_to_steps(step.playbook, step)


@staff_view("followup.view_playbook", "followup.change_playbook")
@require_POST
def step_switch(request: HttpRequest, step_id: int) -> HttpResponse:
    """Switch a step on or off; occurrences not yet due follow at once."""
    step = _step(step_id)
    try:
        services.step_update(actor=request.user, step=step, data={"active": request.POST.get("active") == "1"})  # type: ignore[arg-type]
    except ValidationFailed as failure:
        reasons = "; ".join(f"{error.field}: {error.reason}" for error in failure.errors)
        messages.error(request, _("The step cannot be switched on until it is corrected: %(reasons)s") % {"reasons": reasons})
    return _back_to_steps(step.playbook, step)


@staff_view("followup.view_playbook", "followup.change_playbook")
@require_POST
def step_delete(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _step(step_id)
    try:
        services.step_delete(actor=request.user, step=step)  # type: ignore[arg-type]
    except Conflict as conflict:
        messages.error(request, str(conflict.message))
        return _back_to_steps(step.playbook, step)
    messages.success(request, _("Step “%(name)s” deleted.") % {"name": step.name})
    return _back_to_steps(step.playbook)


# --- tasks ----------------------------------------------------------------------------------------


def _task(request: HttpRequest, task_id: int) -> StaffTask:
    task = selectors.task_with_history(queryset=selectors.tasks_visible_to(request.user), task_id=task_id)
    if task is None:
        raise Http404(_("No such task."))
    return task


def _day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()


def _row(request: HttpRequest, row: selectors.DayTask, *, day: dt.date, form: OutcomeForm | None = None) -> dict[str, Any]:
    """Return what a task's row shows: the task with its customer's context, and whether this user may work it."""
    workable = row.task.status == TaskStatus.OPEN and selectors.task_workable_by(request.user, row.task)
    return {"row": row, "day": day, "form": form or OutcomeForm(), "workable": workable}


def _rows(request: HttpRequest, tasks: list[StaffTask], *, day: dt.date) -> list[dict[str, Any]]:
    in_context = selectors.tasks_in_context(tasks, language=request.user.language, day=day)  # type: ignore[union-attr]
    return [_row(request, row, day=day) for row in in_context]


def _whose(request: HttpRequest, chosen: str) -> User | None:
    """Return the staff member whose day or agenda to show: the signed-in one unless a manager picks another (None: refused)."""
    user: User = request.user  # type: ignore[assignment]
    if not chosen.isdigit() or int(chosen) == user.pk:
        return user
    if not user.has_perm(MANAGE_TASKS):
        return None
    other = User.objects.filter(pk=int(chosen), is_staff=True).first()
    if other is None:
        raise Http404(_("No such staff member."))
    return other


@staff_view("followup.view_stafftask")
def my_day(request: HttpRequest) -> HttpResponse:
    """List today's (or a chosen day's) calls and visits with the customer's context, overdue ones first."""
    day = _day(request.GET.get("day"))
    may_manage = request.user.has_perm(MANAGE_TASKS)
    person = _whose(request, request.GET.get("user", ""))
    if person is None:
        return forbidden(request, _("Only managers can open someone else's day."))
    rows = [_row(request, row, day=day) for row in selectors.tasks_my_day(user=person, day=day)]
    escalated = []
    if may_manage:
        listed = [item["row"].task.pk for item in rows]
        found = selectors.tasks_filtered(queryset=selectors.tasks_visible_to(request.user), escalated=True).exclude(pk__in=listed)
        escalated = _rows(request, list(found[:100]), day=day)
    context = {
        "section": "my_day",
        "day": day,
        "today": timezone.localdate(),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "person": person,
        "rows": rows,
        "escalated": escalated,
        "staff": followup_reps(include_all_staff=True) if may_manage else [],
    }
    return render(request, "console/followup/my_day.html", context)


@staff_view("followup.view_stafftask")
@require_POST
def task_outcome(request: HttpRequest, task_id: int) -> HttpResponse:
    """Log how a call or visit went; with htmx the task's row is redrawn in place."""
    task = _task(request, task_id)
    if not selectors.task_workable_by(request.user, task):
        return forbidden(request, _("This task belongs to someone else."))
    day = _day(request.POST.get("day"))
    form = OutcomeForm(request.POST)
    logged = False
    if form.is_valid():
        try:
            task = services.task_log_outcome(
                actor=request.user,  # type: ignore[arg-type]
                task=task,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                retry_at=form.retry_moment(timezone.now()),
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        except Conflict as conflict:
            form.add_error(None, str(conflict.message))
        else:
            logged = True
    if request.htmx:  # type: ignore[attr-defined]
        (context,) = _rows(request, [_task(request, task.pk)], day=day)
        if not logged:
            context["form"] = form
        return render(request, "console/followup/_task_row.html", {**context, "logged": logged})
    if logged:
        messages.success(request, _("Outcome logged."))
    else:
        errors = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, "; ".join(errors))
    return redirect("console:followup_task", task.pk)


def _history(task: StaffTask) -> list[tuple[StaffTaskEvent, str]]:
    """Return the task's history with a line of words for each event."""
    outcomes = dict(TaskOutcome.choices)
    lines = []
    for event in task.events.all():
        data = event.data or {}
        if event.kind == TaskEventKind.OUTCOME:
            text = str(outcomes.get(data.get("outcome", ""), data.get("outcome", "")))
            if data.get("retry_at"):
                text = _("%(outcome)s; try again %(when)s") % {"outcome": text, "when": data["retry_at"]}
            if data.get("note"):
                text = f"{text}: {data['note']}"
        elif event.kind == TaskEventKind.CANCELLED:
            text = data.get("reason", "")
        else:
            text = data.get("assignee", "")
        lines.append((event, text))
    return lines


@staff_view("followup.view_stafftask")
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    context = {
        "section": "my_day",
        **_rows(request, [task], day=timezone.localdate())[0],
        "task": task,
        "history": _history(task),
        "reassign": ReassignForm(language=_language()),
        "may_cancel": task.status == TaskStatus.OPEN and request.user.has_perm(MANAGE_TASKS),
    }
    return render(request, "console/followup/task.html", context)


@staff_view("followup.view_stafftask", "followup.change_stafftask")
@require_POST
def task_reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    if task.status != TaskStatus.OPEN or not selectors.task_workable_by(request.user, task):
        return forbidden(request, _("This task belongs to someone else."))
    form = ReassignForm(request.POST, language=_language())
    if form.is_valid():
        assignee = User.objects.filter(pk=form.cleaned_data["assignee_id"] or 0).first()
        department = Department.objects.filter(pk=form.cleaned_data["department_id"] or 0).first()
        try:
            services.task_reassign(actor=request.user, task=task, assignee=assignee, department=department)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            messages.error(request, "; ".join(str(error.reason) for error in failure.errors))
        else:
            messages.success(request, _("The task was passed on."))
    else:
        messages.error(request, "; ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("console:followup_task", task.pk)


@staff_view("followup.view_stafftask", MANAGE_TASKS)
@require_POST
def task_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    try:
        services.task_cancel(actor=request.user, task=task, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
    except Conflict as conflict:
        messages.error(request, str(conflict.message))
    else:
        messages.success(request, _("The task was cancelled."))
    return redirect("console:followup_task", task.pk)


# --- the agenda of upcoming touches ---------------------------------------------------------------


def _days(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) in AGENDA_DAYS else AGENDA_DAYS[0]


@staff_view("followup.view_touch")
def agenda(request: HttpRequest) -> HttpResponse:
    """List the touches coming up for a rep's customers (the signed-in rep unless a manager picks another)."""
    days = _days(request.GET.get("days"))
    may_pick = request.user.has_perm(MANAGE_TASKS)
    rep = _whose(request, request.GET.get("rep", ""))
    if rep is None:
        return forbidden(request, _("Only managers can open another rep's agenda."))
    page = page_of(request, selectors.touches_upcoming(rep=rep, days=days, language=_language()), per_page=100)
    groups = [(day, list(touches)) for day, touches in groupby(page.object_list, key=lambda touch: touch.due_on)]
    context = {
        "section": "agenda",
        "rep": rep,
        "days": days,
        "choices": AGENDA_DAYS,
        "page": page,
        "groups": groups,
        "reps": followup_reps() if may_pick else [],
    }
    return render(request, "console/followup/agenda.html", context)


def coming_up(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Return the customer page's "Coming up" panel: upcoming touches and open tasks (None without the permission)."""
    if not request.user.has_perm("followup.view_touch"):
        return None
    days = _days(request.GET.get("upcoming"))
    tasks: list[StaffTask] = []
    if request.user.has_perm("followup.view_stafftask"):
        found = selectors.tasks_filtered(queryset=selectors.tasks_visible_to(request.user), customer_id=customer.pk)
        tasks = list(found.filter(status=TaskStatus.OPEN)[:20])
    touches = selectors.touches_upcoming(customer=customer, days=days, language=_language())
    return {"customer": customer, "days": days, "choices": AGENDA_DAYS, "touches": touches, "tasks": tasks}


@staff_view("followup.view_touch")
def customer_coming_up(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise Http404(_("No such customer."))
    return render(request, "console/followup/_coming_up.html", {"coming_up": coming_up(request, customer)})
