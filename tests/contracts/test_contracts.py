"""A contract's lifecycle: drafting, signing without overlaps, billing lines, visits, renewal, cancelling, lapsing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.contracts.models import BillingLine, ContractStatus, MaintenanceContract
from aftersales.contracts.services import (
    billing_line_record_payment,
    contract_activate,
    contract_cancel,
    contract_create,
    contract_renew,
    contract_update,
    contracts_lapse,
)
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from tests.contracts.conftest import madrid, signed, sold_unit

pytestmark = pytest.mark.django_db


def test_a_contract_is_numbered_and_covers_its_term_to_the_day_before_the_anniversary():
    unit = sold_unit()

    contract = signed(unit, starts_on=dt.date(2026, 3, 1))

    assert contract.reference == f"AMC-{contract.pk:06d}"
    assert (contract.status, contract.starts_on, contract.ends_on) == (
        ContractStatus.ACTIVE,
        dt.date(2026, 3, 1),
        dt.date(2027, 2, 28),
    )


def test_a_unit_cannot_have_two_overlapping_active_contracts():
    unit = sold_unit()
    first = signed(unit, starts_on=dt.date(2026, 1, 1))

    with pytest.raises(ValidationFailed) as refused:
        signed(unit, starts_on=dt.date(2026, 12, 31))

    error = refused.value.errors[0]
    assert (error.field, error.code) == ("units", "overlap")
    assert first.reference in str(error.reason) and unit.serial in str(error.reason)
    # nothing half-written: creating and signing in one go leaves no second contract behind
    assert list(MaintenanceContract.objects.all()) == [first]


def test_a_contract_ending_the_day_before_the_next_starts_is_fine():
    unit = sold_unit()
    first = signed(unit, starts_on=dt.date(2026, 1, 1))
    assert first.ends_on == dt.date(2026, 12, 31)

    second = signed(unit, starts_on=dt.date(2027, 1, 1))

    assert second.status == ContractStatus.ACTIVE


def test_a_draft_may_overlap_and_a_cancelled_contract_frees_the_unit():
    unit = sold_unit()
    first = signed(unit)
    draft = contract_create(actor=None, customer=unit.customer, units=[unit], starts_on=dt.date(2026, 6, 1), price=Decimal("100"))
    assert draft.status == ContractStatus.DRAFT
    with pytest.raises(ValidationFailed):
        contract_activate(actor=None, contract=draft)

    contract_cancel(actor=None, contract=first, reason="Customer sold the house")

    assert contract_activate(actor=None, contract=draft).status == ContractStatus.ACTIVE


def test_units_of_another_customer_or_out_of_service_are_refused():
    unit, other = sold_unit(), sold_unit()
    other.status = "scrapped"
    other.save()

    with pytest.raises(ValidationFailed) as refused:
        contract_create(actor=None, customer=unit.customer, units=[unit, other], price=Decimal("10"))

    assert {(error.field, error.code) for error in refused.value.errors} == {
        ("units", "not_owned"),
        ("units", "unit_not_in_service"),
    }


def test_terms_that_do_not_fit_are_refused_field_by_field():
    unit = sold_unit()

    with pytest.raises(ValidationFailed) as refused:
        contract_create(
            actor=None,
            customer=unit.customer,
            units=[unit],
            months=12,
            price=Decimal("-5"),
            billing_period="half_yearly",
            visit_every_months=13,
            response_hours=0,
            repair_cover="everything",
        )
    assert {error.field for error in refused.value.errors} == {"price", "visit_every_months", "response_hours", "repair_cover"}

    with pytest.raises(ValidationFailed) as uneven:
        contract_create(
            actor=None, customer=unit.customer, units=[unit], months=10, price=Decimal("100"), billing_period="quarterly"
        )
    assert [(error.field, error.code) for error in uneven.value.errors] == [("billing_period", "uneven")]


def test_signing_writes_the_billing_schedule_and_the_planned_visits():
    unit = sold_unit()

    contract = signed(
        unit, starts_on=dt.date(2026, 1, 31), price=Decimal("1000.00"), billing_period="quarterly", visit_every_months=6
    )

    lines = list(contract.billing_lines.values_list("due_on", "amount"))
    assert lines == [
        (dt.date(2026, 1, 31), Decimal("250.00")),
        (dt.date(2026, 4, 30), Decimal("250.00")),
        (dt.date(2026, 7, 31), Decimal("250.00")),
        (dt.date(2026, 10, 31), Decimal("250.00")),
    ]
    assert list(contract.visits.values_list("due_on", flat=True)) == [dt.date(2026, 1, 31), dt.date(2026, 7, 31)]


def test_instalments_that_do_not_divide_evenly_put_the_cents_on_the_last_one():
    contract = signed(sold_unit(), price=Decimal("100.00"), billing_period="monthly", months=3)

    assert [line.amount for line in contract.billing_lines.all()] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_a_payment_is_recorded_and_can_be_undone():
    contract = signed(sold_unit())
    line = contract.billing_lines.get()

    with time_machine.travel(madrid(2026, 1, 10), tick=False):
        paid = billing_line_record_payment(actor=None, line=line, reference="TRF-881")
        with pytest.raises(ValidationFailed) as future:
            billing_line_record_payment(actor=None, line=line, paid_on=dt.date(2026, 2, 1))
    assert (paid.paid_on, paid.payment_reference) == (dt.date(2026, 1, 10), "TRF-881")
    assert future.value.errors[0].field == "paid_on"

    undone = billing_line_record_payment(actor=None, line=line, paid=False)
    assert (undone.paid_on, undone.payment_reference) == (None, "")


def test_only_a_draft_can_be_changed():
    unit = sold_unit()
    draft = contract_create(actor=None, customer=unit.customer, units=[unit], starts_on=dt.date(2026, 1, 1), price=Decimal("100"))

    changed = contract_update(actor=None, contract=draft, data={"months": 24, "price": Decimal("180")})
    assert (changed.ends_on, changed.price) == (dt.date(2027, 12, 31), Decimal("180"))

    contract_activate(actor=None, contract=draft)
    with pytest.raises(Conflict):
        contract_update(actor=None, contract=draft, data={"months": 6})


def test_renewal_creates_the_next_period_with_the_same_units_and_terms():
    unit = sold_unit()
    contract = signed(unit, visit_every_months=6, response_hours=4)

    following = contract_renew(actor=None, contract=contract, price=Decimal("1300.00"))

    contract.refresh_from_db()
    assert contract.status == ContractStatus.RENEWED
    assert (following.status, following.previous_id) == (ContractStatus.ACTIVE, contract.pk)
    assert (following.starts_on, following.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert list(following.units.all()) == [unit]
    assert (following.price, following.visit_every_months, following.response_hours) == (Decimal("1300.00"), 6, 4)
    assert following.billing_lines.get().amount == Decimal("1300.00")
    with pytest.raises(Conflict):
        contract_renew(actor=None, contract=contract)


def test_a_lapsed_contract_renews_from_today():
    contract = signed(sold_unit(), starts_on=dt.date(2025, 1, 1))
    with time_machine.travel(madrid(2026, 2, 10), tick=False):
        contracts_lapse()
        contract.refresh_from_db()
        assert contract.status == ContractStatus.EXPIRED

        following = contract_renew(actor=None, contract=contract)

    assert (following.starts_on, following.ends_on) == (dt.date(2026, 2, 10), dt.date(2027, 2, 9))


def test_contracts_are_marked_lapsed_the_day_after_their_end_once():
    contract = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    renewed = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    contract_renew(actor=None, contract=renewed)

    assert contracts_lapse(today=dt.date(2026, 12, 31)) == 0
    assert contracts_lapse(today=dt.date(2027, 1, 1)) == 1
    assert contracts_lapse(today=dt.date(2027, 1, 1)) == 0

    contract.refresh_from_db()
    renewed.refresh_from_db()
    assert (contract.status, renewed.status) == (ContractStatus.EXPIRED, ContractStatus.RENEWED)
    assert TimelineEvent.objects.filter(kind="contract_lapsed", unit__isnull=True).count() == 1


def test_each_step_of_the_lifecycle_is_on_the_customer_and_unit_timelines():
    unit = sold_unit()
    contract = signed(unit)
    contract_renew(actor=None, contract=contract)
    following = MaintenanceContract.objects.get(previous=contract)
    contract_cancel(actor=None, contract=following, reason="Moved abroad")

    kinds = list(TimelineEvent.objects.filter(unit=unit).order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "contract_created",
        "contract_activated",
        "contract_created",
        "contract_activated",
        "contract_renewed",
        "contract_cancelled",
    ]
    cancelled = TimelineEvent.objects.filter(kind="contract_cancelled", unit__isnull=True).get()
    assert cancelled.customer_id == unit.customer_id
    assert cancelled.data["reason"] == "Moved abroad"


def test_cancelling_needs_a_reason_and_drops_visits_not_yet_ordered():
    contract = signed(sold_unit(), visit_every_months=3)

    with pytest.raises(ValidationFailed) as refused:
        contract_cancel(actor=None, contract=contract, reason="  ")
    assert refused.value.errors[0].field == "reason"

    contract_cancel(actor=None, contract=contract, reason="Customer asked")
    assert not contract.visits.exists()
    assert BillingLine.objects.filter(contract=contract).count() == 1
    with pytest.raises(Conflict):
        contract_cancel(actor=None, contract=contract, reason="again")
