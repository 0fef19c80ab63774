"""API shapes for repair orders and spare parts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from aftersales.warranty.selectors_repairs import repair_history, repair_lines
from aftersales.warranty.services.repairs import current_quote, order_totals


class RepairFilter(Schema):
    status: str = ""
    customer_id: int | None = None
    unit_id: int | None = None
    repeat: bool | None = Field(None, description="true: only repeat repairs; false: only first repairs")
    q: str = Field("", description="Serial, customer name or email, or an RO- number")


class RepairIn(Schema):
    unit_id: int
    fault_description: str = ""
    claim_id: int | None = Field(None, description="An approved warranty claim that covers the repair")
    ticket_number: int | None = None


class MoveIn(Schema):
    status: str = Field(description="received, diagnosing, waiting_for_parts, repairing, ready, returned or cancelled")
    note: str = ""


class DiagnosisIn(Schema):
    diagnosis: str


class PartLineIn(Schema):
    part_id: int
    quantity: int = 1
    covered: bool | None = Field(None, description="Empty: as the repair (covered or billable)")


class LabourLineIn(Schema):
    minutes: int
    description: str = ""
    covered: bool | None = Field(None, description="Empty: as the repair (covered or billable)")


class QuoteAnswerIn(Schema):
    approve: bool


class RepairLineOut(Schema):
    id: int
    kind: str
    part_id: int | None
    description: str
    quantity: int = Field(description="Parts: how many; labour: minutes")
    unit_cost: Decimal
    unit_price: Decimal
    cost: Decimal
    price: Decimal
    covered: bool


class QuoteOut(Schema):
    id: int
    number: int
    total: Decimal
    currency: str
    status: str
    sent_at: dt.datetime
    decided_at: dt.datetime | None
    decided_via: str


class TotalsOut(Schema):
    covered_cost: Decimal = Field(description="What the covered lines cost the company")
    covered_price: Decimal = Field(description="What the covered lines would have cost the customer")
    billable_cost: Decimal
    billable_total: Decimal = Field(description="What the customer pays: the quote total")


class RepairEventOut(Schema):
    kind: str
    data: dict[str, Any]
    actor: str | None
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class RepairOut(Schema):
    id: int
    reference: str
    unit_id: int
    serial: str
    customer_id: int
    claim_id: int | None
    ticket_number: int | None
    status: str
    fault_description: str
    diagnosis: str
    covered: bool
    cover_basis: str
    cover_explanation: str
    received_at: dt.datetime
    ready_at: dt.datetime | None
    returned_at: dt.datetime | None
    turnaround_hours: Decimal | None = Field(description="Working hours from received to returned (default business calendar)")
    unrepaired: bool
    repeat_of: str | None = Field(description="The earlier repair this one repeats, when the unit came back within the window")

    @staticmethod
    def resolve_serial(obj: Any) -> str:
        return str(obj.unit.serial)

    @staticmethod
    def resolve_ticket_number(obj: Any) -> int | None:
        return obj.ticket.number if obj.ticket_id else None

    @staticmethod
    def resolve_repeat_of(obj: Any) -> str | None:
        return obj.repeat_of.reference if obj.repeat_of_id else None


class RepairDetailOut(RepairOut):
    lines: list[RepairLineOut]
    totals: TotalsOut
    quote: QuoteOut | None = Field(description="The quote waiting for an answer or approved, else the last declined")
    history: list[RepairEventOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(repair_lines(obj))

    @staticmethod
    def resolve_totals(obj: Any) -> dict[str, Decimal]:
        return order_totals(obj)

    @staticmethod
    def resolve_quote(obj: Any) -> Any:
        return current_quote(obj)

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return list(repair_history(obj))


class PartOut(Schema):
    id: int
    sku: str
    name: str
    name_es: str
    unit_cost: Decimal
    unit_price: Decimal
    stock_on_hand: int
    reorder_level: int
    to_reorder: bool

    @staticmethod
    def resolve_to_reorder(obj: Any) -> bool:
        return bool(obj.stock_on_hand <= obj.reorder_level)


class PartFilter(Schema):
    q: str = ""
    to_reorder: bool = False


class ReceiveIn(Schema):
    quantity: int
    reference: str = Field("", max_length=64)
