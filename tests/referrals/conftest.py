"""Fixtures for the referral tests: a programme with known terms, a referrer who bought, a product to sell."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps

from aftersales.referrals.models import ReferralSettings
from aftersales.referrals.services import referral_record
from tests.factories import CustomerFactory, ProductFactory, SaleFactory

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _referral_settings(settings):
    settings.MESSAGING_QUIET_HOURS = None
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def today():
    """Freeze the clock at noon on 10 March 2026 (time moves on from there)."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC), tick=True):
        yield TODAY


@pytest.fixture
def programme(db):
    """The programme: 500 points to the referrer, 100 points and a 20.00 voucher to the friend, 180 days."""
    programme, _created = ReferralSettings.objects.update_or_create(
        pk=1,
        defaults={
            "active": True,
            "referrer_points": 500,
            "referrer_voucher_value": Decimal("0"),
            "referred_points": 100,
            "referred_voucher_value": Decimal("20.00"),
            "voucher_valid_days": 90,
            "attribution_days": 180,
            "min_first_purchase": Decimal("50.00"),
            "invitation_cooldown_days": 90,
        },
    )
    return programme


@pytest.fixture
def referrer(db):
    """A customer who bought a year ago, with an address."""
    customer = CustomerFactory(
        name="Lucía Fernández Gil",
        email="lucia@example.com",
        phone="+34611000111",
        address_line1="Calle Mayor, 5",
        postal_code="28013",
        city="Madrid",
        country="ES",
    )
    SaleFactory(customer=customer, sold_on=dt.date(2025, 3, 1))
    return customer


@pytest.fixture
def product(db):
    return ProductFactory(sku="WASH-1", name="Washing machine", list_price=Decimal("499.00"))


def refer(referrer, **values):
    """Record a friend of a referrer by phone, with consent; keyword arguments override the friend's details."""
    details = {
        "name": "Pablo Ruiz Soto",
        "email": "pablo@example.com",
        "phone": "",
        "language": "es",
        "source": "phone",
        "consent": True,
    }
    details.update(values)
    return referral_record(actor=values.pop("actor", None), referrer=referrer, **details)


def templates_ensure() -> None:
    """Create the referral message templates again: tests that commit (transaction=True) flush migration data."""
    migration = importlib.import_module("aftersales.referrals.migrations.0002_referral_templates")
    migration.create(django_apps, None)
