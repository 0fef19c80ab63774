"""API shapes for return policies, return requests (RMAs), replacements and the cost report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation
from ninja import Field, Schema

from aftersales.warranty.models import Replacement, ReturnPolicy, ReturnRequest
from aftersales.warranty.policies import PolicyEvaluation, evaluation_explain
from aftersales.warranty.selectors_costs import CostReport


class ConditionRuleSchema(Schema):
    accepts_return: bool = False
    accepts_exchange: bool = False
    fee_percent: Decimal = Field(Decimal("0"), description="Percentage of the price paid, 0 to 100")
    fee_flat: Decimal = Field(Decimal("0"), description="A fixed amount added to the percentage")


class PolicyIn(Schema):
    name: str
    category_id: int | None = Field(None, description="Required for a new policy; the default policy has none")
    return_window_days: int
    exchange_window_days: int
    refund_methods: list[str] = Field(description="original_payment, store_credit, bank_transfer, cash")
    fee_on_exchange: bool = False
    conditions: dict[str, ConditionRuleSchema] = Field(
        default_factory=dict,
        description="Per condition (unopened, opened, used, defective, damaged_on_arrival, damaged_by_customer)",
    )
    notes: str = ""


class PolicyOut(Schema):
    id: int
    name: str
    is_default: bool
    category_id: int | None
    return_window_days: int
    exchange_window_days: int
    refund_methods: list[str]
    fee_on_exchange: bool
    conditions: dict[str, ConditionRuleSchema]
    notes: str

    @staticmethod
    def resolve_conditions(policy: ReturnPolicy) -> dict[str, Any]:
        return {
            row.condition: {
                "accepts_return": row.accepts_return,
                "accepts_exchange": row.accepts_exchange,
                "fee_percent": row.fee_percent,
                "fee_flat": row.fee_flat,
            }
            for row in policy.conditions.all()
        }


class EvaluationOut(Schema):
    allowed: bool
    wish: str
    condition: str
    policy_id: int | None
    policy_name: str
    window_days: int
    counted_from: dt.date | None
    deadline: dt.date | None = Field(description="The last day included")
    price: Decimal
    currency: str
    restocking_fee: Decimal
    refund: Decimal
    refund_methods: list[str]
    reasons: list[str] = Field(description="Reason codes, in order")
    explanation: str = Field(description="The answer in the language of the request")

    @staticmethod
    def of(evaluation: PolicyEvaluation) -> EvaluationOut:
        return EvaluationOut(
            allowed=evaluation.allowed,
            wish=evaluation.wish,
            condition=evaluation.condition,
            policy_id=evaluation.policy_id,
            policy_name=evaluation.policy_name,
            window_days=evaluation.window_days,
            counted_from=evaluation.counted_from,
            deadline=evaluation.deadline,
            price=evaluation.price,
            currency=evaluation.currency,
            restocking_fee=evaluation.fee,
            refund=evaluation.refund,
            refund_methods=list(evaluation.refund_methods),
            reasons=[reason.code for reason in evaluation.reasons],
            explanation=evaluation.explain(translation.get_language()),
        )


class ReturnFilter(Schema):
    status: str = Field("", description="A status, or 'open' for any that still needs someone")
    wish: str = ""
    customer_id: int | None = None
    unit_id: int | None = None
    q: str = ""


class ReturnIn(Schema):
    unit_id: int
    wish: str = Field(description="return or exchange")
    condition: str
    reason: str = ""
    exchange_product_sku: str = Field("", description="For an exchange into another product")


class NoteIn(Schema):
    note: str = ""


class ReceiveIn(Schema):
    note: str = ""
    logistics_cost: Decimal | None = Field(None, description="What collecting the goods cost, recorded as an after-sales cost")


class InspectIn(Schema):
    condition_found: str
    accept: bool
    notes: str = Field("", description="Required when the return is not accepted")


class RefundIn(Schema):
    method: str
    reference: str = Field("", description="The payment's reference: a card refund id, a transfer number")
    amount: Decimal | None = Field(None, description="Empty for the price paid less the restocking fee")
    note: str = ""


class ExchangeIn(Schema):
    new_serial: str
    product_sku: str = Field("", description="Empty for the product asked for, else the same product")
    unit_price: Decimal | None = Field(None, description="Empty for the price paid for the returned unit")
    note: str = ""


class ReturnEventOut(Schema):
    kind: str
    status_from: str
    status_to: str
    comment: str
    actor: str | None
    at: dt.datetime

    @staticmethod
    def resolve_actor(event: Any) -> str | None:
        return str(event.actor) if event.actor_id else None


class ReturnOut(Schema):
    id: int
    reference: str
    unit_id: int
    serial: str
    customer_id: int
    wish: str
    condition: str
    reason: str
    status: str
    requested_on: dt.date
    within_policy: bool
    explanation: str
    currency: str
    price: Decimal
    restocking_fee: Decimal
    expected_refund: Decimal
    exchange_product_sku: str | None
    decision_note: str
    condition_found: str
    inspection_notes: str
    refund_amount: Decimal | None
    refund_method: str
    refund_reference: str
    refunded_at: dt.datetime | None
    exchange_sale_number: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_serial(request: ReturnRequest) -> str:
        return request.unit.serial

    @staticmethod
    def resolve_explanation(request: ReturnRequest) -> str:
        return evaluation_explain(request.evaluation, translation.get_language())

    @staticmethod
    def resolve_exchange_product_sku(request: ReturnRequest) -> str | None:
        return request.exchange_product.sku if request.exchange_product_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_exchange_sale_number(request: ReturnRequest) -> str | None:
        return request.exchange_sale.number if request.exchange_sale_id else None  # type: ignore[union-attr]


class ReturnDetailOut(ReturnOut):
    history: list[ReturnEventOut]

    @staticmethod
    def resolve_history(request: ReturnRequest) -> list[Any]:
        return list(request.events.select_related("actor").order_by("at", "id"))


class ReplaceIn(Schema):
    new_serial: str
    reason: str = Field(description="warranty, delivery_damage, dead_on_arrival, repair_failed, goodwill or other")
    claim_id: int | None = None
    note: str = ""
    product_sku: str = Field("", description="Empty for the same product")
    unit_cost: Decimal | None = Field(None, description="Empty for the price paid for the replaced unit")
    logistics_cost: Decimal | None = None
    covered: bool = Field(True, description="False when the customer pays for it")


class ReplacementOut(Schema):
    id: int
    reference: str
    old_unit_id: int
    old_serial: str
    new_unit_id: int
    new_serial: str
    claim_id: int | None
    reason: str
    note: str
    warranty_rule: str = Field(description="carry_over or restart")
    replaced_on: dt.date
    carried_until: dt.date | None
    unit_cost: Decimal
    logistics_cost: Decimal

    @staticmethod
    def resolve_old_serial(replacement: Replacement) -> str:
        return replacement.old_unit.serial

    @staticmethod
    def resolve_new_serial(replacement: Replacement) -> str:
        return replacement.new_unit.serial


class CostRowOut(Schema):
    key: str
    label: str
    entries: int
    company_borne: Decimal
    billed: Decimal
    total: Decimal
    units_sold: int | None
    per_unit_sold: Decimal | None = Field(description="Company-borne cost per unit sold in the period")


class CostReportOut(Schema):
    start: dt.date
    end: dt.date
    group_by: str
    company_borne: Decimal
    billed: Decimal
    total: Decimal
    entries: int
    rows: list[CostRowOut]

    @staticmethod
    def of(report: CostReport) -> CostReportOut:
        return CostReportOut(
            start=report.start,
            end=report.end,
            group_by=report.group_by,
            company_borne=report.company_borne,
            billed=report.billed,
            total=report.total,
            entries=report.entries,
            rows=[
                CostRowOut(
                    key=row.key,
                    label=row.label,
                    entries=row.entries,
                    company_borne=row.company_borne,
                    billed=row.billed,
                    total=row.total,
                    units_sold=row.units_sold,
                    per_unit_sold=row.per_unit_sold,
                )
                for row in report.rows
            ],
        )
