"""Fixtures for the outbox tests."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.LETTERS_PATH = tmp_path / "letters"
    settings.MESSAGING_SMS_BACKEND = "aftersales.messaging.backends.FileSmsBackend"
    settings.MESSAGING_QUIET_HOURS = None
    settings.MESSAGING_MARKETING_CAP = "3/30"
    settings.MESSAGING_MAX_ATTEMPTS = 5
    settings.SMS_WEBHOOK_SECRET = "webhook-secret"
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"


@pytest.fixture
def immediate_tasks(settings):
    """Run delivery tasks in-process as soon as the transaction that queued them commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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
