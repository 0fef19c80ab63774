"""Fixtures for the maintenance contract tests."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps

from aftersales.contracts.services import contract_create
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture(autouse=True)
def _contract_settings(settings):
    settings.MESSAGING_QUIET_HOURS = None
    settings.CONTRACTS_VISIT_LEAD_DAYS = 14
    settings.CONTRACTS_OPPORTUNITY_DAYS = 60


def madrid(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MADRID)


def sold_unit(*, customer=None, months: int = 24, sold_on=dt.date(2024, 3, 1), delivered_on=None, rep=None, language="en"):
    """Return a unit of a one-line sale, delivered at 11:00 on a day (the sale day when not given)."""
    customer = customer or CustomerFactory(language=language)
    product = ProductFactory(warranty_months=months)
    line = SaleLineFactory(sale=SaleFactory(customer=customer, sold_on=sold_on, sales_rep=rep), product=product)
    day = delivered_on or sold_on
    return UnitFactory(sale_line=line, delivered_at=madrid(day.year, day.month, day.day, 11))


def signed(*units, starts_on=dt.date(2026, 1, 1), actor=None, **terms):
    """Return an active contract over units of one customer (12 months, 1200 a year, parts and labour by default)."""
    values = {"months": 12, "price": Decimal("1200.00"), "billing_period": "yearly", "repair_cover": "parts_and_labour"}
    values.update(terms)
    return contract_create(actor=actor, customer=units[0].customer, units=units, starts_on=starts_on, activate=True, **values)


def renewal_template_ensure() -> None:
    """Create the renewal reminder templates again: tests that commit (transaction=True) flush migration data."""
    migration = importlib.import_module("aftersales.contracts.migrations.0002_renewal_reminder_template")
    migration.create_templates(django_apps, None)


@pytest.fixture
def desk(db):
    """The default queue and SLA policy every installation starts with (from the data migrations)."""
    from aftersales.service.models import Queue

    return Queue.objects.get(is_default=True)
