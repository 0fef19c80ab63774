"""A contract covers repairs through the warranty's coverage engine and shortens the first response of its customer's tickets."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.contracts.services import contract_cancel
from aftersales.service.models import SlaClock, SlaMetric
from aftersales.warranty.coverage import coverage_on
from tests.contracts.conftest import madrid, signed, sold_unit
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def out_of_warranty_unit(**kwargs):
    # sold and delivered on 1 March 2023 with 24 months: the standard warranty ended on 29 February 2024... 28 Feb 2025
    return sold_unit(months=24, sold_on=dt.date(2023, 3, 1), **kwargs)


def test_a_parts_and_labour_contract_covers_the_unit_once_the_warranty_ended_and_says_so_in_both_languages():
    unit = out_of_warranty_unit()
    contract = signed(unit, starts_on=dt.date(2026, 1, 1), repair_cover="parts_and_labour")

    coverage = coverage_on(unit=unit, on=dt.date(2026, 5, 4))

    assert (coverage.covered, coverage.kind, coverage.valid_until) == (True, "contract", dt.date(2026, 12, 31))
    assert coverage.data["parts_covered"] is True
    assert (
        coverage.explain("en")
        == f"Covered until 31 December 2026 by maintenance contract {contract.reference} (parts and labour)"
    )
    assert coverage.explain("es") == (
        f"Cubierto hasta el 31 de diciembre de 2026 por el contrato de mantenimiento {contract.reference} (piezas y mano de obra)"
    )


def test_a_labour_only_contract_says_parts_are_charged():
    unit = out_of_warranty_unit()
    contract = signed(unit, starts_on=dt.date(2026, 1, 1), repair_cover="labour")

    coverage = coverage_on(unit=unit, on=dt.date(2026, 5, 4))

    assert coverage.covered and coverage.data["parts_covered"] is False and coverage.data["labour_covered"] is True
    assert coverage.explain("en") == (
        f"Labour covered until 31 December 2026 by maintenance contract {contract.reference}; spare parts are charged"
    )
    assert coverage.explain("es") == (
        f"Mano de obra cubierta hasta el 31 de diciembre de 2026 por el contrato de mantenimiento {contract.reference}; "
        "las piezas se cobran"
    )


def test_no_cover_outside_the_term_for_a_visits_only_contract_or_once_cancelled():
    unit = out_of_warranty_unit()
    contract = signed(unit, starts_on=dt.date(2026, 1, 1))
    visits_only = signed(out_of_warranty_unit(), starts_on=dt.date(2026, 1, 1), repair_cover="visits_only")

    assert coverage_on(unit=unit, on=dt.date(2027, 1, 1)).reason == "expired"
    assert coverage_on(unit=visits_only.units.get(), on=dt.date(2026, 5, 4)).covered is False
    contract_cancel(actor=None, contract=contract, reason="Sold the unit")
    assert coverage_on(unit=unit, on=dt.date(2026, 5, 4)).covered is False


def test_the_standard_warranty_still_answers_while_it_runs():
    unit = sold_unit(months=24, sold_on=dt.date(2025, 6, 1))
    signed(unit, starts_on=dt.date(2026, 1, 1))

    assert coverage_on(unit=unit, on=dt.date(2026, 5, 4)).kind == "standard"


def first_response(ticket):
    return SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE, tier=1)


def test_a_contracts_response_time_shortens_the_first_response_target_of_its_customers_tickets(desk):
    unit = out_of_warranty_unit()
    other_unit = sold_unit(customer=unit.customer, sold_on=dt.date(2023, 3, 1))
    signed(unit, starts_on=dt.date(2025, 1, 1), response_hours=2)
    stranger = sold_unit(sold_on=dt.date(2023, 3, 1))

    with time_machine.travel(madrid(2025, 3, 3, 10), tick=False):  # a Monday; the default target is 8 working hours
        about_the_unit = open_ticket(unit.customer, unit=unit)
        about_nothing = open_ticket(unit.customer)
        about_another_unit = open_ticket(unit.customer, unit=other_unit)
        of_another_customer = open_ticket(stranger.customer, unit=stranger)

    assert first_response(about_the_unit).target_minutes == 120
    assert first_response(about_the_unit).due_at == madrid(2025, 3, 3, 12)
    assert first_response(about_nothing).target_minutes == 120
    assert first_response(about_another_unit).target_minutes == 8 * 60
    assert first_response(of_another_customer).target_minutes == 8 * 60
    # the resolution target is not part of the promise
    resolution = SlaClock.objects.get(ticket=about_the_unit, metric=SlaMetric.RESOLUTION, tier=1)
    assert resolution.target_minutes == 45 * 60


def test_a_promise_longer_than_the_policy_does_not_lengthen_it_and_no_promise_outside_the_term(desk):
    unit = out_of_warranty_unit()
    signed(unit, starts_on=dt.date(2025, 1, 1), response_hours=24)

    with time_machine.travel(madrid(2025, 3, 3, 10), tick=False):
        during = open_ticket(unit.customer, unit=unit)
    with time_machine.travel(madrid(2026, 3, 2, 10), tick=False):
        after = open_ticket(unit.customer, unit=unit)

    assert first_response(during).target_minutes == 8 * 60
    assert first_response(after).target_minutes == 8 * 60
