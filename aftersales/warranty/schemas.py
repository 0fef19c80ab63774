"""API shapes for the warranty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation
from ninja import Field, Schema

from aftersales.warranty.coverage import Coverage, coverage_on
from aftersales.warranty.selectors import claim_history


class CoverageOut(Schema):
    covered: bool
    kind: str = Field(description="standard, extended, contract or none")
    reason: str = Field(description="A code: standard_delivery, extended, expired, excluded, unit_replaced…")
    valid_from: dt.date | None
    valid_until: dt.date | None
    explanation: str = Field(description="One sentence in the language of the request")

    @staticmethod
    def of(coverage: Coverage) -> CoverageOut:
        return CoverageOut(
            covered=coverage.covered,
            kind=coverage.kind,
            reason=coverage.reason,
            valid_from=coverage.valid_from,
            valid_until=coverage.valid_until,
            explanation=coverage.explain(translation.get_language()),
        )


class PublicCheckIn(Schema):
    serial: str = Field(max_length=64)
    proof: str = Field(max_length=254, description="The receipt number of the sale, or the customer's email on record")


class PublicCheckOut(Schema):
    serial: str
    product: str
    coverage: CoverageOut


class ClaimFilter(Schema):
    status: str = ""
    customer_id: int | None = None
    unit_id: int | None = None
    q: str = ""


class ClaimIn(Schema):
    unit_id: int
    fault_code: str
    fault_description: str
    ticket_number: int | None = Field(None, description="Open the claim from this ticket (an internal note is added)")
    claimed_on: dt.date | None = Field(None, description="Staff only; today when empty")


class ClaimOut(Schema):
    id: int
    reference: str
    unit_id: int
    serial: str
    customer_id: int
    ticket_number: int | None
    claimed_on: dt.date
    fault_code: str
    fault_description: str
    has_receipt: bool
    receipt_verified_at: dt.datetime | None
    status: str
    decision_reason: str
    decision_text: str
    decided_by: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_serial(obj: Any) -> str:
        return str(obj.unit.serial)

    @staticmethod
    def resolve_ticket_number(obj: Any) -> int | None:
        return obj.ticket.number if obj.ticket_id else None

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class ClaimEventOut(Schema):
    kind: str
    data: dict[str, Any]
    actor: str | None
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class ClaimDetailOut(ClaimOut):
    coverage: CoverageOut = Field(description="The cover on the claim date, with its explanation")
    history: list[ClaimEventOut] = Field(description="The audit trail, oldest first: who decided what, when")

    @staticmethod
    def resolve_coverage(obj: Any) -> CoverageOut:
        return CoverageOut.of(coverage_on(unit=obj.unit, on=obj.claimed_on))

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return list(claim_history(obj))


class DecideIn(Schema):
    decision: str = Field(description="approved or rejected")
    reason: str
    text: str = ""


class VerifyReceiptIn(Schema):
    valid: bool
    text: str = ""


class CancelIn(Schema):
    text: str = ""


class ExtendedWarrantyIn(Schema):
    months: int
    price: Decimal = Decimal("0")
    sale_reference: str = ""
    sold_on: dt.date | None = None


class ExtendedWarrantyOut(Schema):
    id: int
    unit_id: int
    months: int
    price: Decimal
    currency: str
    sale_reference: str
    sold_on: dt.date


class ExclusionIn(Schema):
    note: str
    effective_on: dt.date | None = None


class ExclusionOut(Schema):
    id: int
    unit_id: int
    note: str
    effective_on: dt.date
    created_at: dt.datetime
