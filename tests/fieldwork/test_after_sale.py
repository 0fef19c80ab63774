"""Visits proposed after a sale: installation per unit that needs it, a delivery visit for big sales, once each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.tick import tick_run
from aftersales.fieldwork.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.fieldwork.services.after_sale import after_sale_propose
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory
from tests.fieldwork.scheduling_helpers import madrid

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)


def sold(*, needs_installation=True, sold_on=TODAY, total=Decimal("499"), rep=None, installed_at=None, units=1, imported=False):
    customer = CustomerFactory(postal_code="28001")
    sale = SaleFactory(customer=customer, sold_on=sold_on, total=total, sales_rep=rep, imported=imported)
    line = SaleLineFactory(sale=sale, product=ProductFactory(needs_installation=needs_installation), quantity=units)
    return sale, [UnitFactory(sale_line=line, installed_at=installed_at) for _ in range(units)]


@time_machine.travel(madrid(2026, 6, 10, 12), tick=False)
def test_each_unit_that_needs_installation_gets_one_proposed_installation_and_a_rerun_adds_none():
    _sale, units = sold(units=2, imported=True)
    sold(needs_installation=False)
    sold(installed_at=madrid(2026, 6, 10, 9))

    first = after_sale_propose()
    again = after_sale_propose()

    assert first["installations"] == 2 and again["installations"] == 0
    orders = WorkOrder.objects.filter(kind=WorkOrderKind.INSTALLATION)
    assert {order.origin_key for order in orders} == {f"installation:unit:{unit.pk}" for unit in units}
    assert all(order.status == WorkOrderStatus.PROPOSED and order.zone is None for order in orders)


@time_machine.travel(madrid(2026, 6, 10, 12), tick=False)
def test_old_sales_are_left_alone_so_switching_on_does_not_flood_history(settings):
    settings.FIELDWORK_AFTER_SALE_WINDOW_DAYS = 14
    sold(sold_on=TODAY - dt.timedelta(days=14))
    sold(sold_on=TODAY - dt.timedelta(days=13))

    assert after_sale_propose()["installations"] == 1


@time_machine.travel(madrid(2026, 6, 10, 12), tick=False)
def test_a_sale_at_or_above_the_threshold_gets_a_delivery_visit_for_its_rep(settings, rep):
    settings.FIELDWORK_DELIVERY_VISIT_MIN_TOTAL = "1500"
    big, _units = sold(needs_installation=False, total=Decimal("1500.00"), rep=rep)
    sold(needs_installation=False, total=Decimal("1499.99"), rep=rep)
    sold(needs_installation=False, total=Decimal("9000"), rep=None)  # nobody to go

    after_sale_propose()
    tick_run(only="fieldwork.after_sale")

    delivery = WorkOrder.objects.get(kind=WorkOrderKind.DELIVERY)
    assert delivery.sale == big and delivery.assignee == rep and delivery.origin_key == f"delivery:sale:{big.pk}"


@time_machine.travel(madrid(2026, 6, 10, 12), tick=False)
def test_the_delivery_visit_can_be_switched_off(settings, rep):
    settings.FIELDWORK_DELIVERY_VISIT_MIN_TOTAL = ""
    sold(needs_installation=False, total=Decimal("9000"), rep=rep)

    assert after_sale_propose()["deliveries"] == 0


def test_a_delivery_visit_is_offered_and_booked_in_the_reps_business_hours_without_certification(settings, rep, agent):
    from aftersales.fieldwork.services.scheduling import work_order_schedule
    from aftersales.fieldwork.slots import slots_propose

    settings.FIELDWORK_DELIVERY_VISIT_MIN_TOTAL = "1000"
    with time_machine.travel(madrid(2026, 6, 10, 12), tick=False):
        sold(needs_installation=False, total=Decimal("2000"), rep=rep)
        after_sale_propose()
        delivery = WorkOrder.objects.get(kind=WorkOrderKind.DELIVERY)

        offered = slots_propose(delivery, dt.date(2026, 6, 11), days=1, limit=50, per_day=50)
        booked = work_order_schedule(actor=agent, work_order=delivery, assignee=rep, start=offered[0].start)

    assert offered and {slot.assignee_id for slot in offered} == {rep.pk}
    assert offered[0].start.astimezone(madrid(2026, 6, 11).tzinfo).hour >= 8
    assert booked.status == WorkOrderStatus.SCHEDULED and booked.assignee == rep
