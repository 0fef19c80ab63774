"""The demo company's service desk: queues, rules, canned replies in both languages and tickets in many states."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.demo.builder import demo_build
from aftersales.service.models import CannedReply, Queue, RoutingRule, Ticket
from aftersales.service.selectors import tickets_unanswered
from aftersales.service.ticket_rows import TicketRowList

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_working_service_desk():
    summary = demo_build(customers=40, seed=7, today=dt.date(2026, 6, 15))

    assert 20 <= summary.tickets == Ticket.objects.count() <= 40
    assert Queue.objects.count() >= 3 and RoutingRule.objects.count() >= 3
    assert all(reply.body_en and reply.body_es for reply in CannedReply.objects.all())
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"new", "resolved"} <= statuses and len(statuses) >= 4
    assert Ticket.objects.filter(first_public_reply_at__isnull=True).exists(), "the unanswered list is not empty"
    assert {"en", "es"} <= set(Ticket.objects.values_list("language", flat=True))

    # The tickets are spread over the last three weeks, numbered in the order they came in, and the
    # unanswered queue shows fresh tickets still on time beside old ones past their target.
    opened = list(Ticket.objects.order_by("number").values_list("created_at", flat=True))
    assert opened == sorted(opened)
    now = timezone.now()
    assert now - opened[0] >= dt.timedelta(days=7) and now - opened[-1] <= dt.timedelta(hours=1)
    states = {row.sla_state for row in TicketRowList(tickets_unanswered())[0:50]}
    assert "breached" in states and states & {"ok", "soon"}
    replied = Ticket.objects.filter(first_public_reply_at__isnull=False)
    assert all(ticket.first_public_reply_at >= ticket.created_at for ticket in replied)
    assert replied.filter(first_public_reply_at__lt=now - dt.timedelta(days=2)).exists()
