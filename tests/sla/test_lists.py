"""Lists show each ticket's next target as "due in …" or "breached by …", in the reader's language."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.template import Context, Template
from django.utils import translation

from aftersales.service.models import Ticket, TicketStatus
from aftersales.service.services import ticket_reply, ticket_set_status
from aftersales.service.sla import duration_text, tickets_with_sla
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

LINE = Template("{% load sla %}{{ ticket|sla_due }}|{{ ticket|sla_state }}")


def line(ticket, language="en"):
    annotated = tickets_with_sla(Ticket.objects.filter(pk=ticket.pk)).get()
    with translation.override(language):
        return LINE.render(Context({"ticket": annotated}))


def test_a_running_target_reads_due_in_and_a_passed_one_breached_by(desk):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(CustomerFactory())

    with time_machine.travel(madrid("2025-03-03 15:50"), tick=False):
        assert line(ticket) == "due in 2 h 10 min|due"
        assert line(ticket, "es") == "vence en 2 h 10 min|due"
    with time_machine.travel(madrid("2025-03-03 18:35"), tick=False):
        assert line(ticket) == "breached by 35 min|breached"
        assert line(ticket, "es") == "incumplido por 35 min|breached"


def test_the_next_live_target_is_shown_after_the_first_reply(desk, desk_agent):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(CustomerFactory())
    with time_machine.travel(madrid("2025-03-03 11:00"), tick=False):
        ticket_reply(actor=desk_agent, ticket=ticket, body="Looking into it.")

    with time_machine.travel(madrid("2025-03-07 09:00"), tick=False):
        # resolution due Monday 10:00: 3 days and an hour of clock time away
        assert line(ticket) == "due in 3 d 1 h|due"


def test_a_waiting_ticket_reads_paused_and_a_resolved_one_nothing(desk, desk_agent):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(CustomerFactory())
        ticket_reply(actor=desk_agent, ticket=ticket, body="Which model?", status=TicketStatus.WAITING_CUSTOMER)
        assert line(ticket) == "paused|paused"
        assert line(ticket, "es") == "en pausa|paused"
        ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.RESOLVED)
        assert line(ticket) == "|"


def test_durations_read_in_days_hours_and_minutes():
    assert duration_text(dt.timedelta(seconds=59)) == "0 min"
    assert duration_text(dt.timedelta(minutes=61)) == "1 h 1 min"
    assert duration_text(dt.timedelta(days=2, hours=5, minutes=59)) == "2 d 5 h"
