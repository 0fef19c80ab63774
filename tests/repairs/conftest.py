"""Fixtures for the repair tests: a covered unit, an uncovered one, and a few parts in stock."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from aftersales.catalog.models import Part
from tests.warranty.conftest import madrid, sold_unit

NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _repair_settings(settings):
    settings.MESSAGING_QUIET_HOURS = None
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"
    settings.REPAIR_REPEAT_DAYS = 90
    settings.REPAIR_LABOUR_COST_PER_HOUR = "30.00"
    settings.REPAIR_LABOUR_PRICE_PER_HOUR = "45.00"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def part(**kwargs) -> Part:
    """Return a spare part in stock (a door seal by default)."""
    values = {
        "sku": "SEAL-01",
        "name": "Door seal",
        "name_es": "Junta de puerta",
        "unit_cost": Decimal("12.00"),
        "unit_price": Decimal("29.90"),
        "stock_on_hand": 5,
        "reorder_level": 2,
    }
    values.update(kwargs)
    return Part.objects.create(**values)


def covered_unit(**kwargs):
    """Return a unit delivered a few months before NOW, under a 24-month warranty."""
    return sold_unit(delivered_at=madrid(2025, 9, 1), **kwargs)


def expired_unit(**kwargs):
    """Return a unit whose 24-month warranty ended in 2025."""
    return sold_unit(sold_on=dt.date(2022, 1, 10), delivered_at=madrid(2022, 1, 15), **kwargs)


def repair_templates_ensure() -> None:
    """Create the repair and claim templates again: tests that commit (transaction=True) flush migration data."""
    for name in ("0002_claim_decision_template", "0005_repair_templates"):
        importlib.import_module(f"aftersales.warranty.migrations.{name}").create_templates(django_apps, None)
