"""Fixtures of the feedback tests: a predictable outbox and a customer who can be surveyed."""

from __future__ import annotations

import pytest

from tests.outbox import outbox_settings_apply


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    outbox_settings_apply(settings, tmp_path)
    settings.FEEDBACK_FATIGUE_DAYS = 30
    settings.FEEDBACK_LINK_DAYS = 30
    settings.SITE_URL = "https://service.example"
