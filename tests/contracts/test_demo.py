"""The demo company shows maintenance contracts in every state a visitor would look for."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.contracts.models import ContractStatus, ContractVisit, MaintenanceContract
from aftersales.demo.builder import demo_build
from aftersales.messaging.models import Message

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def test_the_demo_signs_contracts_lapses_one_renews_one_and_proposes_one():
    demo_build(customers=30, seed=11, today=TODAY)

    statuses = set(MaintenanceContract.objects.values_list("status", flat=True))
    assert statuses == {ContractStatus.ACTIVE, ContractStatus.EXPIRED, ContractStatus.RENEWED, ContractStatus.DRAFT}
    assert ContractVisit.objects.filter(work_order__isnull=False).exists()
    assert Message.objects.filter(template_code="contract_renewal_reminder").count() == 1
