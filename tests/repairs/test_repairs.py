"""Repair orders: moves between statuses, the quote gate, who pays for what, the cost ledger and repeats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.catalog.models import PartMovement
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.messaging.models import Message
from aftersales.warranty.models import (
    CostEntry,
    CoverBasis,
    QuoteChannel,
    QuoteStatus,
    RepairEvent,
    RepairOrder,
    RepairStatus,
)
from aftersales.warranty.services import (
    claim_submit,
    order_totals,
    repair_diagnose,
    repair_labour_add,
    repair_line_remove,
    repair_move,
    repair_open,
    repair_part_add,
    repair_quote_decide,
    repair_quote_send,
)
from tests.repairs.conftest import NOW, covered_unit, expired_unit, part

pytestmark = pytest.mark.django_db


def walk(order, actor, *statuses):
    for status in statuses:
        order = repair_move(actor=actor, order=order, status=status)
    return order


def quoted(technician, *, language="en"):
    """Return an uncovered repair diagnosed with one billable part and a quote sent."""
    order = repair_open(actor=technician, unit=expired_unit(language=language), fault_description="Leaks.")
    repair_diagnose(actor=technician, order=order, diagnosis="The door seal is torn.")
    repair_part_add(actor=technician, order=order, part=part())
    quote = repair_quote_send(actor=technician, order=order)
    return order, quote


def test_a_unit_under_warranty_is_received_covered_and_the_customer_is_told(frozen, technician):
    unit = covered_unit(language="es")

    order = repair_open(actor=technician, unit=unit, fault_description="No enciende.")

    assert order.reference == f"RO-{order.pk:06d}"
    assert order.status == RepairStatus.RECEIVED and order.covered and order.cover_basis == CoverBasis.WARRANTY
    assert "2027" in order.cover_explanation
    message = Message.objects.get(customer=unit.customer, template_code="repair_order_received")
    assert message.language == "es" and "Hemos recibido" in message.subject and order.reference in message.body
    assert TimelineEvent.objects.filter(unit=unit, kind="repair_opened").exists()
    assert RepairEvent.objects.filter(order=order, kind="opened", actor=technician).exists()


def test_an_approved_claim_covers_the_repair_even_when_the_warranty_has_since_ended(frozen, agent, technician):
    unit = covered_unit()
    claim = claim_submit(actor=agent, unit=unit, fault_code="leak", fault_description="Water under the door.")
    frozen.move_to(NOW + dt.timedelta(days=800), tick=False)

    order = repair_open(actor=technician, unit=unit, claim=claim)

    assert order.covered and order.cover_basis == CoverBasis.CLAIM and claim.reference in order.cover_explanation
    assert order.fault_description == "Water under the door."


def test_a_claim_for_damage_on_arrival_is_left_for_a_replacement(frozen, agent, technician):
    unit = covered_unit()
    claim = claim_submit(actor=agent, unit=unit, fault_code="delivery_damage", fault_description="Dented.")

    with pytest.raises(ValidationFailed) as refused:
        repair_open(actor=technician, unit=unit, claim=claim)

    assert refused.value.errors[0].field == "claim" and refused.value.errors[0].code == "replace"
    assert not RepairOrder.objects.exists()


def test_only_the_allowed_moves_are_accepted(frozen, technician):
    order = repair_open(actor=technician, unit=covered_unit())

    with pytest.raises(Conflict):
        repair_move(actor=technician, order=order, status=RepairStatus.READY)
    with pytest.raises(ValidationFailed) as unknown:
        repair_move(actor=technician, order=order, status="fixed")
    order = walk(order, technician, "diagnosing", "waiting_for_parts", "repairing", "ready", "returned")

    assert order.status == RepairStatus.RETURNED and not order.unrepaired
    assert unknown.value.errors[0].field == "status"
    with pytest.raises(Conflict):
        repair_move(actor=technician, order=order, status=RepairStatus.REPAIRING)
    moves = [event.data["to"] for event in RepairEvent.objects.filter(order=order, kind="status")]
    assert moves == ["diagnosing", "waiting_for_parts", "repairing", "ready", "returned"]


def test_turnaround_counts_working_hours_from_received_to_returned(frozen, technician):
    # Thursday 15 January 2026, 11:00 in Madrid; the default calendar works 9:00 to 18:00 on weekdays.
    order = repair_open(actor=technician, unit=covered_unit())
    order = walk(order, technician, "diagnosing", "repairing", "ready")
    frozen.move_to(dt.datetime(2026, 1, 19, 10, 0, tzinfo=dt.UTC), tick=False)  # Monday 11:00 in Madrid

    order = repair_move(actor=technician, order=order, status="returned")

    # Thursday 11-18 (7 h), Friday 9 h, Monday 9-11 (2 h): the weekend does not count.
    assert order.turnaround_hours == Decimal("18.0")


def test_billable_work_cannot_start_before_the_customer_approves_the_quote(frozen, technician):
    order = repair_open(actor=technician, unit=expired_unit())
    repair_diagnose(actor=technician, order=order, diagnosis="Pump blocked.")
    repair_part_add(actor=technician, order=order, part=part())

    with pytest.raises(ValidationFailed) as no_quote:
        repair_move(actor=technician, order=order, status=RepairStatus.REPAIRING)
    quote = repair_quote_send(actor=technician, order=order)
    with pytest.raises(ValidationFailed) as pending:
        repair_move(actor=technician, order=order, status=RepairStatus.REPAIRING)
    repair_quote_decide(actor=order.customer.user, quote=quote, approve=True, via=QuoteChannel.PORTAL)
    order = repair_move(actor=technician, order=order, status=RepairStatus.REPAIRING)

    assert no_quote.value.errors[0].field == "status" and "send the customer a quote" in str(no_quote.value.errors[0].reason)
    assert pending.value.errors[0].code == "quote_not_approved"
    assert order.status == RepairStatus.REPAIRING


def test_the_quote_is_the_billable_lines_and_changing_them_needs_a_new_quote(frozen, technician):
    order, quote = quoted(technician)
    repair_labour_add(actor=technician, order=order, minutes=30, description="Fit the seal", covered=False)

    quote.refresh_from_db()
    assert quote.total == Decimal("29.90") and quote.status == QuoteStatus.SUPERSEDED
    with pytest.raises(Conflict):
        repair_quote_decide(actor=None, quote=quote, approve=True)
    second = repair_quote_send(actor=technician, order=order)
    assert second.number == 2 and second.total == Decimal("29.90") + Decimal("22.50")
    messages = Message.objects.filter(template_code="repair_order_quote", customer=order.customer)
    assert messages.count() == 2 and "52.40 EUR" in messages.order_by("id").last().body


def test_the_quote_email_is_in_the_customers_language_with_a_link(frozen, technician):
    order, _quote = quoted(technician, language="es")

    message = Message.objects.get(template_code="repair_order_quote", customer=order.customer)
    assert message.language == "es" and "Total a pagar: 29,90 EUR" in message.body
    assert "/portal/repairs/quote/" in message.body and "- Junta de puerta (SEAL-01): 29,90 EUR" in message.body


def test_a_declined_quote_sends_the_unit_back_unrepaired_and_the_parts_back_to_stock(frozen, technician):
    order, quote = quoted(technician)
    seal = order.lines.get().part

    repair_quote_decide(actor=None, quote=quote, approve=False, via=QuoteChannel.EMAIL_LINK)
    with pytest.raises(ValidationFailed):
        repair_move(actor=technician, order=order, status=RepairStatus.REPAIRING)
    order = walk(order, technician, "ready")

    seal.refresh_from_db()
    assert order.status == RepairStatus.READY and order.unrepaired
    assert seal.stock_on_hand == 5 and order_totals(order)["billable_total"] == 0
    message = Message.objects.get(template_code="repair_order_ready", customer=order.customer)
    assert "it was not repaired" in message.body and "Amount to pay" not in message.body


def test_billable_work_cannot_go_back_unrepaired_while_the_quote_is_open(frozen, technician):
    order, _quote = quoted(technician)

    with pytest.raises(ValidationFailed) as refused:
        repair_move(actor=technician, order=order, status=RepairStatus.READY)

    assert refused.value.errors[0].code == "quote_not_declined"


def test_covered_and_billable_lines_are_split_and_each_records_its_cost_once(frozen, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    seal = part()
    repair_part_add(actor=technician, order=order, part=seal, quantity=2)
    repair_labour_add(actor=technician, order=order, minutes=90)
    repair_part_add(
        actor=technician,
        order=order,
        part=part(sku="KNOB-1", name="Knob", unit_cost=Decimal("2.00"), unit_price=Decimal("6.50")),
        covered=False,
    )

    totals = order_totals(order)
    assert totals == {
        "covered_cost": Decimal("24.00") + Decimal("45.00"),
        "covered_price": Decimal("59.80") + Decimal("67.50"),
        "billable_cost": Decimal("2.00"),
        "billable_total": Decimal("6.50"),
    }
    entries = CostEntry.objects.filter(source="repair", source_id=order.pk).order_by("id")
    assert [(entry.kind, entry.amount, entry.covered) for entry in entries] == [
        ("parts", Decimal("24.00"), True),
        ("labour", Decimal("45.00"), True),
        ("parts", Decimal("2.00"), False),
    ]
    assert all(entry.reference == order.reference and entry.unit_id == order.unit_id for entry in entries)
    seal.refresh_from_db()
    assert seal.stock_on_hand == 3
    assert PartMovement.objects.filter(part=seal, quantity=-2, reference=order.reference).exists()


def test_removing_a_line_reverses_its_cost_and_returns_its_parts(frozen, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    seal = part()
    line = repair_part_add(actor=technician, order=order, part=seal, quantity=2)

    repair_line_remove(actor=technician, order=order, line_id=line.pk)

    seal.refresh_from_db()
    assert seal.stock_on_hand == 5
    amounts = sorted(CostEntry.objects.filter(source_id=order.pk).values_list("amount", flat=True))
    assert amounts == [Decimal("-24.00"), Decimal("24.00")]
    with pytest.raises(Conflict):
        repair_line_remove(actor=technician, order=order, line_id=line.pk)
    assert CostEntry.objects.filter(source_id=order.pk).count() == 2
    assert order_totals(order)["covered_cost"] == 0


def test_a_part_out_of_stock_is_refused_with_nothing_written(frozen, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    seal = part(stock_on_hand=1)

    with pytest.raises(ValidationFailed) as refused:
        repair_part_add(actor=technician, order=order, part=seal, quantity=2)

    assert refused.value.errors[0].field == "quantity" and "only 1" in str(refused.value.errors[0].reason)
    assert not order.lines.exists() and not CostEntry.objects.exists()


def test_billable_lines_are_frozen_once_billable_work_started(frozen, technician):
    order, quote = quoted(technician)
    repair_quote_decide(actor=None, quote=quote, approve=True)
    order = repair_move(actor=technician, order=order, status="repairing")

    with pytest.raises(Conflict):
        repair_labour_add(actor=technician, order=order, minutes=10, covered=False)
    line = repair_labour_add(actor=technician, order=order, minutes=10, covered=True)

    assert line.covered


def test_cancelling_puts_every_part_back(frozen, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    seal = part()
    repair_part_add(actor=technician, order=order, part=seal, quantity=3)

    walk(order, technician, "cancelled")

    seal.refresh_from_db()
    assert seal.stock_on_hand == 5


@pytest.mark.parametrize(("days", "repeat"), [(90, True), (91, False)])
def test_a_unit_back_within_the_window_is_flagged_as_a_repeat(time_machine, technician, days, repeat):
    time_machine.move_to(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.UTC), tick=False)
    unit = covered_unit()
    first = walk(repair_open(actor=technician, unit=unit), technician, "diagnosing", "repairing", "ready", "returned")
    # Earlier in the day than the first went back: the window counts calendar days, not hours.
    time_machine.move_to(dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC) + dt.timedelta(days=days), tick=False)

    second = repair_open(actor=technician, unit=unit)

    assert (second.repeat_of_id == first.pk) is repeat
    assert RepairOrder.objects.filter(repeat_of__isnull=False).count() == (1 if repeat else 0)


def test_a_unit_returned_unrepaired_does_not_make_the_next_repair_a_repeat(frozen, technician):
    order, quote = quoted(technician)
    repair_quote_decide(actor=None, quote=quote, approve=False)
    walk(order, technician, "ready", "returned")

    again = repair_open(actor=technician, unit=order.unit)

    assert again.repeat_of is None


def test_ready_for_pick_up_tells_the_customer_what_to_pay(frozen, technician):
    order, quote = quoted(technician)
    repair_quote_decide(actor=None, quote=quote, approve=True)

    walk(order, technician, "repairing", "ready")

    message = Message.objects.get(template_code="repair_order_ready", customer=order.customer)
    assert "ready to be collected" in message.body and "Amount to pay: 29.90 EUR" in message.body
