"""Fixtures for newsletter: predictable outbox rules and a few customers in each language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.newsletter import services
from tests.factories import CustomerFactory
from tests.outbox import outbox_settings_apply


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    outbox_settings_apply(settings, tmp_path)
    settings.MESSAGING_MARKETING_CAP = ""


def agreed(**fields):
    """Return a customer who agreed to email a year ago."""
    return CustomerFactory(consent_email_at=timezone.now() - dt.timedelta(days=365), **fields)


@pytest.fixture
def english_list(db):
    return services.list_create(actor=None, data={"name": "News", "language": "en"})


@pytest.fixture
def spanish_list(db):
    return services.list_create(actor=None, data={"name": "Novedades", "language": "es"})
