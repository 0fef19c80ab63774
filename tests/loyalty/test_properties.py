"""Ledger invariants over random sequences of earning, redeeming, adjusting and expiring.

After every step: the account balance equals the sum of the entries, it is never negative, what is left
of the credits adds up to the balance, and each credit has exactly what a first-expiring-first-spent
reference model says it has left.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import ValidationFailed
from aftersales.loyalty.models import EarnReason, PointsEntry
from aftersales.loyalty.services import points_adjust, points_award, points_expire, points_redeem_sale
from tests.factories import CustomerFactory, SaleFactory
from tests.loyalty.helpers import account_balance, ledger_sum, left_of

pytestmark = pytest.mark.django_db
FAR = dt.date.today() + dt.timedelta(days=400)
_keys = itertools.count()

earn = st.tuples(st.just("earn"), st.integers(1, 300), st.one_of(st.none(), st.integers(1, 30)))
redeem = st.tuples(st.just("redeem"), st.integers(100, 400), st.none())
adjust = st.tuples(st.just("adjust"), st.integers(-300, 300).filter(bool), st.none())
expire = st.tuples(st.just("expire"), st.integers(1, 31), st.none())
operations = st.lists(st.one_of(earn, redeem, adjust, expire), min_size=1, max_size=25)


def _fifo_key(item: tuple[int, dt.date | None, int]) -> tuple[int, dt.date, int]:
    entry_id, expires_on, _left = item
    return (expires_on is None, expires_on or dt.date.max, entry_id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations)
def test_ledger_invariants_hold_for_any_sequence(programme, agent, manager, steps):
    programme.expiry_months = None
    programme.save()
    customer = CustomerFactory()
    sale = SaleFactory(customer=customer, total=Decimal("1000000"))
    # reference model: credit id -> [expires_on, points left]
    model: dict[int, list] = {}
    for kind, amount, extra in steps:
        key = f"p{next(_keys)}"
        balance = sum(left for _expiry, left in model.values())
        if kind == "earn":
            expires_on = FAR + dt.timedelta(days=extra) if extra else None
            entry = points_award(
                actor=None,
                customer=customer,
                points=amount,
                reason=EarnReason.BONUS,
                source_ref="",
                idempotency_key=key,
                expires_on=expires_on,
            )
            model[entry.pk] = [expires_on, amount]
        elif kind == "expire":
            lapse_before = FAR + dt.timedelta(days=amount)
            points_expire(today=lapse_before)
            for state in model.values():
                if state[0] is not None and state[0] < lapse_before:
                    state[1] = 0
        else:
            try:
                if kind == "redeem":
                    points_redeem_sale(actor=agent, customer=customer, sale=sale, points=amount, idempotency_key=key)
                    taken = amount
                else:
                    entry = points_adjust(actor=manager, customer=customer, points=amount, note="test", idempotency_key=key)
                    taken = -amount if amount < 0 else 0
                    if amount > 0:
                        model[entry.pk] = [None, amount]
            except ValidationFailed as refused:
                assert taken_more_than(balance, kind, amount), refused.errors
                continue
            assert not taken_more_than(balance, kind, amount)
            for entry_id, _expires_on, left in sorted(((k, *v) for k, v in model.items()), key=_fifo_key):
                used = min(left, taken)
                model[entry_id][1] -= used
                taken -= used
        # the invariants
        total = ledger_sum(customer)
        assert account_balance(customer) == total >= 0
        credits = PointsEntry.objects.filter(customer=customer, points__gt=0)
        assert sum(left_of(credit) for credit in credits) == total
        assert {credit.pk: left_of(credit) for credit in credits} == {pk: left for pk, (_e, left) in model.items()}


def taken_more_than(balance: int, kind: str, amount: int) -> bool:
    """Return whether a redemption or negative adjustment asked for more than the balance."""
    wanted = amount if kind == "redeem" else -amount
    return wanted > balance
