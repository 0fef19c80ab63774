"""SLA clocks follow their ticket: start, pause, resume, stop, reopen, level 2, priority; in business time."""

from __future__ import annotations

import time_machine

from aftersales.service.models import SlaClock, SlaClockStatus, SlaMetric, TicketChannel, TicketStatus
from aftersales.service.services import (
    call_log,
    ticket_customer_reply,
    ticket_escalate,
    ticket_merge,
    ticket_reply,
    ticket_set_priority,
    ticket_set_status,
)
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid


def clock(ticket, metric, tier=1):
    return SlaClock.objects.get(ticket=ticket, metric=metric, tier=tier)


def opened_at(text, **kwargs):
    with time_machine.travel(madrid(text), tick=False):
        return open_ticket(CustomerFactory(), **kwargs)


def test_opening_starts_both_level_1_clocks_in_office_hours(desk):
    ticket = opened_at("2025-03-03 10:00")  # a Monday, normal priority: 8 and 45 working hours

    first, resolution = clock(ticket, SlaMetric.FIRST_RESPONSE), clock(ticket, SlaMetric.RESOLUTION)

    assert (first.status, first.due_at, first.warn_at) == (
        SlaClockStatus.RUNNING,
        madrid("2025-03-03 18:00"),
        madrid("2025-03-03 16:24"),
    )
    assert resolution.due_at == madrid("2025-03-10 10:00")
    assert not SlaClock.objects.filter(ticket=ticket, tier=2).exists()


def test_a_ticket_opened_on_a_public_holiday_starts_counting_the_next_working_day(desk):
    ticket = opened_at("2025-01-06 10:00")  # Epiphany, a Monday

    assert clock(ticket, SlaMetric.FIRST_RESPONSE).due_at == madrid("2025-01-07 17:00")


def test_a_ticket_opened_on_a_saturday_is_due_on_monday(desk):
    ticket = opened_at("2025-03-08 11:30")

    assert clock(ticket, SlaMetric.FIRST_RESPONSE).due_at == madrid("2025-03-10 17:00")


def test_waiting_on_the_customer_pauses_the_clock_and_the_wait_does_not_count(desk, desk_agent):
    # given a ticket opened on Monday 10:00 and answered at 11:00 with a question to the customer
    ticket = opened_at("2025-03-03 10:00")
    with time_machine.travel(madrid("2025-03-03 11:00"), tick=False):
        ticket_reply(actor=desk_agent, ticket=ticket, body="Which model is it?", status=TicketStatus.WAITING_CUSTOMER)
    paused = clock(ticket, SlaMetric.RESOLUTION)
    assert (paused.status, paused.paused_at) == (SlaClockStatus.PAUSED, madrid("2025-03-03 11:00"))

    # when the customer answers on Wednesday at 10:00
    with time_machine.travel(madrid("2025-03-05 10:00"), tick=False):
        ticket_customer_reply(ticket=ticket, body="The DW-500.", channel=TicketChannel.EMAIL)

    # then the 17 working hours of waiting push the resolution target from Monday 10:00 to Tuesday 18:00
    resolution = clock(ticket, SlaMetric.RESOLUTION)
    assert (resolution.status, resolution.paused_seconds) == (SlaClockStatus.RUNNING, 17 * 3600)
    assert resolution.due_at == madrid("2025-03-11 18:00")


