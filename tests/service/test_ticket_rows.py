"""Ticket list rows: the shown columns, labels in the reader's language and the same SLA text as everywhere else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from aftersales.core.models import Department
from aftersales.service import ticket_rows as rows_module
from aftersales.service.models import Queue, SlaClock, SlaMetric, Ticket, TicketPriority, TicketStatus
from aftersales.service.selectors import tickets_unanswered, tickets_unanswered_rows
from aftersales.service.services import ticket_assign, ticket_reply, ticket_set_status, ticket_tag
from aftersales.service.sla import sla_status_text, tickets_with_sla
from aftersales.service.ticket_rows import SlaWords, TicketRowList, ticket_rows, ticket_rows_of
from tests.factories import CustomerFactory, staff
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db

NOW = madrid("2025-03-05 12:00")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("minutes", [-4000, -61, -60, -1, 0, 1, 2, 59, 60, 61, 1439, 1440, 3000])
@pytest.mark.parametrize("seconds", [0, 1, 59])
def test_the_rows_say_due_in_or_breached_by_exactly_as_the_ticket_page_does(language, minutes, seconds):
    due_at = NOW + dt.timedelta(minutes=minutes, seconds=seconds)
    with translation.override(language):
        words = SlaWords()
        # Twice: the second answer comes from what the words remember.
        for _ in range(2):
            text, state = words.target(due_at=due_at, paused=False, now=NOW)
            assert text == sla_status_text(due_at=due_at, breached=False, paused=False, now=NOW)
            assert state == ("breached" if due_at <= NOW else "soon" if due_at - NOW <= dt.timedelta(hours=1) else "ok")
        assert words.target(due_at=None, paused=True, now=NOW) == (
            sla_status_text(due_at=None, breached=False, paused=True, now=NOW),
            "paused",
        )
        assert words.target(due_at=None, paused=False, now=NOW) == ("", "none")


def test_a_page_of_rows_shows_customer_queue_assignee_tags_labels_and_target(desk, desk_agent):
    with time_machine.travel(madrid("2025-03-05 09:30"), tick=False):
        late = open_ticket(CustomerFactory(name="Ana Ruiz"), subject="Late one", priority="urgent")
        ticket_assign(actor=desk_agent, ticket=late, assignee=desk_agent)
        ticket_tag(actor=desk_agent, ticket=late, add=["leak", "noise"], remove=[])
        fresh = open_ticket(CustomerFactory(name="Luis Gil"), subject="Fresh one")

    with translation.override("es"), time_machine.travel(NOW, tick=False):
        rows = TicketRowList(tickets_unanswered(visible_to=desk_agent))[0:10]

    assert [row.number for row in rows] == [late.number, fresh.number]
    first, second = rows
    assert (first.customer_name, first.queue_name, first.tags, first.reference) == (
        "Ana Ruiz",
        desk.display_name("es"),
        ("leak", "noise"),
        late.reference,
    )
    assert first.assignee_name == desk_agent.get_full_name()
    with translation.override("es"):
        assert (first.priority_label, first.status_label) == (
            str(TicketPriority.URGENT.label),
            str(TicketStatus(late.status).label),
        )
        due = SlaClock.objects.get(ticket=late, metric=SlaMetric.FIRST_RESPONSE).due_at
        assert first.sla_text == sla_status_text(due_at=due, breached=True, paused=False, now=NOW)
    assert first.priority_label == "Urgente" and first.sla_text.startswith("incumplido")
    assert first.sla_state == "breached"
    assert second.tags == ()
    assert second.sla_state in ("ok", "soon")


def test_the_paginator_counts_the_tickets_and_builds_only_the_page(desk, desk_agent, django_assert_max_num_queries):
    for _ in range(3):
        open_ticket(CustomerFactory())
    rows = TicketRowList(tickets_unanswered(visible_to=desk_agent))

    assert rows.count() == 3
    with django_assert_max_num_queries(2):  # the page's ids, then their rows
        page = rows[1:3]
    assert len(page) == 2


def test_rows_agree_with_the_annotated_models(desk, desk_agent):
    open_ticket(CustomerFactory(), priority="high")
    tickets = tickets_with_sla(tickets_unanswered(visible_to=desk_agent))

    [row] = ticket_rows(tickets[:1])
    [model] = list(tickets[:1])

    assert (row.pk, row.subject, row.status, row.priority, row.created_at) == (
        model.pk,
        model.subject,
        model.status,
        model.priority,
        model.created_at,
    )
    assert row.sla_text == sla_status_text(due_at=model.sla_due_at, breached=model.sla_breached, paused=model.sla_paused)


def _tickets_in_every_state(desk_agent):
    """Tickets whose rows differ in every way a row can: clocks running, late, paused, stopped, none; tags; assignees."""
    nameless = staff(first_name="", last_name="", username="nameless")
    with time_machine.travel(madrid("2025-03-03 09:00"), tick=False):
        late = open_ticket(CustomerFactory(name="Ana <b>Ruiz</b>"), subject="Late & loud", priority="urgent")
        paused = open_ticket(CustomerFactory(), subject="Waiting on the customer")
        answered = open_ticket(CustomerFactory(), subject="Answered")
    with time_machine.travel(madrid("2025-03-05 11:00"), tick=False):
        running = open_ticket(CustomerFactory(), subject="Running", priority="low")
        ticket_assign(actor=desk_agent, ticket=late, assignee=desk_agent)
        ticket_assign(actor=desk_agent, ticket=paused, assignee=nameless)
        ticket_tag(actor=desk_agent, ticket=late, add=["zeta", "alpha", "mid"])
        ticket_tag(actor=desk_agent, ticket=running, add=["solo"])
        ticket_reply(actor=desk_agent, ticket=paused, body="Which model is it?")
        ticket_set_status(actor=desk_agent, ticket=paused, status=TicketStatus.WAITING_CUSTOMER)
        ticket_reply(actor=desk_agent, ticket=answered, body="Done")
        ticket_set_status(actor=desk_agent, ticket=answered, status=TicketStatus.RESOLVED)
    untimed = open_ticket(CustomerFactory(), subject="No clocks at all")
    SlaClock.objects.filter(ticket=untimed).delete()
    Ticket.objects.filter(pk=running.pk).update(is_repeat=True, repeat_of=late)
    return [late, paused, answered, running, untimed]


def _normalised(values):
    return [
        (
            *value[:7],
            bool(value[7]),
            _instant(value[8]),
            *value[9:16],
            _instant(value[16]),
            bool(value[17]),
            rows_module.tag_names(value[18]),
        )
        for value in sorted(values)
    ]


def _instant(value):
    # SQLite's statement sends ISO text that must already be what ``isoformat`` writes (the row shows it).
    instant = rows_module._aware(value)
    if isinstance(value, str):
        assert value == instant.isoformat()
    return instant


def test_the_fixed_statement_reads_what_the_orm_reads(desk, desk_agent):
    tickets = _tickets_in_every_state(desk_agent)
    ids = [ticket.pk for ticket in tickets]

    by_statement = _normalised(rows_module._values_by_statement(ids))
    by_orm = _normalised(rows_module._values_by_orm(ids))

    assert by_statement == by_orm
    assert len(by_statement) == len(tickets)
    # The states the rows were built to show are all there.
    states = {value[0]: (value[16] is not None, value[17]) for value in by_statement}
    assert states[tickets[1].pk] == (False, True)  # paused: no live target
    assert states[tickets[4].pk] == (False, False)  # no clocks
    assert states[tickets[0].pk][0] and states[tickets[3].pk][0]


def test_rows_come_in_the_order_of_the_ids_with_every_shown_value(desk, desk_agent):
    late, paused, answered, running, untimed = _tickets_in_every_state(desk_agent)
    order = [untimed.pk, running.pk, late.pk, paused.pk, answered.pk]

    with translation.override("es"), time_machine.travel(NOW, tick=False):
        rows = ticket_rows_of([*order, 10**9], now=NOW)  # an id that is gone is left out
        expected = {model.pk: model for model in tickets_with_sla(Ticket.objects.filter(pk__in=order), now=NOW)}

        assert [row.pk for row in rows] == order
        for row in rows:
            model = expected[row.pk]
            assert row.sla_text == sla_status_text(
                due_at=model.sla_due_at, breached=model.sla_breached, paused=model.sla_paused, now=NOW
            )
            assert (row.subject, row.customer_name, row.is_repeat, row.created_at) == (
                model.subject,
                model.customer.name,
                model.is_repeat,
                model.created_at,
            )
    by_pk = {row.pk: row for row in rows}
    assert by_pk[late.pk].tags == ("alpha", "mid", "zeta")
    assert by_pk[late.pk].assignee_name == desk_agent.get_full_name()
    assert by_pk[paused.pk].assignee_name == "nameless"  # no name: the user name
    assert (by_pk[paused.pk].sla_state, by_pk[paused.pk].sla_text) == ("paused", "en pausa")
    assert (by_pk[untimed.pk].sla_state, by_pk[untimed.pk].sla_text) == ("none", "")
    assert by_pk[running.pk].is_repeat and by_pk[running.pk].tags == ("solo",)
    assert by_pk[late.pk].created_text == "03/03/2025 09:00"  # the reader's short date, Madrid time
    assert by_pk[late.pk].waiting_text == "2 d 3 h"


def test_an_empty_page_asks_nothing_of_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert ticket_rows_of([]) == []


def test_other_databases_read_the_rows_through_the_orm(desk, desk_agent, monkeypatch):
    tickets = _tickets_in_every_state(desk_agent)
    ids = [ticket.pk for ticket in tickets]
    with time_machine.travel(NOW, tick=False):
        expected = ticket_rows_of(ids, now=NOW)
        monkeypatch.setattr(rows_module.connection, "vendor", "another")
        assert ticket_rows_of(ids, now=NOW) == expected


def test_the_words_keep_a_bounded_number_of_durations():
    with translation.override("en"):
        words = SlaWords()
        texts = [words.minutes(minutes) for minutes in range(SlaWords.KEPT + 5)]

    assert len(words._written) <= SlaWords.KEPT
    assert texts[61] == "1 h 1 min" and words.minutes(61) == "1 h 1 min"


def test_the_unanswered_list_of_a_manager_is_compiled_once_and_reads_todays_tickets(desk, manager, django_assert_num_queries):
    # given: three unanswered tickets, and the manager's list paged once (its statements compiled and kept)
    first = [open_ticket(CustomerFactory()).number for _ in range(3)]
    with translation.override("en"):
        assert [row.number for row in tickets_unanswered_rows(visible_to=manager)[0:2]] == first[:2]
    built = []

    def tickets():
        built.append(True)
        return tickets_unanswered()

    # when: a ticket is answered, another opened, and the list asked for again in the same process
    ticket_reply(actor=manager, ticket=Ticket.objects.get(number=first[0]), body="On it.")
    latest = open_ticket(CustomerFactory()).number
    with translation.override("en"), django_assert_num_queries(2):  # the kept ids statement, then the rows
        again = TicketRowList.compiled_once("tickets_unanswered", tickets)[0:2]

    # then: nothing was built or compiled, and the page holds the tickets as they are now
    assert built == []
    assert [row.number for row in again] == first[1:3]
    assert [row.number for row in tickets_unanswered_rows(visible_to=manager)[2:4]] == [latest]
    assert tickets_unanswered_rows(visible_to=manager).count() == 3


def test_a_list_compiled_once_gives_the_pages_of_the_plain_list(desk, manager):
    for _ in range(7):
        open_ticket(CustomerFactory())
    plain = TicketRowList(tickets_unanswered(visible_to=manager))
    kept = TicketRowList.compiled_once(("test", "unanswered"), tickets_unanswered)

    for start, stop in [(0, 3), (3, 6), (6, 9), (0, 3), (5, 6)]:
        assert [row.number for row in kept[start:stop]] == [row.number for row in plain[start:stop]]
    assert kept[4].number == plain[4].number


def test_an_agent_who_sees_some_tickets_gets_the_list_of_their_own(desk, desk_agent, manager):
    # given: a ticket in the service desk's queue and one in another department's queue
    other_department = Department.objects.create(code="returns-desk", name="Returns desk")
    elsewhere = Queue.objects.create(name="Returns", department=other_department)
    seen = open_ticket(CustomerFactory())
    hidden = open_ticket(CustomerFactory())
    Ticket.objects.filter(pk=hidden.pk).update(queue=elsewhere, department=other_department, assignee=None)
    hidden.followers.clear()

    # then: the agent's list holds their department's ticket only, the manager's both
    with translation.override("en"):
        assert [row.number for row in tickets_unanswered_rows(visible_to=desk_agent)[0:10]] == [seen.number]
        assert [row.number for row in tickets_unanswered_rows(visible_to=manager)[0:10]] == [seen.number, hidden.number]


def test_a_list_compiled_once_that_no_ticket_can_meet_is_empty(desk):
    open_ticket(CustomerFactory())

    rows = TicketRowList.compiled_once(("test", "none"), lambda: Ticket.objects.filter(pk__in=[]).order_by("id"))

    assert rows[0:10] == [] and rows.count() == 0


def test_a_spanish_reader_sees_the_queue_by_its_spanish_name(desk, desk_agent):
    desk.name_es = "Servicio de atención"
    desk.save(update_fields=["name_es"])
    ticket = open_ticket(CustomerFactory())

    with translation.override("es"):
        (spanish,) = ticket_rows_of([ticket.pk])
    with translation.override("en"):
        (english,) = ticket_rows_of([ticket.pk])

    assert (spanish.queue_name, english.queue_name) == ("Servicio de atención", desk.name)
