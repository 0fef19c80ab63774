"""Entries and draws at the same moment on PostgreSQL: the maximum per customer holds, a source counts once,
a contest is drawn once."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from aftersales.contests.models import Contest, Entry, Winner
from aftersales.contests.services import contest_draw, entries_catch_up, entries_for_sales, entry_manual_add
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.messaging.models import Message
from tests.concurrency import at_once
from tests.contests.conftest import DRAW_DAY, DURING, closed, opened
from tests.factories import CustomerFactory, SaleFactory, SaleLineFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_eight_manual_grants_at_once_stop_at_the_maximum_per_customer():
    contest = opened(max_entries_per_customer=5)
    customer = CustomerFactory()

    with time_machine.travel(DURING, tick=False):
        results = at_once(
            8,
            lambda n: entry_manual_add(
                actor=None, contest=Contest.objects.get(pk=contest.pk), customer=customer, count=2, reason=f"Game {n}"
            ),
        )

    assert sum(isinstance(result, list) for result in results) == 2, results
    assert sum(isinstance(result, ValidationFailed) for result in results) == 6, results
    assert Entry.objects.filter(contest=contest, customer=customer).count() == 4


def test_a_sale_reaching_six_receivers_and_catch_ups_at_once_gets_its_entries_once():
    contest = opened(entries_per_sale=3)
    sale = SaleFactory(sold_on=DURING.date())
    SaleLineFactory(sale=sale)

    results = at_once(6, lambda n: entries_for_sales(sale_ids=[sale.pk]) if n % 2 else entries_catch_up())

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(Entry.objects.filter(contest=contest).values_list("n", flat=True)) == [1, 2, 3]


def test_two_draws_at_once_draw_one_set_of_winners():
    contest = opened(winners_count=2)
    with time_machine.travel(DURING, tick=False):
        for _ in range(5):
            entry_manual_add(actor=None, contest=contest, customer=CustomerFactory(), count=1, reason="Fair")
    contest = closed(contest)

    with time_machine.travel(DRAW_DAY, tick=False):
        results = at_once(2, lambda n: contest_draw(actor=None, contest=Contest.objects.get(pk=contest.pk)))

    assert sum(isinstance(result, Contest) for result in results) == 1, results
    assert sum(isinstance(result, Conflict) for result in results) == 1, results
    assert Winner.objects.filter(contest=contest).count() == 2
    assert Message.objects.filter(template_code="contest_winner").count() == 2