def test_the_first_public_reply_meets_the_first_response_target(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")

    with time_machine.travel(madrid("2025-03-03 12:00"), tick=False):
        ticket_reply(actor=desk_agent, ticket=ticket, body="On it.")

    first = clock(ticket, SlaMetric.FIRST_RESPONSE)
    assert (first.status, first.stopped_at) == (SlaClockStatus.MET, madrid("2025-03-03 12:00"))
    assert clock(ticket, SlaMetric.RESOLUTION).status == SlaClockStatus.RUNNING


def test_a_late_first_reply_is_a_breach_even_before_the_sweep_saw_it(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")

    with time_machine.travel(madrid("2025-03-04 09:30"), tick=False):
        ticket_reply(actor=desk_agent, ticket=ticket, body="Sorry for the wait.")

    first = clock(ticket, SlaMetric.FIRST_RESPONSE)
    assert (first.status, first.breached_at) == (SlaClockStatus.BREACHED, madrid("2025-03-04 09:30"))
    assert ticket.events.filter(kind="sla_breached").count() == 1


def test_resolving_stops_the_clock_and_a_reopened_ticket_goes_on_without_the_resolved_time(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")
    with time_machine.travel(madrid("2025-03-03 12:00"), tick=False):
        ticket_reply(actor=desk_agent, ticket=ticket, body="Fixed remotely.", status=TicketStatus.RESOLVED)
    assert clock(ticket, SlaMetric.RESOLUTION).status == SlaClockStatus.MET

    with time_machine.travel(madrid("2025-03-04 12:00"), tick=False):
        ticket_customer_reply(ticket=ticket, body="It leaks again.", channel=TicketChannel.EMAIL)

    # resolved Monday 12:00 to Tuesday 12:00 is 9 working hours: 45 + 9 from Monday 10:00 is Tuesday 10:00 a week later
    resolution = clock(ticket, SlaMetric.RESOLUTION)
    assert (resolution.status, resolution.stopped_at) == (SlaClockStatus.RUNNING, None)
    assert resolution.due_at == madrid("2025-03-11 10:00")
    # the first response was given and stays met
    assert clock(ticket, SlaMetric.FIRST_RESPONSE).status == SlaClockStatus.MET


def test_escalating_to_level_2_starts_its_own_clocks_and_level_1_runs_on(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")

    with time_machine.travel(madrid("2025-03-03 11:00"), tick=False):
        ticket_escalate(actor=desk_agent, ticket=ticket, tier=2)

    level_2 = clock(ticket, SlaMetric.FIRST_RESPONSE, tier=2)
    assert (level_2.started_at, level_2.due_at) == (madrid("2025-03-03 11:00"), madrid("2025-03-04 18:00"))
    assert clock(ticket, SlaMetric.RESOLUTION, tier=2).status == SlaClockStatus.RUNNING
    assert clock(ticket, SlaMetric.FIRST_RESPONSE, tier=1).status == SlaClockStatus.RUNNING

    # back to level 1: the level-2 clocks stop
    with time_machine.travel(madrid("2025-03-03 12:00"), tick=False):
        ticket_escalate(actor=desk_agent, ticket=ticket, tier=1)
    assert set(SlaClock.objects.filter(ticket=ticket, tier=2).values_list("status", flat=True)) == {SlaClockStatus.MET}


def test_a_higher_priority_brings_the_targets_closer_from_the_same_start(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")

    with time_machine.travel(madrid("2025-03-03 10:30"), tick=False):
        ticket_set_priority(actor=desk_agent, ticket=ticket, priority="urgent")

    assert clock(ticket, SlaMetric.FIRST_RESPONSE).due_at == madrid("2025-03-03 11:00")
    assert clock(ticket, SlaMetric.RESOLUTION).due_at == madrid("2025-03-03 18:00")


def test_a_ticket_opened_before_the_spring_change_is_due_in_summer_time(desk):
    # high priority: 4 working hours; Friday 17:00–18:00 in winter time, Monday 09:00–12:00 in summer time
    ticket = opened_at("2025-03-28 17:00", priority="high")

    due = clock(ticket, SlaMetric.FIRST_RESPONSE).due_at
    assert due == madrid("2025-03-31 12:00")
    assert due.astimezone(madrid("2025-01-01 00:00").tzinfo).utcoffset().total_seconds() == 7200


def test_a_ticket_opened_before_the_autumn_change_is_due_in_winter_time(desk):
    ticket = opened_at("2025-10-24 17:00", priority="high")

    assert clock(ticket, SlaMetric.FIRST_RESPONSE).due_at == madrid("2025-10-27 12:00")


def test_closing_a_waiting_ticket_stops_its_paused_clocks_as_met(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")
    with time_machine.travel(madrid("2025-03-03 11:00"), tick=False):
        ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.WAITING_THIRD_PARTY)
        assert clock(ticket, SlaMetric.FIRST_RESPONSE).status == SlaClockStatus.PAUSED
    with time_machine.travel(madrid("2025-03-20 11:00"), tick=False):
        ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.CLOSED)

    assert set(SlaClock.objects.filter(ticket=ticket).values_list("status", flat=True)) == {SlaClockStatus.MET}


def test_merging_an_answered_ticket_into_an_unanswered_one_meets_its_first_response(desk, desk_agent):
    customer = CustomerFactory()
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        answered = open_ticket(customer, subject="Leak (by phone)")
        unanswered = open_ticket(customer, subject="Leak (by email)")
    with time_machine.travel(madrid("2025-03-03 11:00"), tick=False):
        ticket_reply(actor=desk_agent, ticket=answered, body="A technician comes tomorrow.")

    with time_machine.travel(madrid("2025-03-03 12:00"), tick=False):
        ticket_merge(actor=desk_agent, source=answered, target=unanswered)

    first = clock(unanswered, SlaMetric.FIRST_RESPONSE)
    assert (first.status, first.stopped_at) == (SlaClockStatus.MET, madrid("2025-03-03 11:00"))
    assert set(SlaClock.objects.filter(ticket=answered).values_list("status", flat=True)) == {SlaClockStatus.MET}


def test_an_answered_phone_call_meets_the_first_response_target(desk, desk_agent):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = call_log(actor=desk_agent, customer=CustomerFactory(), body="The oven does not heat; explained the reset.")

    first = clock(ticket, SlaMetric.FIRST_RESPONSE)
    assert (first.status, first.stopped_at) == (SlaClockStatus.MET, madrid("2025-03-03 10:00"))
    assert clock(ticket, SlaMetric.RESOLUTION).status == SlaClockStatus.RUNNING
