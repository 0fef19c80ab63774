"""Every write of returns and exchanges: the policies, and a return request (RMA) from its opening to its closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.catalog.models import Category, Product
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.timeline import timeline_record
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Sale, SaleChannel, Unit, UnitStatus
from aftersales.sales.services import sale_create, unit_set_status
from aftersales.warranty.models import (
    CostKind,
    CostSource,
    RefundMethod,
    ReturnCondition,
    ReturnEvent,
    ReturnPolicy,
    ReturnPolicyCondition,
    ReturnRequest,
    ReturnStatus,
    ReturnWish,
)
from aftersales.warranty.policies import (
    DEFAULT_CONDITION_RULES,
    DEFAULT_REFUND_METHODS,
    PolicyEvaluation,
    customer_today,
    evaluation_explain,
    money_in_words,
    return_policy_evaluate,
)
from aftersales.warranty.services.costs import cost_record
from aftersales.warranty.signals import return_refunded

if TYPE_CHECKING:
    from aftersales.core.models import User

REASON_MAX = 2000
NOTE_MAX = 2000
WINDOW_MAX_DAYS = 365
TEMPLATE_CODE = "return_request_update"
# The statuses a customer hears about, each once.
NOTIFIED_STATUSES = (
    ReturnStatus.AUTHORISED,
    ReturnStatus.REJECTED,
    ReturnStatus.RECEIVED,
    ReturnStatus.REFUNDED,
    ReturnStatus.EXCHANGED,
)


def _who(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _fail(field: str, reason: Any, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=reason, code=code)])


def _money(raw: Any, field: str, errors: list[FieldError], *, required: bool = True) -> Decimal | None:
    if raw is None or raw == "":
        if required:
            errors.append(FieldError(field=field, reason=_("is required"), code="required"))
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(field=field, reason=_("must be a number")))
        return None
    if not value.is_finite():
        errors.append(FieldError(field=field, reason=_("must be a number")))
        return None
    if value < 0:
        errors.append(FieldError(field=field, reason=_("must not be negative")))
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append(FieldError(field=field, reason=_("has more than two decimals")))
        return None
    return value


# --- Policies ------------------------------------------------------------------------------------


def return_policy_defaults_create() -> ReturnPolicy:
    """Create the default return policy with the standard rules, unless one exists."""
    with transaction.atomic():
        policy, created = ReturnPolicy.objects.get_or_create(
            is_default=True,
            defaults={"name": str(_("Standard returns")), "refund_methods": [str(code) for code in DEFAULT_REFUND_METHODS]},
        )
        if created:
            ReturnPolicyCondition.objects.bulk_create(
                ReturnPolicyCondition(
                    policy=policy,
                    condition=condition,
                    accepts_return=rule.accepts_return,
                    accepts_exchange=rule.accepts_exchange,
                    fee_percent=rule.fee_percent,
                    fee_flat=rule.fee_flat,
                )
                for condition, rule in DEFAULT_CONDITION_RULES.items()
            )
    return policy


@transaction.atomic
def return_policy_save(
    *,
    actor: User | None,
    policy: ReturnPolicy | None = None,
    category: Category | None = None,
    name: str,
    name_es: str = "",
    return_window_days: Any,
    exchange_window_days: Any,
    refund_methods: Sequence[str],
    conditions: Mapping[str, Mapping[str, Any]],
    fee_on_exchange: bool = False,
    notes: str = "",
) -> ReturnPolicy:
    """Create or change a return policy: a category's own, or the default; every condition's rule with it."""
    errors: list[FieldError] = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldError(field="name", reason=_("is required"), code="required"))
    elif len(name) > 120:
        errors.append(FieldError(field="name", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
    name_es = (name_es or "").strip()
    if len(name_es) > 120:
        errors.append(FieldError(field="name_es", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
    windows: dict[str, int] = {}
    for field, raw in (("return_window_days", return_window_days), ("exchange_window_days", exchange_window_days)):
        try:
            days = int(str(raw).strip())
        except (TypeError, ValueError):
            errors.append(FieldError(field=field, reason=_("must be a whole number of days")))
            continue
        if not 0 <= days <= WINDOW_MAX_DAYS:
            errors.append(
                FieldError(field=field, reason=interpolate(_("must be from 0 to %(limit)s days"), limit=WINDOW_MAX_DAYS))
            )
        windows[field] = days
    methods = list(dict.fromkeys(str(code) for code in refund_methods or []))
    if not methods:
        errors.append(FieldError(field="refund_methods", reason=_("choose at least one refund method"), code="required"))
    elif any(code not in RefundMethod.values for code in methods):
        errors.append(FieldError(field="refund_methods", reason=one_of(RefundMethod.values)))
    if policy is None and category is None:
        errors.append(FieldError(field="category", reason=_("is required for a new policy"), code="required"))
    if category is not None and (policy is None or policy.category_id != category.pk):
        taken = ReturnPolicy.objects.filter(category=category)
        if policy is not None:
            taken = taken.exclude(pk=policy.pk)
        if taken.exists():
            errors.append(FieldError(field="category", reason=_("already has its own policy"), code="duplicate"))
        if policy is not None and policy.is_default:
            errors.append(FieldError(field="category", reason=_("the default policy belongs to no category")))
    clean_conditions: dict[str, dict[str, Any]] = {}
    for condition, raw_rule in (conditions or {}).items():
        prefix = f"conditions.{condition}"
        if condition not in ReturnCondition.values:
            errors.append(FieldError(field="conditions", reason=one_of(ReturnCondition.values)))
            continue
        percent = _money(raw_rule.get("fee_percent", 0), f"{prefix}.fee_percent", errors)
        if percent is not None and percent > 100:
            errors.append(FieldError(field=f"{prefix}.fee_percent", reason=_("must be from 0 to 100")))
        flat = _money(raw_rule.get("fee_flat", 0), f"{prefix}.fee_flat", errors)
        clean_conditions[condition] = {
            "accepts_return": bool(raw_rule.get("accepts_return", False)),
            "accepts_exchange": bool(raw_rule.get("accepts_exchange", False)),
            "fee_percent": percent or Decimal("0"),
            "fee_flat": flat or Decimal("0"),
        }
    if len(notes or "") > NOTE_MAX:
        errors.append(FieldError(field="notes", reason=interpolate(_("is longer than %(limit)s characters"), limit=NOTE_MAX)))
    if errors:
        raise ValidationFailed(errors=errors)

    if policy is None:
        policy = ReturnPolicy(category=category, is_default=False)
    elif category is not None and not policy.is_default:
        policy.category = category
    policy.name = name
    policy.name_es = name_es
    policy.return_window_days = windows["return_window_days"]
    policy.exchange_window_days = windows["exchange_window_days"]
    policy.refund_methods = methods
    policy.fee_on_exchange = bool(fee_on_exchange)
    policy.notes = (notes or "").strip()
    policy.save()
    for condition, values in clean_conditions.items():
        ReturnPolicyCondition.objects.update_or_create(policy=policy, condition=condition, defaults=values)
    return policy


# --- Return requests -----------------------------------------------------------------------------


def _event(
    request: ReturnRequest, kind: str, *, actor: Any, previous: str = "", comment: str = "", data: dict[str, Any] | None = None
) -> ReturnEvent:
    return ReturnEvent.objects.create(
        request=request,
        kind=kind,
        status_from=previous,
        status_to=request.status,
        comment=comment,
        data=data or {},
        actor=_who(actor),
    )


def _timeline_status(request: ReturnRequest, *, actor: Any) -> None:
    timeline_record(
        customer=request.customer,
        unit=request.unit,
        kind="return_status",
        actor=actor,
        data={"reference": request.reference, "status": request.status, "return_id": request.pk},
    )


def _customer_notify(request: ReturnRequest, *, actor: Any) -> None:
    if request.status not in NOTIFIED_STATUSES:
        return
    customer = request.customer
    with translation.override(customer.language):
        refund = money_in_words(request.refund_amount, request.currency) if request.refund_amount is not None else ""
        context = {
            "rma": {
                "reference": request.reference,
                "status": request.status,
                "status_label": str(ReturnStatus(request.status).label),
                "wish": request.wish,
                "wish_label": str(ReturnWish(request.wish).label),
                "explanation": evaluation_explain(request.evaluation, customer.language),
                "note": request.decision_note,
                "refund_amount": refund,
                "refund_method": str(RefundMethod(request.refund_method).label) if request.refund_method else "",
                "refund_reference": request.refund_reference,
                "exchange_sale": request.exchange_sale.number if request.exchange_sale_id else "",  # type: ignore[union-attr]
            }
        }
    message_enqueue(
        actor=_who(actor),
        customer=customer,
        unit=request.unit,
        template_code=TEMPLATE_CODE,
        channel=MessageChannel.EMAIL,
        context=context,
        idempotency_key=f"{TEMPLATE_CODE}:{request.pk}:{request.status}",
    )


def _move(
    request: ReturnRequest, to: str, *, actor: Any, kind: str, comment: str = "", data: dict[str, Any] | None = None
) -> None:
    previous = request.status
    request.status = to
    request.save()
    _event(request, kind, actor=actor, previous=previous, comment=comment, data=data)
    _timeline_status(request, actor=actor)
    _customer_notify(request, actor=actor)


def _lock(request: ReturnRequest) -> ReturnRequest:
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related(
            "unit", "unit__product", "unit__product__category", "customer", "unit__sale_line__sale", "exchange_product"
        )
        .get(pk=request.pk)
    )


def _require(request: ReturnRequest, *allowed: str, action: Any) -> None:
    if request.status not in allowed:
        raise Conflict(
            interpolate(
                _("%(reference)s is %(status)s: it cannot be %(action)s now."),
                reference=request.reference,
                status=ReturnStatus(request.status).label,
                action=action,
            )
        )


def _note(text: str, field: str = "note", *, required: bool = False) -> str:
    clean = (text or "").strip()
    if required and not clean:
        raise _fail(field, _("is required: say why"), "required")
    if len(clean) > NOTE_MAX:
        raise _fail(field, interpolate(_("is longer than %(limit)s characters"), limit=NOTE_MAX))
    return clean


@transaction.atomic
def return_request_open(
    *,
    actor: User | None,
    unit: Unit,
    wish: str,
    condition: str,
    reason: str = "",
    exchange_product: Product | None = None,
    on: dt.date | None = None,
) -> ReturnRequest:
    """Open a return or exchange (RMA) for a unit; within the policy it is authorised at once, otherwise staff decide."""
    errors: list[FieldError] = []
    if wish not in ReturnWish.values:
        errors.append(FieldError(field="wish", reason=one_of(ReturnWish.values)))
    if condition not in ReturnCondition.values:
        errors.append(FieldError(field="condition", reason=one_of(ReturnCondition.values)))
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        errors.append(FieldError(field="reason", reason=interpolate(_("is longer than %(limit)s characters"), limit=REASON_MAX)))
    if exchange_product is not None and wish != ReturnWish.EXCHANGE:
        errors.append(FieldError(field="exchange_product", reason=_("is only for an exchange")))
    elif exchange_product is not None and not exchange_product.is_active:
        errors.append(FieldError(field="exchange_product", reason=_("is no longer on sale")))
    if errors:
        raise ValidationFailed(errors=errors)
    # One request at a time per unit, so two submissions cannot both find no open return.
    unit = (
        Unit.objects.select_for_update(of=("self",))
        .select_related("product", "product__category", "customer", "sale_line__sale")
        .get(pk=unit.pk)
    )
    day = on or customer_today(unit.customer)
    evaluation = return_policy_evaluate(unit=unit, on=day, condition=condition, wish=wish)
    blocking = {reason.code for reason in evaluation.reasons}
    if unit.status != UnitStatus.IN_SERVICE:
        raise _fail("unit", _("is no longer in service: it cannot be returned"), "unit_not_in_service")
    if "already_open" in blocking:
        raise _fail("unit", _("already has an open return"), "already_open")
    request = ReturnRequest.objects.create(
        unit=unit,
        customer=unit.customer,
        wish=wish,
        condition=condition,
        reason=text,
        requested_on=day,
        evaluation=evaluation.as_dict(),
        within_policy=evaluation.allowed,
        currency=evaluation.currency,
        price=evaluation.price,
        restocking_fee=evaluation.fee,
        exchange_product=exchange_product if wish == ReturnWish.EXCHANGE else None,
        opened_by=_who(actor),
    )
    _event(request, "opened", actor=actor, data={"wish": wish, "condition": condition, "within_policy": evaluation.allowed})
    timeline_record(
        customer=request.customer,
        unit=unit,
        kind="return_requested",
        actor=actor,
        data={"reference": request.reference, "wish": wish, "condition": condition, "return_id": request.pk},
    )
    if evaluation.allowed:
        # The policy is the decision: a request within it needs nobody's approval.
        _move(
            request,
            ReturnStatus.AUTHORISED,
            actor=None,
            kind="authorised",
            comment=str(_("Within the return policy.")),
        )
    return request


def return_evaluation_for(request: ReturnRequest) -> PolicyEvaluation:
    """Return the policy's answer for a request again (its day and stated condition), for screens."""
    return return_policy_evaluate(
        unit=request.unit, on=request.requested_on, condition=request.condition, wish=request.wish, ignore_request=request
    )


