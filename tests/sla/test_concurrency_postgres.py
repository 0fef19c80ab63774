"""Concurrent ticks on PostgreSQL: each clock's warning and breach are recorded exactly once."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
import time_machine
from django.db import connection

from aftersales.core.models import TimelineEvent
from aftersales.service.models import EscalationRule, SlaClock, SlaClockStatus, TicketEvent
from aftersales.service.sla import sla_sweep
from tests.concurrency import at_once
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("data_migrations"),
]
TICKETS = 150


def test_two_ticks_at_once_record_each_warning_and_breach_once(monkeypatch):
    # given 150 unanswered tickets whose first-response clocks are all past their targets
    EscalationRule.objects.all().delete()
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        customer = CustomerFactory()
        tickets = [open_ticket(customer) for _ in range(TICKETS)]
    # small batches, so the two ticks interleave over many statements
    monkeypatch.setattr("aftersales.service.sla.SWEEP_BATCH", 7)

    # when two ticks sweep at the same moment, twice
    late = madrid("2025-03-03 19:00").astimezone(dt.UTC)
    outcomes = at_once(2, lambda _n: sla_sweep(now=late)) + at_once(2, lambda _n: sla_sweep(now=late))

    # then every clock was warned and breached by exactly one of them
    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    assert sum(outcome["breached"] for outcome in outcomes) == TICKETS
    assert sum(outcome["warned"] for outcome in outcomes) == TICKETS
    assert all(outcome["breached"] > 0 for outcome in outcomes[:2]), "one tick did all the work: no contention was tested"
    kinds = collections.Counter(TicketEvent.objects.filter(kind__startswith="sla_").values_list("ticket_id", "kind"))
    assert set(kinds.values()) == {1}
    assert len(kinds) == 2 * TICKETS
    assert TimelineEvent.objects.filter(kind="ticket_sla_breached").count() == TICKETS
    assert SlaClock.objects.filter(ticket__in=tickets, metric="first_response", status=SlaClockStatus.BREACHED).count() == TICKETS
