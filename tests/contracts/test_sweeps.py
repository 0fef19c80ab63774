"""The sweeps: maintenance work orders N days ahead, renewal reminders at 60, 30 and 7 days, and the figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from aftersales.contracts import services
from aftersales.contracts.models import ContractStatus, ContractVisit, MaintenanceContract
from aftersales.contracts.selectors import contract_figures
from aftersales.contracts.services import (
    billing_line_record_payment,
    contract_cancel,
    contract_reminders_send,
    contract_renew,
    contract_visits_generate,
    visits_due_keys,
)
from aftersales.core.tick import tick_run
from aftersales.fieldwork.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.fieldwork.services import work_order_create
from aftersales.messaging.models import Message
from aftersales.sales.models import Unit, UnitStatus
from aftersales.warranty.models import CostEntry, CostKind, CostSource
from tests.contracts.conftest import madrid, signed, sold_unit

pytestmark = pytest.mark.django_db


def test_a_visits_work_order_is_created_fourteen_days_ahead_once():
    unit = sold_unit()
    contract = signed(unit, starts_on=dt.date(2026, 1, 1), visit_every_months=6)  # visits on 1 January and 1 July

    assert contract_visits_generate(today=dt.date(2025, 12, 17)) == 0
    assert contract_visits_generate(today=dt.date(2025, 12, 18)) == 1
    assert contract_visits_generate(today=dt.date(2025, 12, 18)) == 0
    assert contract_visits_generate(today=dt.date(2026, 6, 16)) == 0
    assert contract_visits_generate(today=dt.date(2026, 6, 17)) == 1

    orders = list(WorkOrder.objects.order_by("pk"))
    assert len(orders) == 2
    order = orders[0]
    assert (order.kind, order.status, order.customer_id) == (
        WorkOrderKind.MAINTENANCE,
        WorkOrderStatus.PROPOSED,
        unit.customer_id,
    )
    assert list(order.units.all()) == [unit]
    assert contract.reference in order.description
    assert [visit.work_order_id for visit in contract.visits.order_by("due_on")] == [orders[0].pk, orders[1].pk]


def test_the_lead_days_follow_the_setting(settings):
    settings.CONTRACTS_VISIT_LEAD_DAYS = 3
    signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12)

    assert contract_visits_generate(today=dt.date(2025, 12, 28)) == 0
    assert contract_visits_generate(today=dt.date(2025, 12, 29)) == 1


def test_a_lost_link_does_not_make_a_second_work_order():
    contract = signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12)
    contract_visits_generate(today=dt.date(2026, 1, 1))
    # the link is lost (a crash between the order and its visit): the origin key finds the order again
    ContractVisit.objects.update(work_order=None, generated_at=None)

    contract_visits_generate(today=dt.date(2026, 1, 1))

    assert WorkOrder.objects.count() == 1
    assert contract.visits.get().work_order_id == WorkOrder.objects.get().pk


def test_the_sweep_walks_the_due_visits_in_batches_in_the_order_they_fall_due(monkeypatch):
    # given four visits due by the horizon (one of them late) over three contracts, and batches of two
    monthly = signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=1)
    later = signed(sold_unit(), starts_on=dt.date(2026, 1, 20), visit_every_months=12)
    earlier = signed(sold_unit(), starts_on=dt.date(2025, 12, 28), visit_every_months=12)
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    today = dt.date(2026, 1, 20)

    # when the sweep runs
    created = contract_visits_generate(today=today)

    # then each due visit has one work order, created in the order the visits fall due
    assert created == 4 == WorkOrder.objects.count()
    visits = ContractVisit.objects.filter(work_order__isnull=False).order_by("work_order_id")
    assert [(visit.contract_id, visit.due_on) for visit in visits] == [
        (earlier.pk, dt.date(2025, 12, 28)),
        (monthly.pk, dt.date(2026, 1, 1)),
        (later.pk, dt.date(2026, 1, 20)),
        (monthly.pk, dt.date(2026, 2, 1)),
    ]
    assert contract_visits_generate(today=today) == 0


def test_a_visit_another_tick_took_after_the_keys_were_read_gets_no_second_order(monkeypatch):
    # given two due visits, and another tick that creates their orders right after this one read their keys
    signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12)
    signed(sold_unit(), starts_on=dt.date(2026, 1, 5), visit_every_months=12)
    read_keys = services.visits_due_keys

    def keys_then_another_tick(**window):
        keys = read_keys(**window)
        monkeypatch.setattr(services, "visits_due_keys", read_keys)
        assert contract_visits_generate(today=dt.date(2026, 1, 1)) == 2
        return keys

    monkeypatch.setattr(services, "visits_due_keys", keys_then_another_tick)

    # when this tick goes on to lock and load its batch
    created = contract_visits_generate(today=dt.date(2026, 1, 1))

    # then it finds both visits taken: no order is created or counted twice
    assert created == 0
    assert WorkOrder.objects.count() == 2
    orders = set(WorkOrder.objects.values_list("pk", flat=True))
    assert set(ContractVisit.objects.values_list("work_order_id", flat=True)) == orders


def test_a_contract_cancelled_after_the_keys_were_read_gets_no_work_order(monkeypatch):
    # given two due visits, one of whose contracts is cancelled right after the sweep read the keys
    kept = signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12)
    cancelled = signed(sold_unit(), starts_on=dt.date(2026, 1, 5), visit_every_months=12)
    read_keys = services.visits_due_keys

    def keys_then_cancel(**window):
        keys = read_keys(**window)
        contract_cancel(actor=None, contract=cancelled, reason="Customer moved abroad")
        return keys

    monkeypatch.setattr(services, "visits_due_keys", keys_then_cancel)

    # when the sweep goes on to its batch
    created = contract_visits_generate(today=dt.date(2026, 1, 1))

    # then only the contract still in force got its work order
    assert created == 1
    assert list(WorkOrder.objects.values_list("contract_visit__contract_id", flat=True)) == [kept.pk]


def test_the_batch_lock_leaves_out_visits_no_longer_pending_and_loads_what_their_orders_need(django_assert_num_queries):
    # given the keys of three due visits, read before one got its order elsewhere and another's contract lapsed
    taken, lapsed = (signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12) for _ in range(2))
    kept_unit = sold_unit()
    scrapped_unit = sold_unit(customer=kept_unit.customer)
    pending = signed(kept_unit, scrapped_unit, starts_on=dt.date(2026, 1, 1), visit_every_months=12)
    today, horizon = dt.date(2026, 1, 1), dt.date(2026, 1, 15)
    keys = visits_due_keys(today=today, horizon=horizon)
    order = work_order_create(actor=None, kind=WorkOrderKind.MAINTENANCE, customer=taken.customer)
    ContractVisit.objects.filter(contract=taken).update(work_order=order)
    MaintenanceContract.objects.filter(pk=lapsed.pk).update(status=ContractStatus.EXPIRED)
    Unit.objects.filter(pk=scrapped_unit.pk).update(status=UnitStatus.SCRAPPED)

    # when the batch is locked and loaded
    with transaction.atomic():
        batch = services.visits_batch_lock(keys=keys, today=today)

    # then only the visit still pending is there, with its contract, customer and units in service at hand
    assert len(keys) == 3
    assert [due.visit.contract_id for due in batch] == [pending.pk]
    with django_assert_num_queries(0):
        assert batch[0].visit.contract.customer == kept_unit.customer
        assert batch[0].units == [kept_unit]


def test_a_visits_work_order_is_for_the_contracts_units_still_in_service():
    kept_unit = sold_unit()
    scrapped_unit = sold_unit(customer=kept_unit.customer)
    signed(kept_unit, scrapped_unit, starts_on=dt.date(2026, 1, 1), visit_every_months=12)
    Unit.objects.filter(pk=scrapped_unit.pk).update(status=UnitStatus.SCRAPPED)

    assert contract_visits_generate(today=dt.date(2026, 1, 1)) == 1

    assert list(WorkOrder.objects.get().units.all()) == [kept_unit]


def test_the_tick_runs_the_visit_sweep():
    signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12)

    with time_machine.travel(madrid(2025, 12, 20), tick=False):
        outcome = tick_run(only="contracts.visits")

    assert outcome["contracts.visits"] != "skipped"
    assert WorkOrder.objects.count() == 1


def reminders(contract):
    return list(
        Message.objects.filter(idempotency_key__startswith=f"contract_renewal:{contract.pk}:")
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    )


def test_renewal_reminders_go_exactly_60_30_and_7_days_before_the_end_once_each():
    contract = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))  # ends 31 December 2026
    sent = []
    day = dt.date(2026, 10, 1)
    while day <= dt.date(2027, 1, 2):
        if contract_reminders_send(today=day):
            sent.append(day)
        contract_reminders_send(today=day)  # a second tick the same day sends nothing more
        day += dt.timedelta(days=1)

    assert sent == [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2026, 12, 24)]
    key = f"contract_renewal:{contract.pk}"
    assert reminders(contract) == [f"{key}:60", f"{key}:30", f"{key}:7"]
    message = Message.objects.get(idempotency_key=f"{key}:7")
    assert message.template_code == "contract_renewal_reminder"
    assert contract.reference in message.subject and "31 December 2026" in message.subject


def test_a_reminder_is_in_the_customers_language():
    contract = signed(sold_unit(language="es"), starts_on=dt.date(2026, 1, 1))

    contract_reminders_send(today=dt.date(2026, 11, 1))

    message = Message.objects.get()
    assert message.subject == f"Su contrato de mantenimiento {contract.reference} finaliza el 31 de diciembre de 2026"


def test_a_contract_signed_late_gets_only_the_reminder_it_has_reached_and_a_renewed_one_none():
    late = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    renewed = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    contract_renew(actor=None, contract=renewed)

    contract_reminders_send(today=dt.date(2026, 12, 10))  # 21 days before the end: the 30-day reminder, not the 60-day one

    assert reminders(late) == [f"contract_renewal:{late.pk}:30"]
    assert reminders(renewed) == []


def cost(unit, amount, *, on, covered=True, source=CostSource.REPAIR, source_id=None):
    return CostEntry.objects.create(
        source=source,
        source_id=source_id,
        kind=CostKind.LABOUR,
        amount=Decimal(amount),
        covered=covered,
        product=unit.product,
        unit=unit,
        customer=unit.customer,
        incurred_on=on,
    )


def test_revenue_and_service_cost_of_a_contract():
    unit = sold_unit()
    other = sold_unit(customer=unit.customer)
    contract = signed(
        unit, starts_on=dt.date(2026, 1, 1), price=Decimal("1200.00"), billing_period="quarterly", visit_every_months=12
    )
    contract_visits_generate(today=dt.date(2026, 1, 1))
    order = contract.visits.get().work_order
    first, second = list(contract.billing_lines.order_by("due_on"))[:2]
    with time_machine.travel(madrid(2026, 5, 1), tick=False):
        billing_line_record_payment(actor=None, line=first)
    cost(unit, "80.00", on=dt.date(2026, 3, 1))  # a covered repair in the term
    cost(unit, "50.00", on=dt.date(2026, 3, 2), covered=False)  # billed to the customer: not a cost
    cost(unit, "70.00", on=dt.date(2025, 12, 31))  # before the term
    cost(other, "40.00", on=dt.date(2026, 3, 1))  # another unit
    cost(other, "25.00", on=dt.date(2026, 1, 2), source=CostSource.VISIT, source_id=order.pk)  # the contract's visit

    figures = contract_figures(contract, today=dt.date(2026, 5, 1))

    assert (figures.billed, figures.paid, figures.outstanding) == (Decimal("1200.00"), Decimal("300.00"), Decimal("900.00"))
    assert figures.overdue == second.amount  # due 1 April, unpaid on 1 May
    assert figures.service_cost == Decimal("105.00")
    assert figures.margin == Decimal("1095.00")


def test_a_missing_template_holds_up_no_other_work_and_the_reminder_comes_once_it_is_back():
    from aftersales.messaging.models import MessageTemplate

    contract = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    saved = list(MessageTemplate.objects.filter(code="contract_renewal_reminder"))
    MessageTemplate.objects.filter(code="contract_renewal_reminder").delete()

    assert contract_reminders_send(today=dt.date(2026, 11, 1)) == 0
    for template in saved:
        template.pk = None
        template.save()
    assert contract_reminders_send(today=dt.date(2026, 11, 2)) == 1
    assert reminders(contract) == [f"contract_renewal:{contract.pk}:60"]
