"""Parts taken at the same moment on PostgreSQL: stock never goes below zero."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.catalog.models import Part, PartMovement
from aftersales.catalog.services import part_stock_take
from aftersales.core.errors import ValidationFailed
from aftersales.warranty.models import RepairLine
from aftersales.warranty.services import repair_open, repair_part_add
from tests.concurrency import at_once
from tests.factories import staff
from tests.repairs.conftest import covered_unit, part, repair_templates_ensure

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_eight_takes_of_the_last_three_parts_take_exactly_three():
    seal = part(stock_on_hand=3)

    results = at_once(
        8, lambda n: part_stock_take(actor=None, part=Part.objects.get(pk=seal.pk), quantity=1, reference=f"RO-{n}")
    )

    taken = [result for result in results if isinstance(result, Part)]
    refused = [result for result in results if isinstance(result, ValidationFailed)]
    assert len(taken) == 3 and len(refused) == 5, results
    seal.refresh_from_db()
    assert seal.stock_on_hand == 0
    assert PartMovement.objects.filter(part=seal).count() == 3


def test_six_repairs_wanting_two_of_five_parts_get_them_for_two_repairs_only():
    repair_templates_ensure()
    technician = staff("technician")
    seal = part(stock_on_hand=5)
    orders = [repair_open(actor=technician, unit=covered_unit()) for _ in range(6)]

    results = at_once(
        6, lambda n: repair_part_add(actor=technician, order=orders[n], part=Part.objects.get(pk=seal.pk), quantity=2)
    )

    assert sum(isinstance(result, RepairLine) for result in results) == 2, results
    seal.refresh_from_db()
    assert seal.stock_on_hand == 1
    assert RepairLine.objects.count() == 2
