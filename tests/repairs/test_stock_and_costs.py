"""Spare parts stock and the cost-of-after-sales ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.catalog.models import PartMovement
from aftersales.catalog.services import StockReason, part_stock_receive, part_stock_take
from aftersales.core.errors import ValidationFailed
from aftersales.warranty.models import CostEntry, CostKind, CostSource
from aftersales.warranty.services import cost_record
from tests.repairs.conftest import covered_unit, part

pytestmark = pytest.mark.django_db


def test_taking_parts_lowers_the_stock_and_records_the_movement(technician):
    seal = part(stock_on_hand=4)

    part_stock_take(actor=technician, part=seal, quantity=3, reference="RO-000001")

    assert seal.stock_on_hand == 1
    movement = PartMovement.objects.get(part=seal)
    assert (movement.quantity, movement.reason, movement.reference, movement.actor) == (
        -3,
        StockReason.USED,
        "RO-000001",
        technician,
    )


def test_taking_more_than_on_hand_is_refused_naming_the_stock(technician):
    seal = part(stock_on_hand=2)

    with pytest.raises(ValidationFailed) as refused:
        part_stock_take(actor=technician, part=seal, quantity=3)

    error = refused.value.errors[0]
    assert (error.field, error.code) == ("quantity", "out_of_stock")
    assert str(error.reason) == "only 2 of SEAL-01 in stock"
    seal.refresh_from_db()
    assert seal.stock_on_hand == 2 and not PartMovement.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(technician, quantity):
    seal = part()

    with pytest.raises(ValidationFailed) as refused:
        part_stock_take(actor=technician, part=seal, quantity=quantity)
    with pytest.raises(ValidationFailed):
        part_stock_receive(actor=technician, part=seal, quantity=quantity)

    assert refused.value.errors[0].field == "quantity"


def test_receiving_parts_raises_the_stock(manager):
    seal = part(stock_on_hand=0)

    part_stock_receive(actor=manager, part=seal, quantity=10, reference="DN-4411")

    assert seal.stock_on_hand == 10
    assert PartMovement.objects.get(part=seal).reason == StockReason.RECEIVED


def test_a_cost_is_recorded_against_the_unit_its_product_and_customer():
    unit = covered_unit()

    entry = cost_record(
        actor=None, source=CostSource.REPAIR, kind=CostKind.LOGISTICS, amount=Decimal("15.00"), unit=unit, reference="RO-1"
    )

    assert (entry.product_id, entry.customer_id, entry.covered) == (unit.product_id, unit.customer_id, True)


def test_the_same_idempotency_key_records_a_cost_once():
    unit = covered_unit()

    first = cost_record(actor=None, source="repair", kind="parts", amount=Decimal("9.99"), unit=unit, idempotency_key="k-1")
    again = cost_record(actor=None, source="repair", kind="parts", amount=Decimal("9.99"), unit=unit, idempotency_key="k-1")

    assert first.pk == again.pk and CostEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": "gift"}, "source"),
        ({"kind": "coffee"}, "kind"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("1.234")}, "amount"),
        ({"unit": None}, "product"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_a_cost_that_breaks_a_rule_is_refused_naming_the_field(changes, field):
    values = {"actor": None, "source": "repair", "kind": "parts", "amount": Decimal("5.00"), "unit": covered_unit()}
    values.update(changes)

    with pytest.raises(ValidationFailed) as refused:
        cost_record(**values)

    assert field in [error.field for error in refused.value.errors]
    assert not CostEntry.objects.exists()


def test_cost_entries_are_append_only():
    entry = cost_record(actor=None, source="repair", kind="parts", amount=Decimal("5.00"), unit=covered_unit())

    entry.amount = Decimal("1.00")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
