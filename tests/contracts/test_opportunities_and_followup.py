"""Contract opportunities for reps, and follow-up steps on the last day of a contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.contracts.selectors import contract_opportunities
from aftersales.contracts.services import contract_create, contract_renew
from aftersales.followup import services as followup
from aftersales.followup.describe import draft_describe, step_draft
from aftersales.followup.models import Playbook, Touch
from aftersales.messaging.models import Message
from tests.contracts.conftest import signed, sold_unit
from tests.factories import CustomerFactory
from tests.followup.helpers import at, sweep_on

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def test_units_whose_warranty_ends_soon_without_a_contract_are_opportunities_own_customers_first(rep):
    # 24 months from delivery: the warranty ends the day before the second anniversary
    soon = sold_unit(sold_on=dt.date(2024, 8, 1))  # ends 31 July 2026: in 46 days
    mine = sold_unit(sold_on=dt.date(2024, 8, 10), rep=rep)  # ends 9 August 2026, sold by the rep
    sold_unit(sold_on=dt.date(2024, 9, 1))  # ends 31 August 2026: 77 days away, too far
    sold_unit(sold_on=dt.date(2024, 6, 1))  # ended 31 May 2026: too late
    covered = sold_unit(sold_on=dt.date(2024, 7, 1))
    signed(covered, starts_on=dt.date(2026, 7, 1))
    drafted = sold_unit(sold_on=dt.date(2024, 7, 20))
    contract_create(actor=rep, customer=drafted.customer, units=[drafted], price=Decimal("99"))

    found = list(contract_opportunities(rep, today=TODAY))

    assert [unit.serial for unit in found] == [mine.serial, drafted.serial, soon.serial]
    assert [(unit.own_customer, unit.proposed) for unit in found] == [(True, False), (False, True), (False, False)]
    assert [unit.warranty_ends_on for unit in found] == [dt.date(2026, 8, 9), dt.date(2026, 7, 19), dt.date(2026, 7, 31)]


def test_the_window_follows_the_setting(settings, rep):
    settings.CONTRACTS_OPPORTUNITY_DAYS = 90
    sold_unit(sold_on=dt.date(2024, 9, 1))

    assert len(contract_opportunities(rep, today=TODAY)) == 1
    assert len(contract_opportunities(rep, today=TODAY, within_days=30)) == 0


def test_a_contract_end_step_fires_on_the_contracts_last_day_offset():
    Playbook.objects.update(active=False)
    playbook = followup.playbook_create(actor=None, data={"name": "Contract renewals"})
    step = followup.step_create(
        actor=None,
        playbook=playbook,
        data={
            "name": "Renewal offer",
            "trigger": "contract_end",
            "offset_days": -10,
            "action": "send_template",
            "template_code": "usage_tips",
            "channel": "email",
        },
    )
    customer = CustomerFactory(name="Rosa", consent_email_at=at(dt.date(2024, 1, 1)))
    unit = sold_unit(customer=customer)
    signed(unit, starts_on=dt.date(2026, 1, 1))  # ends 31 December 2026
    renewed = signed(sold_unit(customer=CustomerFactory(consent_email_at=at(dt.date(2024, 1, 1)))), starts_on=dt.date(2026, 1, 1))
    contract_renew(actor=None, contract=renewed)

    sweep_on(dt.date(2026, 12, 20))
    assert not Touch.objects.exists()
    sweep_on(dt.date(2026, 12, 21))

    touch = Touch.objects.get()
    assert (touch.step_id, touch.customer_id, touch.unit_id, touch.anchor_on) == (
        step.pk,
        customer.pk,
        unit.pk,
        dt.date(2026, 12, 31),
    )
    assert Message.objects.filter(customer=customer).exists()
    assert draft_describe(step_draft(step, language="en")).warnings == []