@transaction.atomic
def return_request_authorise(*, actor: User, request: ReturnRequest, note: str = "") -> ReturnRequest:
    """Authorise a return the policy did not allow by itself (goodwill, a late request with a good reason)."""
    request = _lock(request)
    _require(request, ReturnStatus.REQUESTED, action=pgettext_lazy("return action", "authorised"))
    request.decision_note = _note(note)
    _move(request, ReturnStatus.AUTHORISED, actor=actor, kind="authorised", comment=request.decision_note)
    return request


@transaction.atomic
def return_request_reject(*, actor: User, request: ReturnRequest, note: str) -> ReturnRequest:
    """Refuse a return before the goods come back, saying why."""
    request = _lock(request)
    text = _note(note, required=True)
    _require(request, ReturnStatus.REQUESTED, ReturnStatus.AUTHORISED, action=pgettext_lazy("return action", "rejected"))
    request.decision_note = text
    _move(request, ReturnStatus.REJECTED, actor=actor, kind="rejected", comment=text)
    return request


@transaction.atomic
def return_request_cancel(*, actor: User, request: ReturnRequest, note: str = "") -> ReturnRequest:
    """Withdraw a return before the goods come back (the customer or staff)."""
    request = _lock(request)
    text = _note(note)
    _require(request, ReturnStatus.REQUESTED, ReturnStatus.AUTHORISED, action=pgettext_lazy("return action", "cancelled"))
    _move(request, ReturnStatus.CANCELLED, actor=actor, kind="cancelled", comment=text)
    return request


