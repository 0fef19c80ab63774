"""Sweeps racing on PostgreSQL: every touch is recorded once and acted on once, whoever gets there first."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import connection

from aftersales.core.models import TimelineEvent
from aftersales.followup.models import StaffTask, Touch, TouchStatus
from aftersales.followup.services import followup_sweep
from aftersales.messaging.models import Message
from tests.concurrency import at_once
from tests.factories import CustomerFactory, staff
from tests.followup.conftest import default_playbook_install
from tests.followup.helpers import at, bought

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

TODAY = dt.date(2025, 6, 30)


def test_four_simultaneous_sweeps_record_and_act_on_each_touch_once():
    default_playbook_install()
    rep = staff("sales_rep")
    for number in range(30):
        customer = CustomerFactory(birthday=dt.date(1980 + number, 6, 30), consent_email_at=at(dt.date(2024, 1, 1)))
        # due today: the delivery visit, the courtesy call, the usage tips, the exchange reminder and the birthday
        for days in (0, 7, 14, 25):
            delivered = TODAY - dt.timedelta(days=days)
            bought(customer, sold_on=delivered, delivered_on=delivered, rep=rep)

    def sweep(_number):
        with time_machine.travel(at(TODAY, 10), tick=False):
            return followup_sweep()

    results = at_once(4, sweep)

    assert not [result for result in results if isinstance(result, Exception)], results
    touches = list(Touch.objects.all())
    assert len(touches) == 30 * 5
    assert Counter(touch.status for touch in touches) == {TouchStatus.DONE: 150}
    assert sum(result.get(TouchStatus.DONE, 0) for result in results) == 150  # each acted on by exactly one sweep
    assert Message.objects.count() == 30 * 4  # call scripts, tips, exchange reminders, birthdays
    assert StaffTask.objects.count() == 30 * 2  # visits and calls
    assert TimelineEvent.objects.filter(kind="followup_touch").count() == 150
