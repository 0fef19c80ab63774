"""My day and the agenda: what a rep works today with the customer's context, and what the playbooks will do next."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.core.models import Department, TimelineEvent
from aftersales.followup import services
from aftersales.followup.models import TaskKind, TaskOutcome
from aftersales.followup.selectors import tasks_my_day, touches_upcoming
from aftersales.followup.services import task_create, task_log_outcome
from tests.factories import CustomerFactory, staff
from tests.followup.helpers import COURTESY_CALL, DELIVERY_VISIT, USAGE_TIPS, at, bought, step, sweep_on, touches

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 10)


def test_my_day_lists_my_due_and_overdue_tasks_and_my_queue_with_the_customers_context():
    sales = Department.objects.get(code="sales")
    rep = staff("sales_rep", department=sales)
    other = staff("sales_rep")
    ana = CustomerFactory(name="Ana")
    bought(ana, sold_on=dt.date(2025, 1, 5), delivered_on=dt.date(2025, 1, 6), rep=rep, name="Lavadora")
    TimelineEvent.objects.create(customer=ana, kind="message_sent", occurred_at=at(dt.date(2025, 5, 1)), data={})

    def task(title, due, **kwargs):
        return task_create(actor=None, kind=TaskKind.CALL, customer=ana, title=title, due_at=due, **kwargs)

    overdue = task("Overdue", at(TODAY - dt.timedelta(days=2)), assignee=rep)
    today = task("Today", at(TODAY, 16), assignee=rep)
    queue = task("Queue", at(TODAY, 9), department=sales)
    tomorrow = task("Tomorrow", at(TODAY + dt.timedelta(days=1), 9), assignee=rep)
    task("Next week", at(TODAY + dt.timedelta(days=7), 9), assignee=rep)
    task("Someone else's", at(TODAY, 9), assignee=other)
    done = task("Done", at(TODAY, 9), assignee=rep)
    retried = task("Retried until tomorrow", at(TODAY - dt.timedelta(days=1), 9), assignee=rep)
    with time_machine.travel(at(TODAY, 8), tick=False):
        task_log_outcome(actor=rep, task=done, outcome=TaskOutcome.REACHED_FINE)  # reaching her is the latest contact
        task_log_outcome(actor=rep, task=retried, outcome=TaskOutcome.NO_ANSWER, retry_at=at(TODAY + dt.timedelta(days=1), 9))
        problem = task_create(
            actor=None,
            kind=TaskKind.PROBLEM,
            customer=ana,
            title="Noise",
            due_at=at(TODAY, 12),
            department=Department.objects.get(code="service"),
        )

    with time_machine.travel(at(TODAY, 12), tick=False):
        day = tasks_my_day(user=rep, day=TODAY)

    # the retried call waits for its day; tomorrow's work shows as coming up
    assert [item.task for item in day] == [overdue, queue, today, tomorrow]
    assert [(item.overdue, item.due_today) for item in day] == [(True, True), (True, True), (False, True), (False, False)]
    first = day[0]
    assert first.products == [f"Lavadora ({ana.units.get().serial})"]
    assert first.open_tickets == 1 and problem.pk
    assert first.last_contact_at == at(TODAY, 8)


def test_the_agenda_shows_what_the_sweep_will_do_and_follows_a_changed_step():
    rep = staff("sales_rep")
    mine = CustomerFactory(name="Mine")
    other = CustomerFactory(name="Other rep's")
    bought(mine, sold_on=TODAY, delivered_on=TODAY, rep=rep)
    bought(other, sold_on=TODAY, delivered_on=TODAY, rep=staff("sales_rep"))

    with time_machine.travel(at(TODAY, 8), tick=False):
        agenda = touches_upcoming(rep=rep, days=20)
    assert [(touch.step_name, touch.due_on) for touch in agenda] == [
        (DELIVERY_VISIT, TODAY),
        (COURTESY_CALL, TODAY + dt.timedelta(days=7)),
        (USAGE_TIPS, TODAY + dt.timedelta(days=14)),
    ]
    assert {touch.customer_name for touch in agenda} == {"Mine"}

    services.step_update(actor=None, step=step(USAGE_TIPS), data={"offset_days": 21})
    with time_machine.travel(at(TODAY, 8), tick=False):
        agenda = touches_upcoming(customer=mine, days=30)
    assert [(touch.step_name, touch.due_on) for touch in agenda] == [
        (DELIVERY_VISIT, TODAY),
        (COURTESY_CALL, TODAY + dt.timedelta(days=7)),
        (USAGE_TIPS, TODAY + dt.timedelta(days=21)),
        ("Exchange window closing", TODAY + dt.timedelta(days=25)),
        ("Satisfaction survey", TODAY + dt.timedelta(days=30)),
    ]

    # what was on the agenda is what happens, and it leaves the agenda once done
    for offset in range(0, 31):
        sweep_on(TODAY + dt.timedelta(days=offset))
    done = [(touch.step.name, touch.due_on) for touch in touches() if touch.customer == mine]
    assert done == [(touch.step_name, touch.due_on) for touch in agenda]
    with time_machine.travel(at(TODAY + dt.timedelta(days=31), 8), tick=False):
        assert touches_upcoming(customer=mine, days=30) == []
