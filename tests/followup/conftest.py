"""Fixtures for follow-up: the outbox settings of its tests, and the default playbook for transactional tests."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.LETTERS_PATH = tmp_path / "letters"
    settings.MESSAGING_SMS_BACKEND = "aftersales.messaging.backends.FileSmsBackend"
    settings.MESSAGING_QUIET_HOURS = None
    settings.MESSAGING_MARKETING_CAP = ""
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"


@pytest.fixture
def immediate_tasks(settings):
    """Run delivery tasks in-process as soon as the transaction that queued them commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def default_playbook_install() -> None:
    """Install the shipped playbook and templates again (transactional tests empty every table)."""
    import_module("aftersales.messaging.migrations.0002_default_templates").create_templates(apps, None)
    import_module("aftersales.followup.migrations.0003_default_playbook").create(apps, None)
