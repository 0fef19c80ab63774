"""API shapes for maintenance contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from aftersales.contracts.models import BillingLine, ContractPlan, ContractStatus, ContractVisit, MaintenanceContract
from aftersales.contracts.selectors import contract_figures
from aftersales.sales.models import Unit


class ContractFilter(Schema):
    status: str = Field("", description="draft, active, expired, renewed or cancelled")
    customer_id: int | None = None
    unit_id: int | None = None
    q: str = Field("", description="An AMC- number, a customer's name or a unit's serial")
    ending_within_days: int | None = Field(None, ge=0, le=3650, description="Contracts in force ending within N days")


class ContractIn(Schema):
    customer_id: int
    unit_ids: list[int] = Field(description="Units of the customer the contract covers")
    starts_on: dt.date | None = Field(None, description="The first day; today when empty")
    plan_id: int | None = Field(None, description="Take the terms not given here from this plan")
    months: int | None = Field(None, description="Term in months; 12 (or the plan's) when empty")
    price: Decimal | None = Field(None, description="Price for the whole term")
    billing_period: str | None = Field(None, description="upfront, monthly, quarterly, half_yearly or yearly")
    visit_every_months: int | None = Field(None, description="A maintenance visit every N months from the first day")
    response_hours: int | None = Field(None, description="First response to the customer's tickets within N working hours")
    repair_cover: str | None = Field(None, description="visits_only, labour or parts_and_labour")
    notes: str = ""
    activate: bool = Field(False, description="Sign it at once (checked against the units' other contracts)")


class ContractPatch(Schema):
    unit_ids: list[int] | None = None
    starts_on: dt.date | None = None
    months: int | None = None
    price: Decimal | None = None
    billing_period: str | None = None
    visit_every_months: int | None = None
    response_hours: int | None = None
    repair_cover: str | None = None
    notes: str | None = None


class RenewIn(Schema):
    price: Decimal | None = Field(None, description="The next period's price; the current one when empty")
    months: int | None = Field(None, description="The next period's term; the current one when empty")


class CancelIn(Schema):
    reason: str


class PaymentIn(Schema):
    paid: bool = True
    paid_on: dt.date | None = Field(None, description="Today when empty")
    reference: str = ""


class UnitRef(Schema):
    id: int
    serial: str
    product: str

    @staticmethod
    def of(unit: Unit) -> UnitRef:
        return UnitRef(id=unit.pk, serial=unit.serial, product=unit.product.name)


class VisitOut(Schema):
    id: int
    due_on: dt.date
    work_order_id: int | None
    work_order_reference: str | None
    work_order_status: str | None

    @staticmethod
    def of(visit: ContractVisit) -> VisitOut:
        order = visit.work_order
        return VisitOut(
            id=visit.pk,
            due_on=visit.due_on,
            work_order_id=order.pk if order else None,
            work_order_reference=order.reference if order else None,
            work_order_status=order.status if order else None,
        )


class BillingLineOut(Schema):
    id: int
    due_on: dt.date
    amount: Decimal
    paid: bool
    paid_on: dt.date | None
    payment_reference: str

    @staticmethod
    def of(line: BillingLine) -> BillingLineOut:
        return BillingLineOut(
            id=line.pk,
            due_on=line.due_on,
            amount=line.amount,
            paid=line.is_paid,
            paid_on=line.paid_on,
            payment_reference=line.payment_reference,
        )


class ContractOut(Schema):
    id: int
    reference: str = Field(description="AMC-000012")
    status: str
    status_label: str
    customer_id: int
    customer_name: str
    plan_id: int | None
    starts_on: dt.date
    ends_on: dt.date
    months: int
    price: Decimal
    currency: str
    billing_period: str
    visit_every_months: int | None
    response_hours: int | None
    repair_cover: str
    previous_id: int | None

    @staticmethod
    def resolve_status_label(obj: MaintenanceContract) -> str:
        return str(ContractStatus(obj.status).label)

    @staticmethod
    def resolve_customer_name(obj: MaintenanceContract) -> str:
        return obj.customer.name


class FiguresOut(Schema):
    billed: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: Decimal
    service_cost: Decimal
    margin: Decimal


class ContractDetailOut(ContractOut):
    notes: str
    units: list[UnitRef]
    visits: list[VisitOut]
    billing_lines: list[BillingLineOut]
    figures: FiguresOut
    cancel_reason: str

    @staticmethod
    def resolve_units(obj: MaintenanceContract) -> list[UnitRef]:
        return [UnitRef.of(unit) for unit in obj.units.select_related("product").order_by("pk")]

    @staticmethod
    def resolve_visits(obj: MaintenanceContract) -> list[VisitOut]:
        return [VisitOut.of(visit) for visit in obj.visits.select_related("work_order").order_by("due_on")]

    @staticmethod
    def resolve_billing_lines(obj: MaintenanceContract) -> list[BillingLineOut]:
        return [BillingLineOut.of(line) for line in obj.billing_lines.order_by("due_on", "pk")]

    @staticmethod
    def resolve_figures(obj: MaintenanceContract) -> dict[str, Any]:
        figures = contract_figures(obj)
        return {
            "billed": figures.billed,
            "paid": figures.paid,
            "outstanding": figures.outstanding,
            "overdue": figures.overdue,
            "service_cost": figures.service_cost,
            "margin": figures.margin,
        }


class PlanIn(Schema):
    code: str
    name: str
    name_es: str = ""
    description: str = ""
    months: int = 12
    price: Decimal = Decimal("0")
    billing_period: str = "yearly"
    visit_every_months: int | None = None
    response_hours: int | None = None
    repair_cover: str = "parts_and_labour"
    active: bool = True


class PlanOut(Schema):
    id: int
    code: str
    name: str
    name_es: str
    description: str
    months: int
    price: Decimal
    billing_period: str
    visit_every_months: int | None
    response_hours: int | None
    repair_cover: str
    active: bool

    @staticmethod
    def of(plan: ContractPlan) -> PlanOut:
        return PlanOut.model_validate(plan, from_attributes=True)


class OpportunityOut(Schema):
    unit_id: int
    serial: str
    product: str
    customer_id: int
    customer_name: str
    warranty_ends_on: dt.date
    own_customer: bool = Field(description="The signed-in rep sold to this customer")
    proposed: bool = Field(description="A draft contract for this unit exists")

    @staticmethod
    def of(unit: Any) -> OpportunityOut:
        return OpportunityOut(
            unit_id=unit.pk,
            serial=unit.serial,
            product=unit.product.name,
            customer_id=unit.customer_id,
            customer_name=unit.customer.name,
            warranty_ends_on=unit.warranty_ends_on,
            own_customer=unit.own_customer,
            proposed=unit.proposed,
        )
