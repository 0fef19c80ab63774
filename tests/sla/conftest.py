"""Fixtures for the SLA tests: the default calendar and policy come from the data migrations."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.service.models import Queue
from tests.factories import staff

MADRID = ZoneInfo("Europe/Madrid")


def madrid(text: str) -> dt.datetime:
    """Return a wall time in Madrid ("2025-03-03 10:00") as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=MADRID)


# The rows data migrations create: a transactional test's flush removes them, so those tests add them again.
DATA_MIGRATIONS = [
    ("aftersales.core.migrations.0003_departments", "create_departments"),
    ("aftersales.service.migrations.0002_default_queue", "create_default_queue"),
    ("aftersales.core.migrations.0007_default_calendar", "create_default_calendar"),
    ("aftersales.service.migrations.0004_default_sla", "create_default_sla"),
]


@pytest.fixture
def data_migrations(transactional_db):
    """Add the default departments, queue, calendar, SLA policy and escalation rule (each only if missing)."""
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def desk(db):
    return Queue.objects.get(is_default=True)


@pytest.fixture
def desk_agent(db):
    return staff(Role.SUPPORT_AGENT, department=Department.objects.get(code="service"))


@pytest.fixture
def service_manager(db):
    return staff(Role.SERVICE_MANAGER, department=Department.objects.get(code="service"), email="boss@shop.example")


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks in-process as soon as the transaction that queued them commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
