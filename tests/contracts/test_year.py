"""A year of days, the visit sweep run twice each day and once more through the tick: one work order per due visit.

Contracts with different visit frequencies are followed day by day through 2028 (a leap year) with the
clock frozen at each day; every visit's maintenance work order must appear exactly on the day that is
the lead days before it is due — not earlier, not later, never twice — including visits due on
29 February and on month ends clamped by short months.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from aftersales.contracts import sweeps
from aftersales.contracts.models import ContractVisit
from aftersales.core.tick import tick_run
from aftersales.fieldwork.models import WorkOrder, WorkOrderKind
from tests.contracts.conftest import madrid, signed, sold_unit

pytestmark = pytest.mark.django_db

FIRST_DAY, LAST_DAY = dt.date(2028, 1, 1), dt.date(2028, 12, 31)

# Each contract's terms and the days its visits fall due, written out by hand (not computed by the product).
CONTRACTS = {
    "monthly from 31 January": (
        {"starts_on": dt.date(2028, 1, 31), "visit_every_months": 1},
        [
            dt.date(2028, 1, 31),
            dt.date(2028, 2, 29),
            dt.date(2028, 3, 31),
            dt.date(2028, 4, 30),
            dt.date(2028, 5, 31),
            dt.date(2028, 6, 30),
            dt.date(2028, 7, 31),
            dt.date(2028, 8, 31),
            dt.date(2028, 9, 30),
            dt.date(2028, 10, 31),
            dt.date(2028, 11, 30),
            dt.date(2028, 12, 31),
        ],
    ),
    "quarterly from 29 February": (
        {"starts_on": dt.date(2028, 2, 29), "visit_every_months": 3},
        # the last visit, 28 February 2029, is the term's last day: its order is created in 2029, after this year
        [dt.date(2028, 2, 29), dt.date(2028, 5, 29), dt.date(2028, 8, 29), dt.date(2028, 11, 29), dt.date(2029, 2, 28)],
    ),
    "every two months from 30 June": (
        {"starts_on": dt.date(2028, 6, 30), "visit_every_months": 2},
        [
            dt.date(2028, 6, 30),
            dt.date(2028, 8, 30),
            dt.date(2028, 10, 30),
            dt.date(2028, 12, 30),
            dt.date(2029, 2, 28),
            dt.date(2029, 4, 30),
        ],
    ),
    "yearly for two years from 15 March": (
        {"starts_on": dt.date(2028, 3, 15), "visit_every_months": 12, "months": 24, "billing_period": "yearly"},
        [dt.date(2028, 3, 15), dt.date(2029, 3, 15)],
    ),
    "no planned visits": ({"starts_on": dt.date(2028, 2, 1), "visit_every_months": None}, []),
}


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("lead_days", [3, 14, 30])
def test_each_visit_gets_one_work_order_exactly_the_lead_days_ahead_across_a_leap_year(settings, lead_days):
    settings.CONTRACTS_VISIT_LEAD_DAYS = lead_days
    with time_machine.travel(madrid(2027, 12, 1), tick=False):
        contracts = {name: signed(sold_unit(), **terms) for name, (terms, _dues) in CONTRACTS.items()}
    for name, (_terms, dues) in CONTRACTS.items():
        assert sorted(contracts[name].visits.values_list("due_on", flat=True)) == dues, name
    lead = dt.timedelta(days=lead_days)
    expected_by_day: dict[dt.date, set[tuple[int, dt.date]]] = {}
    for name, (_terms, dues) in CONTRACTS.items():
        for due in dues:
            expected_by_day.setdefault(due - lead, set()).add((contracts[name].pk, due))

    created: set[tuple[int, dt.date]] = set()
    for today in days(FIRST_DAY, LAST_DAY):
        # twice in the early morning (two overlapping schedulers), then once through the tick later that day
        with time_machine.travel(madrid(today.year, today.month, today.day, 6), tick=False):
            sweeps.visits()
            sweeps.visits()
        with time_machine.travel(madrid(today.year, today.month, today.day, 15), tick=False):
            assert tick_run(only="contracts.visits") == {"contracts.visits": "ran"}
        created |= expected_by_day.get(today, set())

        generated = set(ContractVisit.objects.filter(work_order__isnull=False).values_list("contract_id", "due_on").order_by())
        assert generated == created, today
        assert WorkOrder.objects.count() == len(created), today

    # none missing: every visit due up to the lead days after the last day has its order, the rest none
    assert created == {pair for day, pairs in expected_by_day.items() if day <= LAST_DAY for pair in pairs}
    assert (contracts["monthly from 31 January"].pk, dt.date(2028, 2, 29)) in created
    for visit in ContractVisit.objects.filter(work_order__isnull=False).select_related("work_order"):
        order = visit.work_order
        # created on the morning of the day the visit came within the lead days, for the contract's units
        assert timezone.localtime(order.created_at).date() == visit.due_on - lead, visit
        assert order.kind == WorkOrderKind.MAINTENANCE
        assert order.customer_id == visit.contract.customer_id
        assert list(order.units.all()) == list(visit.contract.units.all())
        assert order.origin_key == f"contract_visit:{visit.pk}"
    assert not ContractVisit.objects.filter(work_order__isnull=True, due_on__lte=LAST_DAY + lead).exists()
