"""Fixtures for the service desk tests."""

from __future__ import annotations

import pytest

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.service.models import Queue
from tests.factories import staff


@pytest.fixture
def service_department(db):
    # Created by a data migration; tests that commit (transaction=True) flush it, so make sure it is there.
    department, _created = Department.objects.get_or_create(code="service", defaults={"name": "Service"})
    return department


@pytest.fixture
def desk(service_department):
    """The default queue every installation starts with (the service department's)."""
    queue, _created = Queue.objects.get_or_create(
        is_default=True, defaults={"name": "Service desk", "department": service_department}
    )
    return queue


@pytest.fixture
def desk_agent(service_department):
    """A support agent of the service department."""
    return staff(Role.SUPPORT_AGENT, department=service_department)
