"""A contract renewed twice, followed day by day over its three periods with the sweeps running as the tick would.

The customer renews each period the day its 30-day reminder arrives. Each period must start the day
after the previous one ends, the unit must be covered every single day from the first period's first
day to the third period's last, each period gets its own visits (work orders created the lead days
ahead, none twice) and its own reminders, and only the last period lapses.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.contracts import sweeps
from aftersales.contracts.models import ContractStatus, ContractVisit, MaintenanceContract
from aftersales.contracts.services import contract_renew
from aftersales.fieldwork.models import WorkOrder
from aftersales.messaging.models import Message
from aftersales.warranty.coverage import coverage_on
from tests.contracts.conftest import madrid, signed, sold_unit

pytestmark = pytest.mark.django_db

PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
    (dt.date(2028, 1, 1), dt.date(2028, 12, 31)),
]


def reminders(contract: MaintenanceContract) -> list[str]:
    keys = Message.objects.filter(idempotency_key__startswith=f"contract_renewal:{contract.pk}:")
    return sorted(keys.values_list("idempotency_key", flat=True))


def test_a_contract_renewed_twice_covers_every_day_with_its_own_visits_and_reminders():
    # out of its standard warranty since 2025, so only the contract can cover it
    unit = sold_unit(months=12, sold_on=dt.date(2024, 3, 1))
    with time_machine.travel(madrid(2025, 12, 1), tick=False):
        chain = [signed(unit, starts_on=dt.date(2026, 1, 1), visit_every_months=6)]

    day = dt.date(2025, 12, 1)
    while day <= PERIODS[-1][1]:
        with time_machine.travel(madrid(day.year, day.month, day.day, 7), tick=False):
            for _run in range(2):
                sweeps.visits()
                sweeps.renewal_reminders()
                sweeps.lapse()
            current = chain[-1]
            current.refresh_from_db()
            if len(chain) < 3 and f"contract_renewal:{current.pk}:30" in reminders(current):
                chain.append(contract_renew(actor=None, contract=current))
        if PERIODS[0][0] <= day <= PERIODS[-1][1]:
            coverage = coverage_on(unit=unit, on=day)
            period_end = next(end for start, end in PERIODS if start <= day <= end)
            assert (coverage.covered, coverage.kind, coverage.valid_until) == (True, "contract", period_end), day
        day += dt.timedelta(days=1)

    for contract in chain:
        contract.refresh_from_db()
    assert [(contract.starts_on, contract.ends_on) for contract in chain] == PERIODS
    assert [contract.status for contract in chain] == [ContractStatus.RENEWED, ContractStatus.RENEWED, ContractStatus.ACTIVE]
    # the day after the chain's end only the last period lapses, and the unit is no longer covered
    with time_machine.travel(madrid(2029, 1, 1, 7), tick=False):
        sweeps.lapse()
    assert list(MaintenanceContract.objects.order_by("starts_on").values_list("status", flat=True)) == [
        ContractStatus.RENEWED,
        ContractStatus.RENEWED,
        ContractStatus.EXPIRED,
    ]
    assert coverage_on(unit=unit, on=dt.date(2029, 1, 1)).covered is False
    assert [contract.previous_id for contract in chain] == [None, chain[0].pk, chain[1].pk]

    # each period's own visits, inside its own term, one work order each, created 14 days ahead
    for contract, (start, _end) in zip(chain, PERIODS, strict=True):
        visits = list(contract.visits.order_by("due_on").select_related("work_order"))
        assert [visit.due_on for visit in visits] == [start, start.replace(month=7)]
        for visit in visits:
            created_on = visit.work_order.created_at.astimezone(madrid(2026, 1, 1).tzinfo).date()
            assert created_on == visit.due_on - dt.timedelta(days=14)
            assert visit.work_order.customer_id == unit.customer_id
    assert WorkOrder.objects.count() == ContractVisit.objects.count() == 6
    assert ContractVisit.objects.values("work_order").distinct().count() == 6

    # reminders per period: a renewed period hears no more after it was renewed; the last one all three
    assert reminders(chain[0]) == [f"contract_renewal:{chain[0].pk}:30", f"contract_renewal:{chain[0].pk}:60"]
    assert reminders(chain[1]) == [f"contract_renewal:{chain[1].pk}:30", f"contract_renewal:{chain[1].pk}:60"]
    assert reminders(chain[2]) == [
        f"contract_renewal:{chain[2].pk}:30",
        f"contract_renewal:{chain[2].pk}:60",
        f"contract_renewal:{chain[2].pk}:7",
    ]
    sent = {
        message.idempotency_key: message for message in Message.objects.filter(idempotency_key__startswith="contract_renewal:")
    }
    for contract in chain:
        for days in (60, 30):
            message = sent[f"contract_renewal:{contract.pk}:{days}"]
            assert message.created_at.astimezone(madrid(2026, 1, 1).tzinfo).date() == contract.ends_on - dt.timedelta(days=days)
