"""Staff tasks: outcomes, retries after no answer, problems handed on, reassignment, escalation of overdue work."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import Department, TimelineEvent
from aftersales.followup.models import StaffTask, StaffTaskEvent, TaskKind, TaskOutcome, TaskStatus
from aftersales.followup.services import task_cancel, task_create, task_log_outcome, task_reassign, tasks_escalate_overdue
from aftersales.messaging.models import MessageStatus
from tests.factories import CustomerFactory, staff
from tests.followup.helpers import COURTESY_CALL, at, bought, only_steps, sweep_on

pytestmark = pytest.mark.django_db

DELIVERED = dt.date(2025, 3, 3)
CALL_DAY = DELIVERED + dt.timedelta(days=7)


@pytest.fixture
def seller(db):
    return staff("sales_rep", language="en")


@pytest.fixture
def call(seller):
    """The courtesy call the default playbook gave the selling rep."""
    only_steps(COURTESY_CALL)
    bought(CustomerFactory(name="Ana"), sold_on=DELIVERED, delivered_on=DELIVERED, rep=seller)
    sweep_on(CALL_DAY)
    return StaffTask.objects.select_related("message").get()


def test_reached_and_fine_closes_the_task_and_its_call_message(call, seller):
    with time_machine.travel(at(CALL_DAY, 15), tick=False):
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.REACHED_FINE, note="Very happy")
    call.refresh_from_db()
    call.message.refresh_from_db()
    assert (call.status, call.outcome, call.attempts) == (TaskStatus.DONE, TaskOutcome.REACHED_FINE, 1)
    assert call.message.status == MessageStatus.SENT
    assert "Very happy" in call.notes
    event = TimelineEvent.objects.get(kind="followup_task_outcome")
    assert (event.data["outcome"], event.data["reached"], event.actor) == ("reached_fine", True, seller)
    with pytest.raises(Conflict):
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.REACHED_FINE)


def test_no_answer_keeps_one_task_that_comes_back_later_and_gives_up_after_the_last_attempt(call, seller, settings):
    settings.FOLLOWUP_RETRY_HOURS = 24
    settings.FOLLOWUP_CALL_ATTEMPTS = 3
    with time_machine.travel(at(CALL_DAY, 15), tick=False):
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.NO_ANSWER)
    call.refresh_from_db()
    assert (call.status, call.retry_at) == (TaskStatus.OPEN, at(CALL_DAY, 15) + dt.timedelta(hours=24))

    chosen = at(CALL_DAY + dt.timedelta(days=3), 18)
    with time_machine.travel(at(CALL_DAY + dt.timedelta(days=1), 15), tick=False):
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.NO_ANSWER, retry_at=chosen)
    call.refresh_from_db()
    assert (call.status, call.retry_at, call.message.status) == (TaskStatus.OPEN, chosen, MessageStatus.QUEUED)

    with time_machine.travel(chosen, tick=False):
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.NO_ANSWER)
    call.refresh_from_db()
    call.message.refresh_from_db()
    assert (call.status, call.outcome, call.attempts) == (TaskStatus.DONE, TaskOutcome.NO_ANSWER, 3)
    assert call.message.status == MessageStatus.FAILED
    assert StaffTask.objects.count() == 1


def test_a_retry_must_be_later_and_only_after_no_answer(call, seller):
    with time_machine.travel(at(CALL_DAY, 15), tick=False):
        with pytest.raises(ValidationFailed) as earlier:
            task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.NO_ANSWER, retry_at=at(CALL_DAY, 9))
        with pytest.raises(ValidationFailed) as fine:
            task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.REACHED_FINE, retry_at=at(CALL_DAY, 18))
        with pytest.raises(ValidationFailed) as unknown:
            task_log_outcome(actor=seller, task=call, outcome="maybe")
    assert [error.field for error in earlier.value.errors] == ["retry_at"]
    assert [error.field for error in fine.value.errors] == ["retry_at"]
    assert [error.field for error in unknown.value.errors] == ["outcome"]


def test_a_problem_found_on_a_call_goes_to_the_service_queue_in_one_step(call, seller):
    with pytest.raises(ValidationFailed) as silent:
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.REACHED_PROBLEM)
    assert silent.value.errors[0].field == "note"

    task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.REACHED_PROBLEM, note="The drum makes a noise")

    problem = StaffTask.objects.get(kind=TaskKind.PROBLEM)
    assert (problem.parent, problem.customer, problem.unit) == (call, call.customer, call.unit)
    assert problem.department == Department.objects.get(code="service")
    assert problem.assignee is None
    assert problem.notes == "The drum makes a noise"
    assert problem.title == "Problem reported by Ana"


def test_reassigning_a_call_moves_its_message_to_the_new_caller(call, seller):
    colleague = staff("support_agent")
    task_reassign(actor=seller, task=call, assignee=colleague)
    call.refresh_from_db()
    call.message.refresh_from_db()
    assert call.assignee == colleague
    assert call.message.assignee == colleague
    event = StaffTaskEvent.objects.get(kind="reassigned")
    assert (event.data["from"], event.data["assignee"]) == (str(seller), str(colleague))


def test_a_queue_task_is_taken_by_whoever_logs_its_outcome(seller):
    service = Department.objects.get(code="service")
    agent = staff("support_agent", department=service)
    task = task_create(
        actor=None, kind=TaskKind.VISIT, customer=CustomerFactory(), title="Visit", due_at=at(CALL_DAY), department=service
    )
    task_log_outcome(actor=agent, task=task, outcome=TaskOutcome.REACHED_FINE)
    task.refresh_from_db()
    assert (task.assignee, task.department) == (agent, None)


def test_cancelling_a_call_closes_its_message(call, seller):
    task_cancel(actor=seller, task=call, reason="Customer moved abroad")
    call.refresh_from_db()
    call.message.refresh_from_db()
    assert call.status == TaskStatus.CANCELLED
    assert call.message.status == MessageStatus.FAILED


def test_overdue_tasks_are_escalated_to_the_service_managers_once(call, settings, django_capture_on_commit_callbacks):
    settings.FOLLOWUP_ESCALATE_AFTER_HOURS = 24
    managers = [staff("service_manager", language="en"), staff("service_manager", language="es")]
    staff("service_manager", email="")  # nowhere to write to
    due = call.due_at

    with time_machine.travel(due + dt.timedelta(hours=23), tick=False):
        assert tasks_escalate_overdue() == 0
    with time_machine.travel(due + dt.timedelta(hours=25), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks_escalate_overdue() == 1
    with time_machine.travel(due + dt.timedelta(hours=30), tick=False):
        assert tasks_escalate_overdue() == 0

    call.refresh_from_db()
    assert call.escalated_at == due + dt.timedelta(hours=25)
    assert TimelineEvent.objects.filter(kind="followup_task_escalated").count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(manager.email for manager in managers)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[managers[0].email] == "1 follow-up task is overdue"
    assert subjects[managers[1].email] == "1 tarea de seguimiento está vencida"
    assert "Ana" in mail.outbox[0].body


def test_a_retried_call_overdue_again_is_escalated_again(call, seller, settings):
    settings.FOLLOWUP_ESCALATE_AFTER_HOURS = 1
    with time_machine.travel(call.due_at + dt.timedelta(hours=2), tick=False):
        assert tasks_escalate_overdue() == 1
        task_log_outcome(actor=seller, task=call, outcome=TaskOutcome.NO_ANSWER)
    call.refresh_from_db()
    assert call.escalated_at is None
    with time_machine.travel(call.retry_at + dt.timedelta(hours=2), tick=False):
        assert tasks_escalate_overdue() == 1
