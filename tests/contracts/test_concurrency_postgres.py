"""Contracts signed at the same moment on PostgreSQL: a unit still never gets two overlapping contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from aftersales.contracts.models import ContractStatus, MaintenanceContract
from aftersales.contracts.services import contract_create, contract_visits_generate
from aftersales.core.errors import ValidationFailed
from aftersales.fieldwork.models import WorkOrder
from tests.concurrency import at_once
from tests.contracts.conftest import signed, sold_unit

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_six_overlapping_contracts_signed_at_once_leave_exactly_one_active():
    unit = sold_unit()
    starts = [dt.date(2026, 1, 1) + dt.timedelta(days=30 * n) for n in range(6)]

    results = at_once(
        6,
        lambda n: (
            contract_create(
                actor=None, customer=unit.customer, units=[unit], starts_on=starts[n], price=Decimal("100"), activate=True
            ).pk
        ),
    )

    assert sum(isinstance(result, int) for result in results) == 1, results
    assert all(isinstance(result, ValidationFailed) for result in results if not isinstance(result, int))
    assert MaintenanceContract.objects.filter(status=ContractStatus.ACTIVE).count() == 1


def test_two_sweeps_at_once_create_each_visits_work_order_once():
    for _ in range(3):
        signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=3)

    results = at_once(2, lambda n: contract_visits_generate(today=dt.date(2026, 12, 31)))

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 12
    assert WorkOrder.objects.count() == 12
