"""The outbox's sweep runs under ``aftersales tick`` and hands forgotten messages back to the workers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from aftersales.core.models import SweepRun
from aftersales.messaging.models import Message
from aftersales.messaging.services import message_enqueue, template_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _template(db):
    # Transactional tests empty the database between them, default templates included.
    template_create(actor=None, data={"code": "tick_test", "channel": "email", "subject": "Hi", "body": "Hello"})


def test_tick_runs_the_retry_sweep_which_requeues_a_message_whose_task_was_lost(fan):
    start = dt.datetime(2025, 5, 5, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        message = message_enqueue(actor=None, customer=fan, template_code="tick_test", channel="email", idempotency_key="k")
    # the delivery task was queued on commit …
    [lost] = DBTaskResult.objects.all()
    assert Message.objects.get().task_id == str(lost.id)
    # … and then lost (as when the queue is restored from an older backup)
    lost.delete()
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        call_command("tick", only="messaging.retry_due")
        [task] = DBTaskResult.objects.all()
        # a second tick within the sweep's interval does nothing
        call_command("tick", only="messaging.retry_due")
    assert DBTaskResult.objects.count() == 1
    assert task.args_kwargs["args"] == [message.pk]
    assert SweepRun.objects.get(name="messaging.retry_due").last_error == ""


def test_a_message_whose_task_still_waits_is_not_requeued(fan):
    start = dt.datetime(2025, 5, 5, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        message_enqueue(actor=None, customer=fan, template_code="tick_test", channel="email", idempotency_key="k")
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        call_command("tick", only="messaging.retry_due")
    assert DBTaskResult.objects.count() == 1  # the original, still waiting behind a backlog