@transaction.atomic
def return_request_receive(
    *, actor: User, request: ReturnRequest, note: str = "", logistics_cost: Decimal | None = None
) -> ReturnRequest:
    """Record that the goods are back, with what collecting them cost."""
    request = _lock(request)
    text = _note(note)
    errors: list[FieldError] = []
    cost = _money(logistics_cost, "logistics_cost", errors, required=False)
    if errors:
        raise ValidationFailed(errors=errors)
    _require(request, ReturnStatus.AUTHORISED, action=pgettext_lazy("return action", "received"))
    request.received_at = timezone.now()
    _move(request, ReturnStatus.RECEIVED, actor=actor, kind="received", comment=text)
    if cost:
        cost_record(
            actor=actor,
            source=CostSource.RETURN,
            kind=CostKind.LOGISTICS,
            amount=cost,
            unit=request.unit,
            source_id=request.pk,
            reference=request.reference,
            currency=request.currency,
            note=str(_("Collection of the returned goods")),
            idempotency_key=f"return:{request.pk}:logistics",
        )
    return request


@transaction.atomic
def return_request_inspect(
    *, actor: User, request: ReturnRequest, condition_found: str, accept: bool, notes: str = ""
) -> ReturnRequest:
    """Record the goods-received inspection: the condition found, and whether the return is accepted (why not, when not)."""
    request = _lock(request)
    if condition_found not in ReturnCondition.values:
        raise _fail("condition_found", one_of(ReturnCondition.values))
    text = _note(notes, "notes", required=not accept)
    _require(request, ReturnStatus.RECEIVED, action=pgettext_lazy("return action", "inspected"))
    # The fee follows what was found, judged on the day the customer asked.
    found = return_policy_evaluate(
        unit=request.unit, on=request.requested_on, condition=condition_found, wish=request.wish, ignore_request=request
    )
    request.condition_found = condition_found
    request.inspection_notes = text
    request.inspected_at = timezone.now()
    data = {"condition_found": condition_found, "accepted": bool(accept)}
    if accept:
        request.restocking_fee = found.fee
        data["restocking_fee"] = str(found.fee)
        _move(request, ReturnStatus.INSPECTED, actor=actor, kind="inspected", comment=text, data=data)
    else:
        request.decision_note = text
        _move(request, ReturnStatus.REJECTED, actor=actor, kind="inspected", comment=text, data=data)
    return request


