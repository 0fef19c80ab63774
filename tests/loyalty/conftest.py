"""Fixtures of the loyalty programme tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.loyalty.models import Programme


@pytest.fixture
def programme(db):
    """Return an active programme: 1 point per EUR, 100 points = 5.00 EUR, minimum 100, points lapse after 24 months."""
    Programme.objects.update_or_create(
        pk=1,
        defaults={
            "active": True,
            "starts_on": dt.date(2020, 1, 1),
            "points_per_unit": Decimal("1"),
            "point_value": Decimal("0.05"),
            "min_redemption": 100,
            "expiry_months": 24,
            "survey_bonus": 50,
        },
    )
    return Programme.objects.get(pk=1)
