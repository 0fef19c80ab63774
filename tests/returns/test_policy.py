"""The return policy's answer: windows counted from delivery with the last day included, leap days, time zones,
restocking fees, and the explanation in English and Spanish."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.sales.models import UnitStatus
from aftersales.warranty import services
from aftersales.warranty.models import ReturnPolicy
from aftersales.warranty.policies import ConditionRule, customer_today, restocking_fee, return_policy_evaluate
from tests.factories import CategoryFactory
from tests.returns.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


def test_the_last_day_of_the_window_is_included_and_the_next_is_not():
    # given a unit delivered on 13 February 2026 under the default 30-day window
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    # when the customer asks on the 30th day after delivery, and on the day after
    last = return_policy_evaluate(unit=unit, on=dt.date(2026, 3, 15), condition="unopened", wish="return")
    late = return_policy_evaluate(unit=unit, on=dt.date(2026, 3, 16), condition="unopened", wish="return")
    # then the last day is allowed and the next one is not
    assert last.allowed and last.deadline == dt.date(2026, 3, 15)
    assert not late.allowed
    assert last.explain("en").startswith("You can return it until 15 March 2026 (30 days from delivery on 13 February 2026).")
    assert "The 30-day return window ended on 15 March 2026" in late.explain("en")


def test_a_window_ending_on_a_leap_day_includes_it():
    unit = sold_unit(sold_on=dt.date(2028, 1, 30), delivered_at=madrid(2028, 1, 30))
    on_leap_day = return_policy_evaluate(unit=unit, on=dt.date(2028, 2, 29), condition="unopened", wish="return")
    after = return_policy_evaluate(unit=unit, on=dt.date(2028, 3, 1), condition="unopened", wish="return")
    assert on_leap_day.deadline == dt.date(2028, 2, 29)
    assert on_leap_day.allowed and not after.allowed


def test_a_delivery_on_a_leap_day_counts_from_it():
    unit = sold_unit(sold_on=dt.date(2028, 2, 28), delivered_at=madrid(2028, 2, 29, 18))
    answer = return_policy_evaluate(unit=unit, on=dt.date(2028, 3, 30), condition="unopened", wish="exchange")
    assert answer.counted_from == dt.date(2028, 2, 29)
    assert answer.deadline == dt.date(2028, 3, 30)
    assert answer.allowed


def test_without_a_delivery_the_window_counts_from_the_sale():
    unit = sold_unit(sold_on=dt.date(2026, 2, 10), delivered_at=None)
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 3, 12), condition="unopened", wish="return")
    assert answer.allowed and answer.deadline == dt.date(2026, 3, 12)
    assert "30 days from the purchase on 10 February 2026" in answer.explain("en")


def test_a_customer_ahead_of_the_business_clock_keeps_their_delivery_day():
    # Delivered at 23:30 in Madrid on 13 February: already 14 February in Tokyo.
    unit = sold_unit(delivered_at=madrid(2026, 2, 13, 23, 30), time_zone="Asia/Tokyo")
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 3, 16), condition="unopened", wish="return")
    # The later of the two calendar days counts, so the customer gains the day.
    assert answer.counted_from == dt.date(2026, 2, 14)
    assert answer.allowed


def test_a_customer_behind_the_business_clock_still_has_their_today():
    unit = sold_unit(delivered_at=madrid(2026, 2, 13), time_zone="America/New_York")
    # 00:30 on 16 March in Madrid is still 15 March, 19:30, in New York: the last day of the window there.
    with time_machine.travel(madrid(2026, 3, 16, 0, 30), tick=False):
        today = customer_today(unit.customer)
    assert today == dt.date(2026, 3, 15)
    assert return_policy_evaluate(unit=unit, on=today, condition="unopened", wish="return").allowed


def test_the_longer_of_the_product_and_category_windows_applies():
    unit = sold_unit(delivered_at=madrid(2026, 2, 1), return_days=60)
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 3, 20), condition="unopened", wish="return")
    assert answer.window_days == 60 and answer.allowed


def test_a_category_policy_overrides_the_default():
    category = CategoryFactory()
    services.return_policy_save(
        actor=None,
        category=category,
        name="Bicycles",
        return_window_days=14,
        exchange_window_days=45,
        refund_methods=["store_credit"],
        conditions={"used": {"accepts_return": False, "accepts_exchange": True, "fee_percent": "0"}},
    )
    unit = sold_unit(category=category, delivered_at=madrid(2026, 2, 1))
    used_return = return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 5), condition="used", wish="return")
    used_exchange = return_policy_evaluate(unit=unit, on=dt.date(2026, 3, 15), condition="used", wish="exchange")
    assert not used_return.allowed
    assert "Returns are not accepted when the product was used." in used_return.explain("en")
    assert used_exchange.allowed and used_exchange.deadline == dt.date(2026, 3, 18)


def test_a_child_category_follows_its_parents_policy():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    services.return_policy_save(
        actor=None,
        category=parent,
        name="Kitchen",
        return_window_days=7,
        exchange_window_days=7,
        refund_methods=["cash"],
        conditions={},
    )
    unit = sold_unit(category=child, delivered_at=madrid(2026, 2, 1))
    assert return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 8), condition="unopened", wish="return").policy_name == "Kitchen"


@pytest.mark.parametrize(
    ("price", "percent", "flat", "fee"),
    [
        ("199.99", "10", "0", "19.99"),  # 19.999 is rounded down, in the customer's favour
        ("200.00", "10", "0", "20.00"),
        ("200.00", "0", "15.00", "15.00"),
        ("200.00", "10", "5.00", "25.00"),
        ("10.00", "50", "9.00", "10.00"),  # never more than the price
        ("0.00", "20", "0", "0.00"),
    ],
)
def test_restocking_fee_arithmetic(price, percent, flat, fee):
    rule = ConditionRule(True, True, Decimal(percent), Decimal(flat))
    assert restocking_fee(Decimal(price), rule) == Decimal(fee)


def test_an_opened_box_pays_the_fee_and_the_explanation_says_why():
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13))
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 20), condition="opened", wish="return")
    assert answer.fee == Decimal("20.00") and answer.refund == Decimal("180.00")
    assert answer.explain("en") == (
        "You can return it until 15 March 2026 (30 days from delivery on 13 February 2026). "
        "A 10% restocking fee (20.00 EUR) applies because the box was opened. "
        "You will get 180.00 EUR back by original payment method or store credit."
    )
    assert answer.explain("es") == (
        "Puede devolverlo hasta el 15 de marzo de 2026 (30 días desde la entrega el 13 de febrero de 2026). "
        "Se aplica un cargo de reposición del 10 % (20,00 EUR) porque la caja se abrió. "
        "Se le devolverán 180,00 EUR mediante método de pago original o crédito en tienda."
    )


def test_an_exchange_pays_no_fee_and_is_a_new_purchase():
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13))
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 20), condition="used", wish="exchange")
    assert answer.allowed and answer.fee == Decimal("0.00")
    assert "same terms as a new purchase" in answer.explain("en")
    assert "mismas condiciones que una compra nueva" in answer.explain("es")


def test_a_policy_may_charge_the_fee_on_exchanges_too():
    policy = ReturnPolicy.objects.get(is_default=True)
    policy.fee_on_exchange = True
    policy.save()
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13))
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 20), condition="used", wish="exchange")
    assert answer.fee == Decimal("40.00")


def test_damage_after_delivery_is_refused_but_the_warranty_is_offered():
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 20), condition="damaged_by_customer", wish="return")
    assert not answer.allowed
    assert "you can start a warranty claim instead" in answer.explain("en")
    assert "Los cambios" not in answer.explain("es") and "garantía" in answer.explain("es")


def test_a_unit_no_longer_in_service_cannot_be_returned():
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    unit.status = UnitStatus.REPLACED
    unit.save()
    answer = return_policy_evaluate(unit=unit, on=dt.date(2026, 2, 20), condition="unopened", wish="return")
    assert not answer.allowed
    assert answer.explain("en") == "This product can no longer be returned: it was replaced."
