"""Fixtures for the service desk tests."""

from __future__ import annotations

import pytest

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.service.models import Queue
from tests.factories import staff


@pytest.fixture
def service_department(db):
    return Department.objects.get(code="service")


@pytest.fixture
def desk(db):
    """The default queue every installation starts with (the service department's)."""
    return Queue.objects.get(is_default=True)


@pytest.fixture
def desk_agent(service_department):
    """A support agent of the service department."""
    return staff(Role.SUPPORT_AGENT, department=service_department)
