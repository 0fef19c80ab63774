"""Replacing a unit: the link, the warranty carried over or restarted, chains of replacements, and the cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from aftersales.core.errors import ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.sales.models import UnitStatus
from aftersales.warranty import services
from aftersales.warranty.coverage import coverage_on, unit_terms
from aftersales.warranty.models import ClaimStatus, CostEntry, CostKind, CostSource, ExtendedWarranty
from aftersales.warranty.selectors_returns import replacement_chain
from tests.factories import CategoryFactory
from tests.returns.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


def test_a_replacement_carries_the_warranty_over_by_default(agent):
    unit = sold_unit(price="300.00", delivered_at=madrid(2025, 3, 10), warranty_months=24)
    with time_machine.travel(madrid(2026, 1, 15), tick=False):
        replacement = services.unit_replace(actor=agent, unit=unit, new_serial="NEW-1", reason="warranty")
    unit.refresh_from_db()
    new = replacement.new_unit
    assert unit.status == UnitStatus.REPLACED
    assert new.replaces_id == unit.pk and new.sale_line_id == unit.sale_line_id and new.customer_id == unit.customer_id
    cover = coverage_on(unit=new, on=dt.date(2027, 3, 9))
    assert cover.covered and cover.valid_until == dt.date(2027, 3, 9)
    assert not coverage_on(unit=new, on=dt.date(2027, 3, 10)).covered
    assert cover.explain("en") == (
        f"Covered until 9 March 2027, carried over from serial {unit.serial}, which this unit replaced on 15 January 2026"
    )
    assert cover.explain("es") == (
        f"Cubierto hasta el 9 de marzo de 2027, garantía traspasada del n.º de serie {unit.serial}, "
        "al que esta unidad sustituyó el 15 de enero de 2026"
    )
    assert coverage_on(unit=unit, on=dt.date(2026, 2, 1)).reason == "unit_replaced"


def test_a_product_may_restart_the_warranty(agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 10), warranty_months=12, replacement_warranty="restart")
    with time_machine.travel(madrid(2026, 1, 15), tick=False):
        replacement = services.unit_replace(actor=agent, unit=unit, new_serial="NEW-2", reason="delivery_damage")
    cover = coverage_on(unit=replacement.new_unit, on=dt.date(2027, 1, 14))
    assert cover.covered and cover.reason == "restarted" and cover.valid_until == dt.date(2027, 1, 14)
    assert replacement.warranty_rule == "restart" and replacement.carried_until is None


def test_a_category_rule_applies_unless_the_product_overrides_it(agent):
    category = CategoryFactory(replacement_warranty="restart")
    follows = sold_unit(category=category, delivered_at=madrid(2025, 3, 10))
    overrides = sold_unit(category=category, delivered_at=madrid(2025, 3, 10), replacement_warranty="carry_over")
    assert services.unit_replace(actor=agent, unit=follows, new_serial="A1", reason="warranty").warranty_rule == "restart"
    assert services.unit_replace(actor=agent, unit=overrides, new_serial="B1", reason="warranty").warranty_rule == "carry_over"


def test_a_unit_replaced_twice_keeps_the_first_end_date_and_shows_the_chain(agent):
    first = sold_unit(delivered_at=madrid(2025, 3, 10), warranty_months=24)
    with time_machine.travel(madrid(2025, 9, 1), tick=False):
        second = services.unit_replace(actor=agent, unit=first, new_serial="B", reason="warranty").new_unit
        services.extended_warranty_sell(actor=agent, unit=second, months=12)
    with time_machine.travel(madrid(2026, 6, 1), tick=False):
        third = services.unit_replace(actor=agent, unit=second, new_serial="C", reason="repair_failed").new_unit
    # B carried A's end (9 March 2027) and added a year: C carries both.
    cover = coverage_on(unit=third, on=dt.date(2028, 3, 9))
    assert cover.covered and cover.valid_until == dt.date(2028, 3, 9)
    assert f"serial {second.serial}" in cover.explain("en")
    assert [u.serial for u in replacement_chain(second)] == [first.serial, "B", "C"]
    assert [u.serial for u in replacement_chain(first)] == [first.serial, "B", "C"]


def test_a_chain_restarting_then_carrying_over(agent):
    first = sold_unit(delivered_at=madrid(2025, 3, 10), warranty_months=12, replacement_warranty="restart")
    with time_machine.travel(madrid(2026, 2, 1), tick=False):
        second = services.unit_replace(actor=agent, unit=first, new_serial="R2", reason="warranty").new_unit
    product = second.product
    product.replacement_warranty = "carry_over"
    product.save()
    with time_machine.travel(madrid(2026, 5, 1), tick=False):
        third = services.unit_replace(actor=agent, unit=second, new_serial="R3", reason="warranty").new_unit
    assert coverage_on(unit=third, on=dt.date(2027, 1, 31)).covered
    assert not coverage_on(unit=third, on=dt.date(2027, 2, 1)).covered


def test_both_timelines_show_it_and_the_cost_is_recorded(agent):
    unit = sold_unit(price="300.00", delivered_at=madrid(2025, 3, 10))
    replacement = services.unit_replace(
        actor=agent, unit=unit, new_serial="NEW-3", reason="warranty", logistics_cost=Decimal("25.00")
    )
    assert TimelineEvent.objects.filter(unit=unit, kind="unit_replaced").exists()
    assert TimelineEvent.objects.filter(unit=replacement.new_unit, kind="unit_replacement").exists()
    costs = CostEntry.objects.filter(source=CostSource.REPLACEMENT, source_id=replacement.pk)
    assert sorted((c.kind, c.amount, c.covered) for c in costs) == [
        (CostKind.LOGISTICS, Decimal("25.00"), True),
        (CostKind.REPLACEMENT_UNIT, Decimal("300.00"), True),
    ]


def test_a_replacement_from_an_approved_claim_only_once(agent):
    unit = sold_unit(delivered_at=madrid(2026, 1, 10))
    claim = services.claim_submit(actor=agent, unit=unit, fault_code="delivery_damage", fault_description="Dented door")
    assert claim.status == ClaimStatus.APPROVED
    services.unit_replace(actor=agent, unit=unit, new_serial="D1", reason="delivery_damage", claim=claim)
    assert claim.replacement.new_unit.serial == "D1"


def test_replacement_refuses_bad_input_naming_fields(agent):
    unit = sold_unit(delivered_at=madrid(2026, 1, 10))
    other = sold_unit(delivered_at=madrid(2026, 1, 10))
    with pytest.raises(ValidationFailed) as failure:
        services.unit_replace(actor=agent, unit=unit, new_serial=other.serial, reason="broken", unit_cost="-1")
    fields = {error.field for error in failure.value.errors}
    assert {"reason", "unit_cost"} <= fields
    with pytest.raises(ValidationFailed) as failure:
        services.unit_replace(actor=agent, unit=unit, new_serial=unit.serial, reason="warranty")
    assert failure.value.errors[0].field == "new_serial" and failure.value.errors[0].code == "duplicate"
    services.unit_replace(actor=agent, unit=unit, new_serial="OK-1", reason="warranty")
    with pytest.raises(ValidationFailed) as failure:
        services.unit_replace(actor=agent, unit=unit, new_serial="OK-2", reason="warranty")
    assert failure.value.errors[0].code == "unit_not_in_service"


def test_the_customer_is_told_the_new_serial_and_its_cover_in_their_language(agent, settings):
    from aftersales.messaging.models import Message

    settings.MESSAGING_QUIET_HOURS = None
    unit = sold_unit(price="300.00", delivered_at=madrid(2025, 3, 10), warranty_months=24)
    unit.customer.language = "es"
    unit.customer.save(update_fields=["language"])
    with time_machine.travel(madrid(2026, 1, 15), tick=False):
        replacement = services.unit_replace(actor=agent, unit=unit, new_serial="NEW-ES-1", reason="warranty")
        again = Message.objects.filter(template_code="unit_replacement", customer=unit.customer)

    message = again.get()
    assert message.language == "es" and replacement.reference in message.subject
    assert "NEW-ES-1" in message.body and unit.serial in message.body
    assert "Cubierto hasta el 9 de marzo de 2027" in message.body


def facts_row(page: str, label: str) -> str:
    start = page.index(f"<dt>{label}</dt>")
    return page[start : page.index("</dd>", start)]


def test_the_console_states_the_carried_over_end_on_the_unit_page_the_units_list_and_the_customer_page(agent, client):
    unit = sold_unit(price="300.00", delivered_at=madrid(2025, 3, 10), warranty_months=24)
    with time_machine.travel(madrid(2026, 1, 15), tick=False):
        new = services.unit_replace(actor=agent, unit=unit, new_serial="NEW-1", reason="warranty").new_unit
    # delivered a few days later: its own 24 months would run to 19 January 2028
    new.delivered_at = madrid(2026, 1, 20)
    new.save(update_fields=["delivered_at"])
    client.force_login(agent)

    detail = client.get(reverse("console:unit", args=[new.pk])).content.decode()
    units = client.get(reverse("console:units"), {"serial": "NEW-1"}).content.decode()
    customer = client.get(reverse("console:customer", args=[new.customer_id])).content.decode()

    assert "March 9, 2027" in facts_row(detail, "Warranty ends")
    for page in (units, customer):
        row = page[page.index(">NEW-1<") :]
        assert row[: row.index("</tr>")].count("March 9, 2027") == 1
    assert "Jan. 19, 2028" not in detail + units + customer


def test_the_unit_page_states_the_terms_the_unit_was_sold_with_and_its_extensions(agent, client):
    unit = sold_unit(delivered_at=madrid(2025, 3, 10), warranty_months=24)
    unit_terms(unit)  # copied at sale (the hourly sweep does it for every new unit)
    unit.product.warranty_months = 36  # for units sold from now on
    unit.product.save(update_fields=["warranty_months"])
    ExtendedWarranty.objects.create(unit=unit, months=12, price=Decimal("49.00"), sold_on=dt.date(2026, 2, 10))
    client.force_login(agent)

    page = client.get(reverse("console:unit", args=[unit.pk])).content.decode()

    assert "24 months, from delivery" in facts_row(page, "Warranty")
    # 24 months from 10 March 2025, then the year sold on top
    assert "March 9, 2028" in facts_row(page, "Warranty ends")
