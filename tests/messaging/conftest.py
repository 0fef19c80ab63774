"""Fixtures for the outbox tests."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory
from tests.outbox import outbox_settings_apply


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    outbox_settings_apply(settings, tmp_path)


@pytest.fixture
def fan(db):
    """A customer who agreed to every channel."""
    now = timezone.now()
    return CustomerFactory(
        consent_email_at=now,
        consent_sms_at=now,
        consent_phone_at=now,
        consent_post_at=now,
        address_line1="Calle Mayor 1",
        postal_code="28013",
        city="Madrid",
        country="ES",
    )
