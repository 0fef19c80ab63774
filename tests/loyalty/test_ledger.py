"""The points ledger: awards, adjustments, redemptions into sale discounts, idempotency and errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.loyalty.models import EarnReason, EntryKind, PointsEntry, PointsRedemption
from aftersales.loyalty.services import points_adjust, points_award, points_balance, points_redeem_sale
from tests.factories import CustomerFactory, SaleFactory
from tests.loyalty.helpers import account_balance, ledger_sum

pytestmark = pytest.mark.django_db


def award(customer, points, key, **kwargs):
    return points_award(
        actor=None, customer=customer, points=points, reason=EarnReason.BONUS, source_ref="", idempotency_key=key, **kwargs
    )


@time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_award_credits_the_balance_with_the_programme_expiry_and_a_timeline_event(programme, customer):
    entry = award(customer, 120, "k1")

    assert entry.kind == EntryKind.EARN and entry.points == 120
    assert entry.expires_on == dt.date(2028, 3, 10)
    assert points_balance(customer=customer) == 120 == ledger_sum(customer)
    event = TimelineEvent.objects.get(customer=customer, kind="points_earned")
    assert event.data["points"] == 120 and event.data["balance"] == 120


def test_the_same_key_twice_returns_the_first_entry(programme, customer):
    first = award(customer, 100, "same")
    again = award(customer, 999, "same")

    assert again.pk == first.pk
    assert points_balance(customer=customer) == 100
    assert PointsEntry.objects.filter(customer=customer).count() == 1


def test_a_key_reused_for_another_customer_is_a_conflict(programme, customer):
    award(customer, 100, "shared")
    with pytest.raises(Conflict):
        award(CustomerFactory(), 100, "shared")


@pytest.mark.parametrize(
    ("points", "reason", "key", "fields"),
    [
        (0, "bonus", "k", {"points"}),
        (-5, "bonus", "k", {"points"}),
        ("10", "bonus", "k", {"points"}),
        (10, "gift", "k", {"reason"}),
        (10, "bonus", "", {"idempotency_key"}),
        (0, "nope", "", {"points", "reason", "idempotency_key"}),
    ],
)
def test_bad_awards_name_every_field(programme, customer, points, reason, key, fields):
    with pytest.raises(ValidationFailed) as caught:
        points_award(actor=None, customer=customer, points=points, reason=reason, source_ref="", idempotency_key=key)
    assert {error.field for error in caught.value.errors} == fields
    assert not PointsEntry.objects.exists()


def test_no_expiry_when_the_programme_keeps_points_forever(programme, customer):
    programme.expiry_months = None
    programme.save()
    assert award(customer, 10, "forever").expires_on is None


def test_negative_adjustment_cannot_make_the_balance_negative(programme, customer, manager):
    award(customer, 50, "k")
    with pytest.raises(ValidationFailed) as caught:
        points_adjust(actor=manager, customer=customer, points=-51, note="typo", idempotency_key="adj")
    assert caught.value.errors[0].field == "points"
    assert caught.value.errors[0].code == "insufficient_points"
    assert points_balance(customer=customer) == 50
    assert not PointsEntry.objects.filter(kind=EntryKind.ADJUST).exists()

    entry = points_adjust(actor=manager, customer=customer, points=-50, note="returned goods", idempotency_key="adj2")
    assert entry.points == -50 and entry.created_by == manager
    assert points_balance(customer=customer) == 0 == ledger_sum(customer)
    assert TimelineEvent.objects.filter(customer=customer, kind="points_adjusted").count() == 1


def test_adjustment_needs_a_reason(programme, customer, manager):
    with pytest.raises(ValidationFailed) as caught:
        points_adjust(actor=manager, customer=customer, points=10, note="  ", idempotency_key="adj")
    assert [error.field for error in caught.value.errors] == ["note"]


def test_redeeming_into_a_sale_discount_records_the_amount(programme, customer, agent):
    award(customer, 300, "k")
    sale = SaleFactory(customer=customer, total=Decimal("100.00"))

    done = points_redeem_sale(actor=agent, customer=customer, sale=sale, points=200, idempotency_key="r1")

    assert done.entry.points == -200
    assert done.redemption.amount == Decimal("10.00") and done.redemption.sale == sale
    assert points_balance(customer=customer) == 100 == ledger_sum(customer)
    again = points_redeem_sale(actor=agent, customer=customer, sale=sale, points=200, idempotency_key="r1")
    assert again.entry.pk == done.entry.pk and PointsRedemption.objects.count() == 1


def test_redemption_errors_name_the_field(programme, customer, agent):
    award(customer, 150, "k")
    own = SaleFactory(customer=customer, total=Decimal("5.00"))
    other = SaleFactory()

    with pytest.raises(ValidationFailed) as below:
        points_redeem_sale(actor=agent, customer=customer, sale=own, points=99, idempotency_key="a")
    assert below.value.errors[0].code == "below_minimum"
    with pytest.raises(ValidationFailed) as foreign:
        points_redeem_sale(actor=agent, customer=customer, sale=other, points=100, idempotency_key="b")
    assert [error.field for error in foreign.value.errors] == ["sale_id"]
    with pytest.raises(ValidationFailed) as over_sale:
        points_redeem_sale(actor=agent, customer=customer, sale=own, points=120, idempotency_key="c")
    assert over_sale.value.errors[0].code == "exceeds_sale"
    with pytest.raises(ValidationFailed) as over_balance:
        points_redeem_sale(actor=agent, customer=customer, sale=SaleFactory(customer=customer), points=151, idempotency_key="d")
    assert over_balance.value.errors[0].code == "insufficient_points"
    assert points_balance(customer=customer) == 150 == account_balance(customer)


def test_an_inactive_programme_refuses_redemptions(programme, customer, agent):
    award(customer, 500, "k")
    programme.active = False
    programme.save()
    with pytest.raises(ValidationFailed) as caught:
        points_redeem_sale(actor=agent, customer=customer, sale=SaleFactory(customer=customer), points=100, idempotency_key="x")
    assert caught.value.errors[0].code == "programme_inactive"
