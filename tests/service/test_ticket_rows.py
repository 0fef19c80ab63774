"""Ticket list rows: the shown columns, labels in the reader's language and the same SLA text as everywhere else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from aftersales.service.models import SlaClock, SlaMetric, TicketPriority, TicketStatus
from aftersales.service.selectors import tickets_unanswered
from aftersales.service.services import ticket_assign, ticket_tag
from aftersales.service.sla import sla_status_text, tickets_with_sla
from aftersales.service.ticket_rows import SlaWords, TicketRowList, ticket_rows
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db

NOW = madrid("2025-03-05 12:00")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("minutes", [-4000, -61, -60, -1, 0, 1, 2, 59, 61, 1439, 1440, 3000])
def test_the_rows_say_due_in_or_breached_by_exactly_as_the_ticket_page_does(language, minutes):
    due_at = NOW + dt.timedelta(minutes=minutes)
    with translation.override(language):
        words = SlaWords()
        assert words.status(due_at=due_at, breached=False, paused=False, now=NOW) == sla_status_text(
            due_at=due_at, breached=False, paused=False, now=NOW
        )
        assert words.status(due_at=None, breached=False, paused=True, now=NOW) == sla_status_text(
            due_at=None, breached=False, paused=True, now=NOW
        )


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
        desk.name,
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
    with django_assert_max_num_queries(2):  # the rows, then their tags
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
