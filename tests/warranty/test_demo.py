"""The demo company shows warranty claims in several states, opened from tickets and directly."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.demo.builder import demo_build
from aftersales.warranty.models import ClaimEvent, ExtendedWarranty, WarrantyClaim

pytestmark = pytest.mark.django_db


def test_the_demo_opens_claims_from_claim_tickets_and_directly(time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)

    demo_build(customers=60, seed=3, today=dt.date(2026, 1, 15))

    claims = WarrantyClaim.objects.all()
    assert claims.filter(ticket__isnull=False).exists() and claims.filter(ticket__isnull=True).exists()
    assert {"approved", "rejected", "needs_inspection"} <= set(claims.values_list("status", flat=True))
    assert ClaimEvent.objects.filter(kind="checked").count() >= claims.count()
    assert ExtendedWarranty.objects.count() == 3
