"""The demo company's service desk: queues, rules, canned replies in both languages and tickets in many states."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.demo.builder import demo_build
from aftersales.service.models import CannedReply, Queue, RoutingRule, Ticket

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
