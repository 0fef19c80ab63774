"""REST endpoints of returns, exchanges and replacements: the policies, the policy's answer, RMAs and their actions.

Staff act as their role allows; a customer signed in to the portal evaluates, opens, follows and
cancels returns of their own units only (anything else is 404).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.catalog.models import Category, Product
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to
from aftersales.warranty import selectors, selectors_returns, services
from aftersales.warranty.models import ReturnCondition, ReturnPolicy, ReturnRequest
from aftersales.warranty.policies import customer_today, return_policy_evaluate
from aftersales.warranty.schemas_returns import (
    EvaluationOut,
    ExchangeIn,
    InspectIn,
    NoteIn,
    PolicyIn,
    PolicyOut,
    ReceiveIn,
    RefundIn,
    ReplaceIn,
    ReplacementOut,
    ReturnDetailOut,
    ReturnFilter,
    ReturnIn,
    ReturnOut,
)

router = Router(tags=["returns"])


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    return unit


def _return(request: HttpRequest, return_id: int) -> ReturnRequest:
    found = selectors_returns.returns_visible_to(request.user).filter(pk=return_id).first()
    if found is None:
        raise NotFound(_("No such return."))
    return found


def _product(sku: str, field: str) -> Product | None:
    if not sku:
        return None
    product = Product.objects.filter(sku=sku.strip()).first()
    if product is None:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("no product with this SKU"), code="not_found")])
    return product


def _staff_act(request: HttpRequest, perm: str) -> None:
    # Customers never act on a return beyond opening and cancelling their own.
    if not is_staff_member(request.user):
        raise NotFound(_("No such return."))
    require_perm(request.user, perm)


@router.get("/returns/policies", response=list[PolicyOut])
def policy_list(request: HttpRequest) -> Any:
    require_perm(request.user, "warranty.view_returnpolicy")
    return list(selectors_returns.return_policies())


@router.post("/returns/policies", response={201: PolicyOut})
def policy_create(request: HttpRequest, payload: PolicyIn) -> Any:
    require_perm(request.user, "warranty.add_returnpolicy")
    return 201, _policy_save(request, None, payload)


@router.put("/returns/policies/{policy_id}", response=PolicyOut)
def policy_update(request: HttpRequest, policy_id: int, payload: PolicyIn) -> Any:
    require_perm(request.user, "warranty.change_returnpolicy")
    policy = ReturnPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("No such return policy."))
    return _policy_save(request, policy, payload)


def _policy_save(request: HttpRequest, policy: ReturnPolicy | None, payload: PolicyIn) -> ReturnPolicy:
    category = None
    if payload.category_id is not None:
        category = Category.objects.filter(pk=payload.category_id).first()
        if category is None:
            raise ValidationFailed(errors=[FieldError(field="category_id", reason=_("does not exist"), code="not_found")])
    return services.return_policy_save(
        actor=request.user,  # type: ignore[arg-type]
        policy=policy,
        category=category,
        name=payload.name,
        return_window_days=payload.return_window_days,
        exchange_window_days=payload.exchange_window_days,
        refund_methods=payload.refund_methods,
        fee_on_exchange=payload.fee_on_exchange,
        conditions={code: rule.dict() for code, rule in payload.conditions.items()},
        notes=payload.notes,
    )


@router.get("/returns/units/{unit_id}/evaluation", response=EvaluationOut)
def unit_evaluation(request: HttpRequest, unit_id: int, wish: str, condition: str, on: str = "") -> Any:
    """Return what the policy allows for a unit: return or exchange, in a condition, on a day (today when empty)."""
    unit = _unit(request, unit_id)
    errors = []
    if wish not in ("return", "exchange"):
        errors.append(FieldError(field="wish", reason=_("must be one of return, exchange")))
    if condition not in ReturnCondition.values:
        errors.append(FieldError(field="condition", reason=_("is not a known condition")))
    day = customer_today(unit.customer)
    if on and is_staff_member(request.user):
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            errors.append(FieldError(field="on", reason=_("must be a date like 2025-06-01")))
    if errors:
        raise ValidationFailed(errors=errors)
    return EvaluationOut.of(return_policy_evaluate(unit=unit, on=day, condition=condition, wish=wish))


@router.get("/returns", response=list[ReturnOut])
@paginate(Paged)
def return_list(request: HttpRequest, filters: Query[ReturnFilter]) -> Any:
    if is_staff_member(request.user):
        require_perm(request.user, "warranty.view_returnrequest")
    return selectors_returns.returns_filtered(
        selectors_returns.returns_visible_to(request.user),
        status=filters.status,
        wish=filters.wish,
        customer_id=filters.customer_id,
        unit_id=filters.unit_id,
        text=filters.q,
    )


@router.post("/returns", response={201: ReturnDetailOut})
def return_create(request: HttpRequest, payload: ReturnIn) -> Any:
    """Open a return or exchange (RMA) for a unit; within the policy it is authorised at once."""
    if is_staff_member(request.user):
        require_perm(request.user, "warranty.add_returnrequest")
    unit = _unit(request, payload.unit_id)
    created = services.return_request_open(
        actor=request.user,  # type: ignore[arg-type]
        unit=unit,
        wish=payload.wish,
        condition=payload.condition,
        reason=payload.reason,
        exchange_product=_product(payload.exchange_product_sku, "exchange_product_sku"),
    )
    return 201, created


@router.get("/returns/{return_id}", response=ReturnDetailOut)
def return_get(request: HttpRequest, return_id: int) -> Any:
    return _return(request, return_id)


@router.post("/returns/{return_id}/authorise", response=ReturnDetailOut)
def return_authorise(request: HttpRequest, return_id: int, payload: NoteIn) -> Any:
    _staff_act(request, "warranty.authorise_returnrequest")
    return services.return_request_authorise(actor=request.user, request=_return(request, return_id), note=payload.note)  # type: ignore[arg-type]


@router.post("/returns/{return_id}/reject", response=ReturnDetailOut)
def return_reject(request: HttpRequest, return_id: int, payload: NoteIn) -> Any:
    _staff_act(request, "warranty.authorise_returnrequest")
    return services.return_request_reject(actor=request.user, request=_return(request, return_id), note=payload.note)  # type: ignore[arg-type]


@router.post("/returns/{return_id}/cancel", response=ReturnDetailOut)
def return_cancel(request: HttpRequest, return_id: int, payload: NoteIn) -> Any:
    """Withdraw a return before the goods come back (staff who work returns, or the customer who asked)."""
    found = _return(request, return_id)
    if is_staff_member(request.user):
        require_perm(request.user, "warranty.change_returnrequest")
    return services.return_request_cancel(actor=request.user, request=found, note=payload.note)  # type: ignore[arg-type]


@router.post("/returns/{return_id}/receive", response=ReturnDetailOut)
def return_receive(request: HttpRequest, return_id: int, payload: ReceiveIn) -> Any:
    _staff_act(request, "warranty.change_returnrequest")
    return services.return_request_receive(
        actor=request.user,  # type: ignore[arg-type]
        request=_return(request, return_id),
        note=payload.note,
        logistics_cost=payload.logistics_cost,
    )


@router.post("/returns/{return_id}/inspect", response=ReturnDetailOut)
def return_inspect(request: HttpRequest, return_id: int, payload: InspectIn) -> Any:
    _staff_act(request, "warranty.inspect_returnrequest")
    return services.return_request_inspect(actor=request.user, request=_return(request, return_id), **payload.dict())  # type: ignore[arg-type]


@router.post("/returns/{return_id}/refund", response=ReturnDetailOut)
def return_refund(request: HttpRequest, return_id: int, payload: RefundIn) -> Any:
    """Record the refund (no payment is made): amount, method and the payment's reference."""
    _staff_act(request, "warranty.refund_returnrequest")
    return services.return_request_refund(actor=request.user, request=_return(request, return_id), **payload.dict())  # type: ignore[arg-type]


