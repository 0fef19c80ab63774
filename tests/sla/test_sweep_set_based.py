"""The sweep writes its events set-based in the database: exactly the rows the ORM path writes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction

from aftersales.core.models import TimelineEvent
from aftersales.service import sla
from aftersales.service.models import EscalationRule, SlaClock, SlaClockStatus, TicketEvent
from aftersales.service.sla import sla_sweep
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid


class _Undo(Exception):
    pass


def _written(since_ticket_event: int, since_timeline: int) -> tuple[list[tuple], list[tuple]]:
    events = [
        (event.ticket_id, event.kind, event.data, event.actor_id, event.at)
        for event in TicketEvent.objects.filter(pk__gt=since_ticket_event, kind__startswith="sla_").order_by("pk")
    ]
    lines = [
        (line.customer_id, line.unit_id, line.kind, line.occurred_at, line.recorded_at, line.actor_id, line.data)
        for line in TimelineEvent.objects.filter(pk__gt=since_timeline).order_by("pk")
    ]
    return events, lines


def _sweep_writes(*, set_based: bool, at: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, list, list, list]:
    """Sweep at a moment with one path and return the outcome, the rows written and the clocks' states, then undo it."""
    monkeypatch.setattr(sla, "set_based_supported", lambda: set_based)
    last_event = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_line = TimelineEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    captured: dict = {}
    try:
        with transaction.atomic(), time_machine.travel(at, tick=False):
            captured["outcome"] = sla_sweep()
            captured["events"], captured["lines"] = _written(last_event, last_line)
            captured["clocks"] = list(
                SlaClock.objects.order_by("pk").values_list("pk", "status", "warned_at", "breached_at", "breach_handled_at")
            )
            raise _Undo
    except _Undo:
        pass
    return captured["outcome"], captured["events"], captured["lines"], captured["clocks"]


@pytest.mark.parametrize("escalation_rules", [True, False])
def test_the_set_based_sweep_writes_the_same_events_timeline_lines_and_claims_as_the_orm(desk, monkeypatch, escalation_rules):
    # given tickets opened at odd moments (microseconds in their targets), some already warned
    if not escalation_rules:
        EscalationRule.objects.all().delete()
    opened = []
    for minute, micro in ((0, 0), (7, 123456), (13, 999999), (31, 5)):
        with time_machine.travel(madrid(f"2025-03-03 09:{minute:02d}:11").replace(microsecond=micro), tick=False):
            opened.append(open_ticket(CustomerFactory()))
    with time_machine.travel(madrid("2025-03-04 10:00"), tick=False):
        opened.append(open_ticket(CustomerFactory()))  # not due yet at the sweep
    assert sorted({clock.due_at.microsecond for clock in SlaClock.objects.all()}) != [0]

    # when the sweep records the late clocks once through the ORM and once set-based
    moment = madrid("2025-03-03 17:45")
    orm = _sweep_writes(set_based=False, at=moment, monkeypatch=monkeypatch)
    fast = _sweep_writes(set_based=True, at=moment, monkeypatch=monkeypatch)

    # then both write the same ticket events, timeline lines and clock states
    outcome, events, lines, clocks = fast
    assert outcome["breached"] == 4 and outcome["warned"] >= 4
    assert len(events) == outcome["warned"] + outcome["breached"]
    assert [line[2] for line in lines] == ["ticket_sla_breached"] * 4
    assert events == orm[1]
    assert lines == orm[2]
    assert clocks == orm[3]
    assert outcome == orm[0]
    breach = next(event for event in events if event[1] == "sla_breached")
    clock = SlaClock.objects.get(pk=breach[2]["clock_id"])
    assert breach[2]["due_at"] == clock.due_at.isoformat()


def test_the_set_based_sweep_records_each_clock_once(desk):
    EscalationRule.objects.all().delete()
    with time_machine.travel(madrid("2025-03-03 09:30:00.250000"), tick=False):
        ticket = open_ticket(CustomerFactory())

    with time_machine.travel(madrid("2025-03-03 17:31"), tick=False):
        first = sla_sweep()
        again = sla_sweep()

    assert (first["breached"], again["breached"], again["warned"]) == (1, 0, 0)
    assert list(ticket.events.filter(kind__startswith="sla_").values_list("kind", flat=True)) == ["sla_warning", "sla_breached"]
    assert SlaClock.objects.filter(ticket=ticket, status=SlaClockStatus.BREACHED).count() == 1
    assert TimelineEvent.objects.filter(kind="ticket_sla_breached", customer=ticket.customer).count() == 1


def test_the_set_based_statements_exist_for_this_database():
    assert sla.set_based_supported() == (connection.vendor in ("sqlite", "postgresql"))
