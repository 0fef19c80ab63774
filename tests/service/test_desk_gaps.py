"""Night shifts for automatic assignment, and what a new priority does to a clock already breached."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.core.errors import ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.core.roles import Role
from aftersales.service.models import AgentShift, EscalationRule, SlaClock, SlaClockStatus, SlaMetric
from aftersales.service.services import agent_shifts_set, ticket_set_priority
from aftersales.service.services.routing import agent_on_shift
from aftersales.service.sla import sla_sweep
from tests.factories import CustomerFactory, staff
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db


def test_a_night_shift_runs_past_midnight_into_the_next_day(manager, service_department):
    night = staff(Role.SUPPORT_AGENT, department=service_department, time_zone="Europe/Madrid")
    agent_shifts_set(actor=manager, user=night, shifts=[(0, dt.time(22), dt.time(6))])  # Monday 22:00–Tuesday 06:00

    assert agent_on_shift(night, madrid("2025-06-02 23:30"))  # Monday night
    assert agent_on_shift(night, madrid("2025-06-03 05:59"))  # Tuesday early morning
    assert not agent_on_shift(night, madrid("2025-06-03 06:00"))  # the shift is over
    assert not agent_on_shift(night, madrid("2025-06-02 21:59"))  # not started yet
    assert not agent_on_shift(night, madrid("2025-06-02 03:00"))  # Monday early morning belongs to Sunday's night
    assert not agent_on_shift(night, madrid("2025-06-03 23:00"))  # no shift on Tuesday night


def test_a_sunday_night_shift_ends_on_monday_and_one_until_midnight_ends_there(manager, service_department):
    agent = staff(Role.SUPPORT_AGENT, department=service_department, time_zone="Europe/Madrid")
    agent_shifts_set(actor=manager, user=agent, shifts=[(6, dt.time(20), dt.time(2)), (2, dt.time(18), dt.time(0))])

    assert agent_on_shift(agent, madrid("2025-06-02 01:30"))  # Monday, from Sunday's shift
    assert agent_on_shift(agent, madrid("2025-06-04 23:59"))  # Wednesday until midnight
    assert not agent_on_shift(agent, madrid("2025-06-05 00:30"))


def test_new_tickets_at_night_go_to_the_agent_on_the_night_shift(manager, desk, service_department):
    day = staff(Role.SUPPORT_AGENT, department=service_department, time_zone="Europe/Madrid")
    night = staff(Role.SUPPORT_AGENT, department=service_department, time_zone="Europe/Madrid")
    agent_shifts_set(actor=manager, user=day, shifts=[(weekday, dt.time(8), dt.time(16)) for weekday in range(5)])
    agent_shifts_set(actor=manager, user=night, shifts=[(weekday, dt.time(22), dt.time(6)) for weekday in range(5)])

    with time_machine.travel(madrid("2025-06-04 02:00"), tick=False):  # Wednesday 02:00, Tuesday's night shift
        assert open_ticket(CustomerFactory()).assignee == night
    with time_machine.travel(madrid("2025-06-04 10:00"), tick=False):
        assert open_ticket(CustomerFactory()).assignee == day


def test_a_shift_that_ends_when_it_starts_is_refused_and_nothing_changes(manager, service_department):
    agent = staff(Role.SUPPORT_AGENT, department=service_department)
    agent_shifts_set(actor=manager, user=agent, shifts=[(0, dt.time(8), dt.time(14))])

    with pytest.raises(ValidationFailed) as refused:
        agent_shifts_set(actor=manager, user=agent, shifts=[(1, dt.time(22), dt.time(22))])

    assert [error.field for error in refused.value.errors] == ["shifts[0].ends_at"]
    assert list(AgentShift.objects.filter(user=agent).values_list("weekday", "starts_at")) == [(0, dt.time(8))]


def _opened_at(text, **kwargs):
    with time_machine.travel(madrid(text), tick=False):
        return open_ticket(CustomerFactory(), **kwargs)


def test_a_new_priority_keeps_a_breached_clock_and_its_breach_but_retimes_the_others(desk, desk_agent):
    EscalationRule.objects.all().delete()
    ticket = _opened_at("2025-03-03 10:00")  # normal: first response 18:00 the same day, resolution a week on
    with time_machine.travel(madrid("2025-03-03 18:05"), tick=False):
        sla_sweep()
    first = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
    assert first.status == SlaClockStatus.BREACHED

    with time_machine.travel(madrid("2025-03-04 09:30"), tick=False):
        ticket_set_priority(actor=desk_agent, ticket=ticket, priority="urgent")
        sla_sweep()

    first_after = SlaClock.objects.get(pk=first.pk)
    assert (first_after.status, first_after.due_at, first_after.breached_at, first_after.target_minutes) == (
        SlaClockStatus.BREACHED,
        madrid("2025-03-03 18:00"),
        madrid("2025-03-03 18:05"),
        first.target_minutes,
    )
    # the resolution clock had not breached: re-timed to the urgent target (8 working hours from the start),
    # already past, so the sweep records its breach now
    resolution = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.RESOLUTION)
    assert (resolution.status, resolution.due_at, resolution.breached_at) == (
        SlaClockStatus.BREACHED,
        madrid("2025-03-03 18:00"),
        madrid("2025-03-04 09:30"),
    )
    assert TimelineEvent.objects.filter(kind="ticket_sla_breached", data__metric="first_response").count() == 1


def test_a_late_clock_the_sweep_has_not_recorded_yet_is_not_moved_by_a_lower_priority(desk, desk_agent):
    EscalationRule.objects.all().delete()
    ticket = _opened_at("2025-03-03 10:00", priority="urgent")  # urgent: first response at 11:00
    due = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).due_at

    with time_machine.travel(madrid("2025-03-03 11:10"), tick=False):
        ticket_set_priority(actor=desk_agent, ticket=ticket, priority="low")
        sla_sweep()

    first = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
    assert (first.status, first.due_at) == (SlaClockStatus.BREACHED, due)
