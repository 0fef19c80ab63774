"""Expiry: earliest-expiring points are spent first, lapsed points are written off, customers are warned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.errors import ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.loyalty.models import EarnReason, EntryKind, PointsAllocation, PointsEntry
from aftersales.loyalty.services import points_adjust, points_award, points_balance, points_expire, points_redeem_sale
from aftersales.loyalty.services.notices import points_expiring, points_expiry_notify
from aftersales.messaging.models import Message
from tests.factories import SaleFactory
from tests.loyalty.helpers import ledger_sum, left_of

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def award(customer, points, key, expires_on=None):
    return points_award(
        actor=None,
        customer=customer,
        points=points,
        reason=EarnReason.BONUS,
        source_ref="",
        idempotency_key=key,
        expires_on=expires_on,
    )


@time_machine.travel(NOW, tick=False)
def test_redemption_spends_the_earliest_expiring_points_first_and_never_expiring_last(programme, customer, agent):
    programme.expiry_months = None
    programme.save()
    # given four credits recorded in this order
    june = award(customer, 100, "june", dt.date(2026, 6, 1))
    april = award(customer, 100, "april", dt.date(2026, 4, 1))
    forever = award(customer, 100, "forever")
    april_later = award(customer, 100, "april-later", dt.date(2026, 4, 1))

    # when 250 points are redeemed
    done = points_redeem_sale(
        actor=agent, customer=customer, sale=SaleFactory(customer=customer, total=Decimal("50")), points=250, idempotency_key="r"
    )

    # then the two April credits go first (in entry order), then June, and the never-expiring one is untouched
    consumed = list(PointsAllocation.objects.filter(debit=done.entry).order_by("pk").values_list("credit_id", "points"))
    assert consumed == [(april.pk, 100), (april_later.pk, 100), (june.pk, 50)]
    assert [left_of(entry) for entry in (april, april_later, june, forever)] == [0, 0, 50, 100]
    assert points_balance(customer=customer) == 150 == ledger_sum(customer)


def test_the_sweep_writes_off_what_is_left_of_lapsed_credits_once(programme, customer, agent):
    with time_machine.travel(NOW, tick=False):
        early = award(customer, 100, "early", dt.date(2026, 4, 1))
        late = award(customer, 100, "late", dt.date(2026, 9, 1))
        points_redeem_sale(
            actor=agent,
            customer=customer,
            sale=SaleFactory(customer=customer, total=Decimal("50")),
            points=130,
            idempotency_key="r",
        )
        assert [left_of(early), left_of(late)] == [0, 70]

    with time_machine.travel(dt.datetime(2026, 9, 2, 3, tzinfo=dt.UTC), tick=False):
        assert points_expire() == 1
        assert points_expire() == 0

    expired = PointsEntry.objects.get(kind=EntryKind.EXPIRE)
    assert expired.points == -70 and expired.occurred_on == dt.date(2026, 9, 1)
    assert points_balance(customer=customer) == 0 == ledger_sum(customer)
    assert TimelineEvent.objects.filter(customer=customer, kind="points_expired").count() == 1


def test_points_are_usable_on_their_last_day_and_gone_the_day_after(programme, customer, agent):
    with time_machine.travel(NOW, tick=False):
        award(customer, 100, "a", dt.date(2026, 4, 1))
        award(customer, 100, "b", dt.date(2027, 4, 1))
    sale = SaleFactory(customer=customer, total=Decimal("50"))
    with time_machine.travel(dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC), tick=False):
        points_expire()
        assert points_balance(customer=customer) == 200
    with time_machine.travel(dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC), tick=False):
        # a redemption first lapses what is past its day, so it cannot spend lapsed points
        done = points_redeem_sale(actor=agent, customer=customer, sale=sale, points=100, idempotency_key="r")
    assert PointsEntry.objects.filter(kind=EntryKind.EXPIRE).count() == 1
    assert list(PointsAllocation.objects.filter(debit=done.entry).values_list("credit__idempotency_key", flat=True)) == ["b"]
    assert points_balance(customer=customer) == 0 == ledger_sum(customer)


def test_a_negative_adjustment_cannot_spend_lapsed_points(programme, customer, manager):
    with time_machine.travel(NOW, tick=False):
        award(customer, 100, "a", dt.date(2026, 4, 1))
    with time_machine.travel(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), tick=False), pytest.raises(ValidationFailed) as caught:
        points_adjust(actor=manager, customer=customer, points=-10, note="correction", idempotency_key="adj")
    assert caught.value.errors[0].field == "points"
    assert caught.value.errors[0].code == "insufficient_points"
    # the refusal wrote nothing; the sweep lapses the points
    assert not PointsEntry.objects.filter(kind__in=[EntryKind.ADJUST, EntryKind.EXPIRE]).exists()
    points_expire(today=dt.date(2026, 5, 1))
    assert points_balance(customer=customer) == 0 == ledger_sum(customer)


def test_customers_are_warned_30_days_ahead_once_a_month(programme, customer):
    with time_machine.travel(NOW, tick=False):
        award(customer, 40, "soon", dt.date(2026, 4, 1))
        award(customer, 60, "later", dt.date(2026, 4, 5))
        award(customer, 500, "far", dt.date(2027, 1, 1))
        assert points_expiring(customer_id=customer.pk) == {customer.pk: (100, dt.date(2026, 4, 1))}

        assert points_expiry_notify() == 1
        points_expiry_notify()

    message = Message.objects.get(customer=customer, template_code="loyalty_points_expiring")
    assert "100" in message.subject and "1 April 2026" in message.subject
    assert "5.00 EUR" in message.body


def test_spanish_customers_are_warned_in_spanish(programme, customer):
    customer.language = "es"
    customer.save()
    with time_machine.travel(NOW, tick=False):
        award(customer, 40, "soon", dt.date(2026, 4, 1))
        points_expiry_notify()
    message = Message.objects.get(customer=customer)
    assert "caducan el 1 de abril de 2026" in message.subject


def test_the_loyalty_sweeps_run_from_the_tick(programme, customer):
    from aftersales.core.tick import tick_run

    with time_machine.travel(NOW, tick=False):
        award(customer, 30, "old", dt.date(2026, 3, 20))
    with time_machine.travel(dt.datetime(2026, 3, 25, 3, tzinfo=dt.UTC), tick=False):
        outcome = {
            name: tick_run(only=name)[name]
            for name in ("loyalty.expire", "loyalty.expiry_notices", "loyalty.purchases", "loyalty.tiers")
        }
    assert set(outcome.values()) == {"ran"}
    assert points_balance(customer=customer) == 0
