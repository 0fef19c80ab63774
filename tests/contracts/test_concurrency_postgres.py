"""Contracts signed at the same moment on PostgreSQL: a unit still never gets two overlapping contracts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from aftersales.contracts.models import ContractStatus, ContractVisit, MaintenanceContract
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


def test_ticks_at_once_over_many_small_batches_create_each_visits_work_order_once(monkeypatch):
    # given 32 due visits, and batches of three so that the ticks meet over many batches
    for _ in range(8):
        signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=3)
    monkeypatch.setattr("aftersales.contracts.services.SWEEP_BATCH", 3)

    # when three ticks sweep at the same moment, all having read the same keys
    results = at_once(3, lambda n: contract_visits_generate(today=dt.date(2026, 12, 31)))

    # then every visit got exactly one work order, counted by the one tick that created it
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 32
    assert WorkOrder.objects.count() == 32
    linked = list(ContractVisit.objects.values_list("work_order_id", flat=True))
    assert None not in linked and len(set(linked)) == 32


def test_a_visit_another_transaction_holds_is_skipped_and_created_by_the_next_tick():
    # given two due visits, one of them locked by a transaction that has not finished
    first, second = (signed(sold_unit(), starts_on=dt.date(2026, 1, 1), visit_every_months=12) for _ in range(2))
    held = first.visits.get()
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                ContractVisit.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        # when a tick sweeps meanwhile
        created = contract_visits_generate(today=dt.date(2026, 1, 1))
    finally:
        release.set()
        holder.join(30)

    # then it creates the free visit's order without waiting, and the next tick the other one
    assert created == 1
    assert second.visits.get().work_order_id is not None
    assert first.visits.get().work_order_id is None
    assert contract_visits_generate(today=dt.date(2026, 1, 1)) == 1
    assert WorkOrder.objects.count() == 2
