"""The demo company has a parts catalogue and repair orders in several states."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.catalog.models import Part
from aftersales.demo.builder import demo_build
from aftersales.warranty.models import CostEntry, RepairOrder, RepairQuote

pytestmark = pytest.mark.django_db


def test_the_demo_opens_repairs_in_several_states_with_costs_and_a_pending_quote(time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)

    demo_build(customers=60, seed=3, today=dt.date(2026, 1, 15))

    # Six parts of its own (the field-service demo adds a few more).
    assert Part.objects.count() >= 6 and Part.objects.filter(stock_on_hand__lte=2).exists()
    statuses = set(RepairOrder.objects.values_list("status", flat=True))
    assert {"received", "diagnosing", "ready"} <= statuses
    assert RepairOrder.objects.filter(covered=False).exists()
    assert RepairQuote.objects.filter(status="pending").exists()
    assert CostEntry.objects.filter(source="repair", covered=True).exists()
