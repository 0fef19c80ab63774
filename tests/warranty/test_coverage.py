"""The coverage engine: boundary dates, explanations in both languages, terms snapshot, exclusions."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.catalog.models import Product
from aftersales.sales.models import UnitStatus
from aftersales.sales.services import unit_mark_installed, unit_set_status
from aftersales.warranty.coverage import (
    Coverage,
    CoverageKind,
    coverage_on,
    coverage_provider_register,
    coverage_provider_unregister,
    reason_register,
)
from aftersales.warranty.models import UnitWarrantyTerms
from aftersales.warranty.selectors import coverage_now
from aftersales.warranty.services import exclusion_add, extended_warranty_sell, warranty_terms_snapshot_missing
from tests.factories import UnitFactory
from tests.warranty.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


def test_covered_on_the_last_day_and_not_the_day_after():
    # given a 24-month warranty from delivery on 1 March 2025
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    # then the last covered day is 28 February 2027
    last = coverage_on(unit=unit, on=dt.date(2027, 2, 28))
    after = coverage_on(unit=unit, on=dt.date(2027, 3, 1))
    assert last.covered and last.kind == CoverageKind.STANDARD and last.valid_until == dt.date(2027, 2, 28)
    assert not after.covered and after.reason == "expired"


def test_explanation_in_english_and_spanish():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    coverage = coverage_on(unit=unit, on=dt.date(2026, 1, 10))

    assert (
        coverage.explain("en") == "Covered until 28 February 2027 by the 24-month standard warranty from delivery on 1 March 2025"
    )
    assert coverage.explain("es") == (
        "Cubierto hasta el 28 de febrero de 2027 por la garantía estándar de 24 meses desde la entrega el 1 de marzo de 2025"
    )


def test_delivery_at_half_past_midnight_in_madrid_starts_that_day():
    # 00:30 in Madrid is still the previous day in UTC.
    unit = sold_unit(months=12, delivered_at=madrid(2025, 6, 1, 0, 30))

    assert coverage_on(unit=unit, on=dt.date(2025, 5, 31)).reason == "before_start"
    coverage = coverage_on(unit=unit, on=dt.date(2025, 6, 1))
    assert coverage.covered and coverage.valid_from == dt.date(2025, 6, 1) and coverage.valid_until == dt.date(2026, 5, 31)


def test_leap_day_start_ends_on_the_last_day_of_february():
    unit = sold_unit(months=12, delivered_at=madrid(2024, 2, 29))

    assert coverage_on(unit=unit, on=dt.date(2025, 2, 28)).covered
    assert not coverage_on(unit=unit, on=dt.date(2025, 3, 1)).covered


def test_installation_based_warranty_waits_for_installation(manager):
    unit = sold_unit(starts="installation", delivered_at=madrid(2025, 3, 1))

    waiting = coverage_on(unit=unit, on=dt.date(2025, 3, 5))
    assert not waiting.covered and waiting.reason == "not_started_installation"
    assert waiting.explain("en") == "Not covered yet: the 24-month standard warranty starts on installation"

    unit_mark_installed(actor=manager, unit=unit, installed_at=madrid(2025, 3, 20))
    coverage = coverage_on(unit=unit, on=dt.date(2027, 3, 19))
    assert coverage.covered and "from installation on 20 March 2025" in coverage.explain("en")
    assert not coverage_on(unit=unit, on=dt.date(2027, 3, 20)).covered


def test_without_delivery_the_purchase_day_starts_the_warranty():
    unit = sold_unit(sold_on=dt.date(2025, 3, 1))

    coverage = coverage_on(unit=unit, on=dt.date(2025, 4, 1))

    assert coverage.covered and "from the purchase on 1 March 2025" in coverage.explain("en")


def test_terms_are_snapshot_when_the_unit_is_sold():
    # given a unit sold under a 24-month warranty
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    assert UnitWarrantyTerms.objects.get(unit=unit).months == 24

    # when the product's terms later change to 12 months from installation
    Product.objects.filter(pk=unit.product_id).update(warranty_months=12, warranty_starts="installation")
    unit.refresh_from_db()

    # then the unit already sold keeps its terms
    assert coverage_on(unit=unit, on=dt.date(2026, 6, 1)).covered
    # and a unit sold afterwards gets the new ones
    later = UnitFactory(sale_line__product=unit.product, delivered_at=madrid(2025, 3, 1))
    assert not coverage_on(unit=later, on=dt.date(2025, 6, 1)).covered


def test_units_written_in_bulk_get_their_terms_from_the_sweep():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    UnitWarrantyTerms.objects.filter(unit=unit).delete()

    assert warranty_terms_snapshot_missing() == 1
    assert UnitWarrantyTerms.objects.get(unit=unit).months == 24


def test_extended_warranty_follows_the_standard_one(rep):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    extended_warranty_sell(actor=rep, unit=unit, months=12, sale_reference="EXT-1")

    coverage = coverage_on(unit=unit, on=dt.date(2027, 3, 1))

    assert coverage.kind == CoverageKind.EXTENDED
    assert coverage.valid_from == dt.date(2027, 3, 1) and coverage.valid_until == dt.date(2028, 2, 29)
    assert coverage.explain("es") == (
        "Cubierto hasta el 29 de febrero de 2028 por una garantía ampliada de 12 meses "
        "que sigue a la cobertura que terminó el 28 de febrero de 2027"
    )
    assert not coverage_on(unit=unit, on=dt.date(2028, 3, 1)).covered


@pytest.mark.parametrize("status", [UnitStatus.REPLACED, UnitStatus.RETURNED, UnitStatus.SCRAPPED])
def test_a_unit_out_of_service_is_not_covered(manager, status):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    unit_set_status(actor=manager, unit=unit, status=status)

    coverage = coverage_on(unit=unit, on=dt.date(2025, 6, 1))
    assert not coverage.covered and coverage.reason == f"unit_{status}"
    assert coverage.explain("en") == f"Not covered: this unit was {status}"


def test_an_exclusion_ends_cover_from_its_day(technician):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    exclusion_add(actor=technician, unit=unit, note="Damaged by misuse", effective_on=dt.date(2025, 9, 1))

    assert coverage_on(unit=unit, on=dt.date(2025, 8, 31)).covered
    coverage = coverage_on(unit=unit, on=dt.date(2025, 9, 1))
    assert not coverage.covered
    assert coverage.explain("en") == "Not covered since 1 September 2025: Damaged by misuse"


def test_a_registered_provider_covers_when_warranties_do_not():
    unit = sold_unit(months=12, delivered_at=madrid(2024, 1, 1))
    reason_register("test_contract", "Covered until %(until)s by maintenance contract %(number)s")

    def contracts(unit_, on):
        until = dt.date(2026, 12, 31)
        return Coverage(
            covered=True,
            kind=CoverageKind.CONTRACT,
            reason="test_contract",
            valid_until=until,
            data={"until": until, "number": "AMC-7"},
        )

    coverage_provider_register(contracts)
    try:
        coverage = coverage_on(unit=unit, on=dt.date(2025, 6, 1))
    finally:
        coverage_provider_unregister(contracts)

    assert coverage.kind == CoverageKind.CONTRACT
    assert coverage.explain("en") == "Covered until 31 December 2026 by maintenance contract AMC-7"


def test_a_warranty_ending_today_is_covered_until_midnight_in_madrid(time_machine):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    # 23:30 in Madrid on the last day is still covered...
    time_machine.move_to(madrid(2027, 2, 28, 23, 30), tick=False)
    assert coverage_now(unit).covered
    # ...and 23:30 UTC on the same date is already 1 March in Madrid: not covered.
    time_machine.move_to(dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.UTC), tick=False)
    assert coverage_now(unit).reason == "expired"