@transaction.atomic
def return_request_refund(
    *,
    actor: User,
    request: ReturnRequest,
    method: str,
    reference: str = "",
    amount: Decimal | None = None,
    note: str = "",
) -> ReturnRequest:
    """Record the refund of an inspected return (amount, method, reference; no payment is made here) and its cost, once."""
    request = _lock(request)
    errors: list[FieldError] = []
    if method not in RefundMethod.values:
        errors.append(FieldError(field="method", reason=one_of(RefundMethod.values)))
    value = request.expected_refund if amount is None or amount == "" else _money(amount, "amount", errors)
    if value is not None and value > request.price:
        errors.append(
            FieldError(
                field="amount",
                reason=interpolate(
                    _("must not exceed the price paid (%(price)s)"), price=money_in_words(request.price, request.currency)
                ),
            )
        )
    clean_reference = (reference or "").strip()
    if len(clean_reference) > 100:
        errors.append(FieldError(field="reference", reason=interpolate(_("is longer than %(limit)s characters"), limit=100)))
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        errors.append(FieldError(field="note", reason=interpolate(_("is longer than %(limit)s characters"), limit=NOTE_MAX)))
    if errors:
        raise ValidationFailed(errors=errors)
    _require(request, ReturnStatus.INSPECTED, action=pgettext_lazy("return action", "refunded"))
    assert value is not None
    request.refund_amount = value
    request.refund_method = method
    request.refund_reference = clean_reference
    request.refunded_at = timezone.now()
    unit_set_status(actor=actor, unit=request.unit, status=UnitStatus.RETURNED)
    _move(
        request,
        ReturnStatus.REFUNDED,
        actor=actor,
        kind="refunded",
        comment=text,
        data={"amount": str(value), "method": method, "reference": clean_reference},
    )
    timeline_record(
        customer=request.customer,
        unit=request.unit,
        kind="return_refunded",
        actor=actor,
        data={
            "reference": request.reference,
            "amount": f"{value} {request.currency}",
            "method": method,
            "return_id": request.pk,
        },
    )
    if value > 0:
        cost_record(
            actor=actor,
            source=CostSource.RETURN,
            kind=CostKind.REFUND,
            amount=value,
            unit=request.unit,
            source_id=request.pk,
            reference=request.reference,
            currency=request.currency,
            idempotency_key=f"return:{request.pk}:refund",
        )
    return_id, customer_id = request.pk, request.customer_id
    transaction.on_commit(lambda: return_refunded.send(sender=ReturnRequest, return_id=return_id, customer_id=customer_id))
    return request


