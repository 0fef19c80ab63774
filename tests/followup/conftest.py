"""Fixtures for follow-up: the outbox settings of its tests, and the default playbook for transactional tests."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from tests.outbox import outbox_settings_apply


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    outbox_settings_apply(settings, tmp_path)
    # A year of touches would run into the cap; the cap has its own test.
    settings.MESSAGING_MARKETING_CAP = ""


def default_playbook_install() -> None:
    """Install the shipped playbook and templates again (transactional tests empty every table)."""
    import_module("aftersales.messaging.migrations.0002_default_templates").create_templates(apps, None)
    import_module("aftersales.followup.migrations.0003_default_playbook").create(apps, None)
