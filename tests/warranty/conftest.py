"""Fixtures for the warranty tests."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps

from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture(autouse=True)
def _warranty_settings(settings):
    settings.MESSAGING_QUIET_HOURS = None
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"


def sold_unit(
    *,
    months: int = 24,
    starts: str = "delivery",
    sold_on=dt.date(2025, 3, 1),
    delivered_at=None,
    installed_at=None,
    language="en",
    **unit_kwargs,
):
    """Return a unit sold on a day, delivered (or installed) at a moment, under a product's terms."""
    customer = CustomerFactory(language=language)
    product = ProductFactory(warranty_months=months, warranty_starts=starts)
    line = SaleLineFactory(sale=SaleFactory(customer=customer, sold_on=sold_on), product=product)
    return UnitFactory(sale_line=line, delivered_at=delivered_at, installed_at=installed_at, **unit_kwargs)


def madrid(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MADRID)


def decision_template_ensure() -> None:
    """Create the claim decision templates again: tests that commit (transaction=True) flush migration data."""
    migration = importlib.import_module("aftersales.warranty.migrations.0002_claim_decision_template")
    migration.create_templates(django_apps, None)