def _exchange_number(request: ReturnRequest) -> str:
    base = f"{request.reference}-X"
    number, attempt = base, 1
    while Sale.objects.filter(number=number).exists():
        attempt += 1
        number = f"{base}{attempt}"
    return number


@transaction.atomic
def return_request_exchange(
    *,
    actor: User,
    request: ReturnRequest,
    new_serial: str,
    product: Product | None = None,
    unit_price: Decimal | None = None,
    delivered_at: dt.datetime | None = None,
    note: str = "",
) -> ReturnRequest:
    """Carry out an inspected exchange: a new sale of the new unit, recorded like any sale, and the old unit returned."""
    request = _lock(request)
    text = _note(note)
    _require(request, ReturnStatus.INSPECTED, action=pgettext_lazy("return action", "exchanged"))
    old_unit = request.unit
    new_product = product or request.exchange_product or old_unit.product
    errors: list[FieldError] = []
    if not new_product.is_active:
        errors.append(FieldError(field="product", reason=_("is no longer on sale")))
    price = request.price if unit_price is None or unit_price == "" else _money(unit_price, "unit_price", errors)
    if errors:
        raise ValidationFailed(errors=errors)
    original_sale = old_unit.sale_line.sale if old_unit.sale_line_id else None  # type: ignore[union-attr]
    # The same hooks as any sale (timeline, follow-up playbooks, warranty terms): it is one.
    sale = sale_create(
        actor=actor,
        customer=request.customer,
        number=_exchange_number(request),
        sold_on=timezone.localdate(),
        channel=original_sale.channel if original_sale else SaleChannel.STORE,
        sales_rep=original_sale.sales_rep if original_sale and original_sale.sales_rep_id else None,
        receipt_number=request.reference,
        lines=[{"sku": new_product.sku, "quantity": 1, "unit_price": price, "serials": [new_serial]}],
        delivered_at=delivered_at,
    )
    unit_set_status(actor=actor, unit=old_unit, status=UnitStatus.RETURNED)
    request.exchange_sale = sale
    _move(
        request,
        ReturnStatus.EXCHANGED,
        actor=actor,
        kind="exchanged",
        comment=text,
        data={"sale": sale.number, "serial": (new_serial or "").strip(), "product": new_product.sku},
    )
    timeline_record(
        customer=request.customer,
        unit=old_unit,
        kind="return_exchanged",
        actor=actor,
        data={"reference": request.reference, "sale": sale.number, "serial": (new_serial or "").strip(), "return_id": request.pk},
    )
    return request


@transaction.atomic
def return_request_close(*, actor: User, request: ReturnRequest, note: str = "") -> ReturnRequest:
    """Close a return with nothing more to do (refunded, exchanged or rejected)."""
    request = _lock(request)
    text = _note(note)
    closable = (ReturnStatus.REFUNDED, ReturnStatus.EXCHANGED, ReturnStatus.REJECTED)
    _require(request, *closable, action=pgettext_lazy("return action", "closed"))
    _move(request, ReturnStatus.CLOSED, actor=actor, kind="closed", comment=text)
    return request