@router.post("/returns/{return_id}/exchange", response=ReturnDetailOut)
def return_exchange(request: HttpRequest, return_id: int, payload: ExchangeIn) -> Any:
    """Carry out the exchange: a new sale of the new serial, recorded like any other sale."""
    _staff_act(request, "warranty.refund_returnrequest")
    require_perm(request.user, "sales.add_sale")
    return services.return_request_exchange(
        actor=request.user,  # type: ignore[arg-type]
        request=_return(request, return_id),
        new_serial=payload.new_serial,
        product=_product(payload.product_sku, "product_sku"),
        unit_price=payload.unit_price,
        note=payload.note,
    )


@router.post("/returns/{return_id}/close", response=ReturnDetailOut)
def return_close(request: HttpRequest, return_id: int, payload: NoteIn) -> Any:
    _staff_act(request, "warranty.change_returnrequest")
    return services.return_request_close(actor=request.user, request=_return(request, return_id), note=payload.note)  # type: ignore[arg-type]


@router.post("/warranty/units/{unit_id}/replace", response={201: ReplacementOut})
def unit_replace(request: HttpRequest, unit_id: int, payload: ReplaceIn) -> Any:
    """Swap a unit for a new serial; the warranty is carried over or restarted as the product says."""
    require_perm(request.user, "warranty.add_replacement")
    unit = _unit(request, unit_id)
    claim = None
    if payload.claim_id is not None:
        claim = selectors.claims_visible_to(request.user).filter(pk=payload.claim_id).first()
        if claim is None:
            raise ValidationFailed(errors=[FieldError(field="claim_id", reason=_("does not exist"), code="not_found")])
    replacement = services.unit_replace(
        actor=request.user,  # type: ignore[arg-type]
        unit=unit,
        new_serial=payload.new_serial,
        reason=payload.reason,
        claim=claim,
        note=payload.note,
        product=_product(payload.product_sku, "product_sku"),
        unit_cost=payload.unit_cost,
        logistics_cost=payload.logistics_cost,
        covered=payload.covered,
        delivered_at=timezone.now(),
    )
    return 201, replacement


@router.get("/warranty/units/{unit_id}/replacements", response=list[ReplacementOut])
def unit_replacements(request: HttpRequest, unit_id: int) -> Any:
    """Return the replacements a unit took part in, as the replaced or the new unit."""
    require_perm(request.user, "warranty.view_replacement")
    return list(selectors_returns.replacements_of_unit(_unit(request, unit_id)))
