"""A return request from opening to refund or exchange: statuses, history, messages, the sale an exchange creates,
and refunds and their costs recorded once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.messaging.models import Message
from aftersales.sales.models import Sale, Unit, UnitStatus
from aftersales.warranty import services
from aftersales.warranty.models import CostEntry, CostKind, CostSource, ReturnStatus
from tests.returns.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db

TODAY = madrid(2026, 2, 20, 11)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _open(unit, actor=None, **kwargs):
    kwargs.setdefault("wish", "return")
    kwargs.setdefault("condition", "opened")
    return services.return_request_open(actor=actor, unit=unit, reason="Too big for the kitchen", **kwargs)


def test_a_request_within_the_policy_is_authorised_at_once_and_the_customer_told(agent):
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13), language="es")
    rma = _open(unit)
    assert rma.reference == f"RMA-{rma.pk:06d}"
    assert rma.status == ReturnStatus.AUTHORISED and rma.within_policy
    assert rma.restocking_fee == Decimal("20.00") and rma.expected_refund == Decimal("180.00")
    message = Message.objects.get(idempotency_key=f"return_request_update:{rma.pk}:authorised")
    assert message.customer_id == unit.customer_id
    assert rma.reference in message.subject and "Tráigalo o envíelo" in message.body
    history = [(event.kind, event.status_to) for event in rma.events.order_by("at", "id")]
    assert history == [("opened", "requested"), ("authorised", "authorised")]
    kinds = set(TimelineEvent.objects.filter(unit=unit).values_list("kind", flat=True))
    assert {"return_requested", "return_status"} <= kinds


def test_a_request_outside_the_policy_waits_for_staff(agent):
    unit = sold_unit(delivered_at=madrid(2025, 12, 1))
    rma = _open(unit, condition="unopened")
    assert rma.status == ReturnStatus.REQUESTED and not rma.within_policy
    assert not Message.objects.filter(customer=unit.customer).exists()
    services.return_request_authorise(actor=agent, request=rma, note="Goodwill: loyal customer")
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.AUTHORISED and rma.decision_note == "Goodwill: loyal customer"


def test_one_open_return_per_unit():
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    _open(unit)
    with pytest.raises(ValidationFailed) as failure:
        _open(unit)
    assert failure.value.errors[0].field == "unit" and failure.value.errors[0].code == "already_open"


def test_bad_input_names_the_fields():
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    with pytest.raises(ValidationFailed) as failure:
        services.return_request_open(actor=None, unit=unit, wish="swap", condition="shiny")
    assert {error.field for error in failure.value.errors} == {"wish", "condition"}


def test_return_to_refund_marks_the_unit_returned_and_records_the_cost_once(agent, manager):
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13))
    rma = _open(unit)
    services.return_request_receive(actor=agent, request=rma, logistics_cost=Decimal("12.50"))
    # The inspector finds it used, not just opened: the fee follows what was found.
    services.return_request_inspect(actor=agent, request=rma, condition_found="used", accept=True, notes="Scratches")
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.INSPECTED and rma.restocking_fee == Decimal("40.00")
    services.return_request_refund(actor=manager, request=rma, method="bank_transfer", reference="TR-991")
    rma.refresh_from_db()
    unit.refresh_from_db()
    assert rma.status == ReturnStatus.REFUNDED and rma.refund_amount == Decimal("160.00")
    assert unit.status == UnitStatus.RETURNED
    with pytest.raises(Conflict):
        services.return_request_refund(actor=manager, request=rma, method="bank_transfer", reference="TR-991")
    costs = CostEntry.objects.filter(source=CostSource.RETURN, source_id=rma.pk)
    assert sorted((c.kind, c.amount) for c in costs) == [
        (CostKind.LOGISTICS, Decimal("12.50")),
        (CostKind.REFUND, Decimal("160.00")),
    ]
    statuses = list(Message.objects.filter(customer=unit.customer).values_list("idempotency_key", flat=True))
    assert {key.rsplit(":", 1)[1] for key in statuses} == {"authorised", "received", "refunded"}
    services.return_request_close(actor=manager, request=rma)
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CLOSED


def test_a_refund_may_not_exceed_the_price(manager, agent):
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13))
    rma = _open(unit)
    services.return_request_receive(actor=agent, request=rma)
    services.return_request_inspect(actor=agent, request=rma, condition_found="opened", accept=True)
    with pytest.raises(ValidationFailed) as failure:
        services.return_request_refund(actor=manager, request=rma, method="cash", amount=Decimal("250.00"))
    assert failure.value.errors[0].field == "amount"
    assert not CostEntry.objects.filter(source_id=rma.pk, kind=CostKind.REFUND).exists()


def test_inspection_refusal_needs_a_reason_and_rejects(agent):
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    rma = _open(unit)
    services.return_request_receive(actor=agent, request=rma)
    with pytest.raises(ValidationFailed):
        services.return_request_inspect(actor=agent, request=rma, condition_found="damaged_by_customer", accept=False)
    services.return_request_inspect(
        actor=agent, request=rma, condition_found="damaged_by_customer", accept=False, notes="Cracked casing"
    )
    rma.refresh_from_db()
    unit.refresh_from_db()
    assert rma.status == ReturnStatus.REJECTED and unit.status == UnitStatus.IN_SERVICE


def test_an_exchange_creates_a_sale_like_any_other(agent, manager):
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13))
    rma = _open(unit, wish="exchange", condition="unopened")
    services.return_request_receive(actor=agent, request=rma)
    services.return_request_inspect(actor=agent, request=rma, condition_found="unopened", accept=True)
    services.return_request_exchange(actor=manager, request=rma, new_serial="EX-0001")
    rma.refresh_from_db()
    unit.refresh_from_db()
    sale = rma.exchange_sale
    assert rma.status == ReturnStatus.EXCHANGED and unit.status == UnitStatus.RETURNED
    assert sale.customer_id == unit.customer_id and sale.sold_on == dt.date(2026, 2, 20)
    assert sale.receipt_number == rma.reference and sale.total == Decimal("200.00")
    new_unit = Unit.objects.get(serial="EX-0001")
    assert new_unit.sale_line.sale == sale and new_unit.product_id == unit.product_id
    # Every hook of a new sale ran: the sale and the new unit are on the timeline, its warranty terms copied.
    assert TimelineEvent.objects.filter(kind="sold", unit=new_unit).exists()
    assert new_unit.warranty_terms.months == unit.product.warranty_months
    assert Sale.objects.filter(number=sale.number).count() == 1


def test_a_customer_cancels_before_sending_it_back_but_not_after(agent):
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    rma = _open(unit)
    services.return_request_receive(actor=agent, request=rma)
    with pytest.raises(Conflict):
        services.return_request_cancel(actor=agent, request=rma)
    other = sold_unit(delivered_at=madrid(2026, 2, 13))
    second = _open(other)
    services.return_request_cancel(actor=agent, request=second, note="Changed my mind")
    second.refresh_from_db()
    assert second.status == ReturnStatus.CANCELLED
