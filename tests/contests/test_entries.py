"""Entries earned by rule inside the window: purchases, surveys, referrals, by hand; idempotent and capped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.contests.models import ContestStatus, Entry, EntrySource
from aftersales.contests.services import contest_cancel, contest_create, entries_catch_up, entry_manual_add
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.feedback.signals import survey_completed
from aftersales.referrals.signals import referral_converted
from aftersales.sales.models import Sale
from aftersales.sales.signals import sales_recorded
from tests.contests.conftest import DURING, madrid, opened, terms
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory

pytestmark = pytest.mark.django_db


def sale(customer=None, *, sold_on=dt.date(2026, 3, 10), amount=Decimal("100.00"), category=None, quantity=1):
    record = SaleFactory(customer=customer or CustomerFactory(), sold_on=sold_on, total=amount * quantity)
    SaleLineFactory(
        sale=record, product=ProductFactory(category=category or CategoryFactory()), unit_price=amount, quantity=quantity
    )
    return record


def recorded(*sales):
    sales_recorded.send(sender=Sale, sale_ids=[item.pk for item in sales])


def entries(contest, **filters):
    return Entry.objects.filter(contest=contest, **filters)


def test_a_purchase_inside_the_window_earns_entries_and_one_outside_none():
    contest = opened(entries_per_sale=2)
    inside, before, after = sale(), sale(sold_on=dt.date(2026, 2, 28)), sale(sold_on=dt.date(2026, 4, 1))
    recorded(inside, before, after)
    assert list(entries(contest).values_list("customer_id", "source", "source_ref", "n")) == [
        (inside.customer_id, "sale", str(inside.pk), 1),
        (inside.customer_id, "sale", str(inside.pk), 2),
    ]
    assert TimelineEvent.objects.filter(customer=inside.customer, kind="contest_entries").count() == 1


def test_entries_per_amount_step_and_only_for_the_contests_categories():
    boilers = CategoryFactory(slug="boilers")
    contest = opened(entries_per_sale=1, sale_amount_step=Decimal("100"))
    contest.categories.set([boilers])
    big = sale(amount=Decimal("150.00"), quantity=3, category=boilers)  # 450 in boilers: 4 entries
    other = sale(amount=Decimal("900.00"))  # no boiler: nothing
    recorded(big, other)
    assert entries(contest, customer=big.customer).count() == 4
    assert not entries(contest, customer=other.customer).exists()


def test_the_same_sale_twice_and_a_catch_up_after_it_give_its_entries_once():
    contest = opened(entries_per_sale=3)
    item = sale()
    recorded(item)
    recorded(item)
    assert entries_catch_up() == 0
    assert entries(contest).count() == 3


def test_an_import_signal_catches_up_on_every_sale_of_the_window_set_based():
    contest = opened()
    sales = [sale() for _ in range(5)] + [sale(sold_on=dt.date(2026, 5, 1))]
    sales_recorded.send(sender=Sale, sale_ids=None)
    assert entries(contest).count() == 5
    assert entries_catch_up(batch=2) == 0
    assert not entries(contest, source_ref=str(sales[-1].pk)).exists()


def test_the_maximum_per_customer_holds_across_sources():
    contest = opened(entries_per_sale=2, entries_per_survey=2, max_entries_per_customer=3)
    customer = CustomerFactory()
    recorded(sale(customer))
    with time_machine.travel(DURING, tick=False):
        survey_completed.send(sender=None, response_id=991, customer_id=customer.pk, invitation_id=1)
        with pytest.raises(ValidationFailed) as refused:
            entry_manual_add(actor=None, contest=contest, customer=customer, count=1, reason="Shop event")
    assert entries(contest, customer=customer).count() == 3
    assert refused.value.errors[0].field == "count"


def test_a_completed_survey_earns_entries_only_inside_the_window():
    contest = opened(entries_per_sale=0, entries_per_survey=1)
    customer = CustomerFactory()
    with time_machine.travel(DURING, tick=False):
        survey_completed.send(sender=None, response_id=5, customer_id=customer.pk, invitation_id=1)
        survey_completed.send(sender=None, response_id=5, customer_id=customer.pk, invitation_id=1)
    with time_machine.travel(madrid(2026, 4, 1), tick=False):
        survey_completed.send(sender=None, response_id=6, customer_id=customer.pk, invitation_id=2)
    assert list(entries(contest).values_list("source", "source_ref")) == [(EntrySource.SURVEY, "5")]


def test_a_converted_referral_earns_the_referrer_entries_once():
    contest = opened(entries_per_sale=0, entries_per_referral=2)
    referrer, friend = CustomerFactory(), CustomerFactory()
    with time_machine.travel(DURING, tick=False):
        for _ in range(2):
            referral_converted.send(sender=None, referral_id=77, referrer_id=referrer.pk, referred_id=friend.pk)
    with time_machine.travel(madrid(2026, 2, 27), tick=False):
        referral_converted.send(sender=None, referral_id=78, referrer_id=referrer.pk, referred_id=friend.pk)
    assert entries(contest, customer=referrer).count() == 2
    assert not entries(contest, customer=friend).exists()


def test_a_draft_or_cancelled_contest_earns_no_entries():
    draft = contest_create(actor=None, terms=terms(code="draft"))
    cancelled = contest_cancel(actor=None, contest=opened(code="called-off"))
    recorded(sale())
    sales_recorded.send(sender=Sale, sale_ids=None)
    assert not Entry.objects.filter(contest__in=[draft, cancelled]).exists()
    assert cancelled.status == ContestStatus.CANCELLED


def test_manual_entries_need_a_reason_an_open_contest_and_a_retry_gives_the_same_entries(manager):
    contest = opened()
    customer = CustomerFactory()
    with pytest.raises(ValidationFailed) as refused:
        entry_manual_add(actor=manager, contest=contest, customer=customer, count=1, reason=" ")
    assert refused.value.errors[0].field == "reason"
    first = entry_manual_add(
        actor=manager, contest=contest, customer=customer, count=2, reason="Won the quiz", idempotency_key="quiz-1"
    )
    again = entry_manual_add(
        actor=manager, contest=contest, customer=customer, count=2, reason="Won the quiz", idempotency_key="quiz-1"
    )
    assert [entry.pk for entry in first] == [entry.pk for entry in again]
    assert entries(contest, source=EntrySource.MANUAL).count() == 2
    assert first[0].created_by == manager and first[0].reason == "Won the quiz"
    draft = contest_create(actor=None, terms=terms(code="later"))
    with pytest.raises(Conflict):
        entry_manual_add(actor=manager, contest=draft, customer=customer, count=1, reason="Too early")
