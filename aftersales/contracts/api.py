"""REST endpoints of maintenance contracts: contracts, their lifecycle and payments, plans, opportunities.

Reps sell (draft, activate, renew), managers manage (cancel, record payments, plans), everyone on staff
reads; a portal customer signed in by session reads only their own contracts (anything else is 404).
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.contracts import selectors, services
from aftersales.contracts.models import BillingLine, ContractPlan, MaintenanceContract
from aftersales.contracts.schemas import (
    BillingLineOut,
    CancelIn,
    ContractDetailOut,
    ContractFilter,
    ContractIn,
    ContractOut,
    ContractPatch,
    OpportunityOut,
    PaymentIn,
    PlanIn,
    PlanOut,
    RenewIn,
)
from aftersales.core.errors import FieldError, NotFound, ValidationFailed, interpolate
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.customers.selectors import customers_visible_to
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to

router = Router(tags=["contracts"])

VIEW = "contracts.view_maintenancecontract"
SELL = "contracts.sell_maintenancecontract"
MANAGE = "contracts.manage_maintenancecontract"


def _contract(request: HttpRequest, contract_id: int) -> MaintenanceContract:
    contract = selectors.contracts_visible_to(request.user).filter(pk=contract_id).first()
    if contract is None:
        raise NotFound(_("No such contract."))
    return contract


def _units(request: HttpRequest, ids: list[int]) -> list[Unit]:
    units = list(units_visible_to(request.user).filter(pk__in=ids))
    missing = sorted(set(ids) - {unit.pk for unit in units})
    if missing:
        reason = interpolate(_("no such unit: %(ids)s"), ids=", ".join(map(str, missing)))
        raise ValidationFailed(errors=[FieldError(field="unit_ids", reason=reason, code="not_found")])
    return units


def _plan(plan_id: int | None) -> ContractPlan | None:
    if plan_id is None:
        return None
    plan = ContractPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ValidationFailed(errors=[FieldError(field="plan_id", reason=_("does not exist"), code="not_found")])
    return plan


@router.get("/contracts", response=list[ContractOut])
@paginate(Paged)
def contract_list(request: HttpRequest, filters: Query[ContractFilter]) -> Any:
    """List the contracts you may see, newest first."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    return selectors.contracts_filtered(
        selectors.contracts_visible_to(request.user),
        status=filters.status,
        customer_id=filters.customer_id,
        unit_id=filters.unit_id,
        text=filters.q,
        ending_within_days=filters.ending_within_days,
    )


@router.post("/contracts", response={201: ContractDetailOut})
def contract_create(request: HttpRequest, payload: ContractIn) -> Any:
    """Draft a contract (and sign it at once with ``activate``)."""
    require_perm(request.user, VIEW, SELL, "contracts.add_maintenancecontract")
    customer = customers_visible_to(request.user).filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationFailed(errors=[FieldError(field="customer_id", reason=_("does not exist"), code="not_found")])
    contract = services.contract_create(
        actor=request.user,  # type: ignore[arg-type]
        customer=customer,
        units=_units(request, payload.unit_ids),
        plan=_plan(payload.plan_id),
        **payload.dict(exclude={"customer_id", "unit_ids", "plan_id"}),
    )
    return 201, contract


@router.get("/contracts/opportunities", response=list[OpportunityOut])
@paginate(Paged)
def opportunity_list(request: HttpRequest, within_days: int | None = None) -> Any:
    """List units whose standard warranty ends soon and that no contract covers; your own customers first."""
    require_perm(request.user, VIEW, "sales.view_unit")
    if within_days is not None and not 0 <= within_days <= 3650:
        raise ValidationFailed(errors=[FieldError(field="within_days", reason=_("must be from 0 to 3650"))])
    return [OpportunityOut.of(unit) for unit in selectors.contract_opportunities(request.user, within_days=within_days)]


@router.get("/contracts/plans", response=list[PlanOut])
def plan_list(request: HttpRequest) -> Any:
    """List the contract plans."""
    require_perm(request.user, "contracts.view_contractplan")
    return [PlanOut.of(plan) for plan in ContractPlan.objects.order_by("name")]


@router.post("/contracts/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    """Add a contract plan."""
    require_perm(request.user, "contracts.add_contractplan")
    return 201, PlanOut.of(services.plan_save(actor=request.user, data=payload.dict()))  # type: ignore[arg-type]


@router.patch("/contracts/plans/{plan_id}", response=PlanOut)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanIn) -> Any:
    """Change a contract plan; contracts already written keep their terms."""
    require_perm(request.user, "contracts.change_contractplan")
    plan = ContractPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan."))
    return PlanOut.of(services.plan_save(actor=request.user, plan=plan, data=payload.dict()))  # type: ignore[arg-type]


@router.get("/contracts/{contract_id}", response=ContractDetailOut)
def contract_detail(request: HttpRequest, contract_id: int) -> Any:
    """Return a contract with its units, visits, billing lines and figures."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    return _contract(request, contract_id)


@router.patch("/contracts/{contract_id}", response=ContractDetailOut)
def contract_update(request: HttpRequest, contract_id: int, payload: ContractPatch) -> Any:
    """Change a draft contract's units or terms."""
    require_perm(request.user, VIEW, SELL, "contracts.change_maintenancecontract")
    contract = _contract(request, contract_id)
    data = payload.dict(exclude_unset=True, exclude={"unit_ids"})
    units = _units(request, payload.unit_ids) if payload.unit_ids is not None else None
    return services.contract_update(actor=request.user, contract=contract, units=units, data=data)  # type: ignore[arg-type]


@router.post("/contracts/{contract_id}/activate", response=ContractDetailOut)
def contract_activate(request: HttpRequest, contract_id: int) -> Any:
    """Sign a draft contract (refused when a unit has another contract in force on a day of its term)."""
    require_perm(request.user, VIEW, SELL)
    return services.contract_activate(actor=request.user, contract=_contract(request, contract_id))  # type: ignore[arg-type]


@router.post("/contracts/{contract_id}/renew", response={201: ContractDetailOut})
def contract_renew(request: HttpRequest, contract_id: int, payload: RenewIn) -> Any:
    """Create and sign the next period of a contract."""
    require_perm(request.user, VIEW, SELL)
    contract = _contract(request, contract_id)
    following = services.contract_renew(
        actor=request.user,  # type: ignore[arg-type]
        contract=contract,
        price=payload.price,
        months=payload.months,
    )
    return 201, following


@router.post("/contracts/{contract_id}/cancel", response=ContractDetailOut)
def contract_cancel(request: HttpRequest, contract_id: int, payload: CancelIn) -> Any:
    """Cancel a draft or active contract, with the reason."""
    require_perm(request.user, VIEW, MANAGE)
    contract = _contract(request, contract_id)
    return services.contract_cancel(actor=request.user, contract=contract, reason=payload.reason)  # type: ignore[arg-type]


@router.post("/contracts/{contract_id}/billing-lines/{line_id}/payment", response=BillingLineOut)
def billing_line_payment(request: HttpRequest, contract_id: int, line_id: int, payload: PaymentIn) -> Any:
    """Record that an instalment was paid (or undo the record with ``paid: false``)."""
    require_perm(request.user, VIEW, MANAGE)
    contract = _contract(request, contract_id)
    line = BillingLine.objects.filter(contract=contract, pk=line_id).first()
    if line is None:
        raise NotFound(_("No such billing line."))
    line = services.billing_line_record_payment(
        actor=request.user,  # type: ignore[arg-type]
        line=line,
        paid=payload.paid,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )
    return BillingLineOut.of(line)
