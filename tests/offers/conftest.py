"""Helpers shared by the voucher and offer tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.offers.models import ValueKind, VoucherSource
from aftersales.offers.services import voucher_issue
from tests.outbox import outbox_settings_apply


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    outbox_settings_apply(settings, tmp_path)


_counter = {"n": 0}


def issue(customer=None, *, actor=None, key=None, **overrides):
    """Issue a voucher with sensible defaults (10 EUR off, valid 30 days, single use)."""
    _counter["n"] += 1
    values = {
        "actor": actor,
        "customer": customer,
        "value_kind": ValueKind.FIXED,
        "value": Decimal("10.00"),
        "valid_until": timezone.localdate() + dt.timedelta(days=30),
        "source": VoucherSource.MANUAL,
        "idempotency_key": key or f"test:{_counter['n']}:{timezone.now().timestamp()}",
    }
    values.update(overrides)
    return voucher_issue(**values)
