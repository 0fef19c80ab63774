"""Fixtures for returns, exchanges, replacements and the cost report."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps

from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture(autouse=True)
def _returns_settings(settings):
    settings.MESSAGING_QUIET_HOURS = None
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"


def madrid(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MADRID)


def sold_unit(
    *,
    price: str = "200.00",
    sold_on: dt.date = dt.date(2026, 2, 10),
    delivered_at: dt.datetime | None = None,
    language: str = "en",
    time_zone: str = "",
    category=None,
    product=None,
    return_days: int = 0,
    exchange_days: int = 0,
    warranty_months: int = 24,
    replacement_warranty: str = "",
):
    """Return a unit sold at a price and delivered at a moment; the product's own windows are short so the policy governs."""
    customer = CustomerFactory(language=language, time_zone=time_zone)
    if product is None:
        product = ProductFactory(
            category=category or CategoryFactory(),
            return_window_days=return_days,
            exchange_window_days=exchange_days,
            warranty_months=warranty_months,
            replacement_warranty=replacement_warranty,
        )
    line = SaleLineFactory(
        sale=SaleFactory(customer=customer, sold_on=sold_on, total=Decimal(price)), product=product, unit_price=Decimal(price)
    )
    return UnitFactory(sale_line=line, delivered_at=delivered_at)


def defaults_ensure() -> None:
    """Create the default policy and templates again: tests that commit (transaction=True) flush migration data."""
    migration = importlib.import_module("aftersales.warranty.migrations.0005_returns_defaults")
    migration.create_defaults(django_apps, None)
