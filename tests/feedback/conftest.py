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


@pytest.fixture(autouse=True)
def _default_surveys(request):
    """Put the default surveys, templates and calendar back: transactional tests flush what data migrations wrote."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("django_db_blocker")
    defaults_ensure()


def defaults_ensure() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("aftersales.feedback.migrations.0002_default_surveys_and_templates")
    migration.create(apps, None)
    from aftersales.core.models import BusinessCalendar

    if not BusinessCalendar.objects.exists():
        importlib.import_module("aftersales.core.migrations.0007_default_calendar").create_default_calendar(apps, None)
