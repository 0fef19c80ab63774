"""Replacing a unit with a new serial: the old unit marked replaced, the new one linked, the warranty decided, the cost kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product, ReplacementWarranty
from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.timeline import timeline_record
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Unit, UnitStatus
from aftersales.sales.services import MAX_SERIAL_LENGTH
from aftersales.warranty.coverage import cover_last_day, coverage_on
from aftersales.warranty.models import ClaimStatus, CostKind, CostSource, Replacement, ReplacementReason, WarrantyClaim
from aftersales.warranty.services.costs import cost_record

if TYPE_CHECKING:
    from aftersales.core.models import User

NOTE_MAX = 500


def _amount(raw: Any, field: str, errors: list[FieldError]) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(field=field, reason=_("must be a number")))
        return None
    if not value.is_finite() or value < 0:
        errors.append(FieldError(field=field, reason=_("must not be negative")))
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append(FieldError(field=field, reason=_("has more than two decimals")))
        return None
    return value


REPLACEMENT_TEMPLATE = "unit_replacement"


def _customer_tell(replacement: Replacement, *, actor: User | None) -> None:
    """Tell the customer, in their language, the new serial and how long the new unit is covered."""
    new_unit = replacement.new_unit
    customer = new_unit.customer
    cover = coverage_on(unit=new_unit, on=replacement.replaced_on)
    message_enqueue(
        actor=actor if actor is not None and actor.is_authenticated else None,
        customer=customer,
        unit=new_unit,
        template_code=REPLACEMENT_TEMPLATE,
        channel=MessageChannel.EMAIL,
        context={
            "replacement": {
                "reference": replacement.reference,
                "old_serial": replacement.old_unit.serial,
                "new_serial": new_unit.serial,
                "cover": cover.explain(customer.language),
            }
        },
        idempotency_key=f"{REPLACEMENT_TEMPLATE}:{replacement.pk}",
    )


@transaction.atomic
def unit_replace(
    *,
    actor: User | None,
    unit: Unit,
    new_serial: str,
    reason: str,
    claim: WarrantyClaim | None = None,
    note: str = "",
    product: Product | None = None,
    unit_cost: Decimal | None = None,
    logistics_cost: Decimal | None = None,
    covered: bool = True,
    delivered_at: dt.datetime | None = None,
) -> Replacement:
    """Give the customer a new unit in place of one: its warranty carried over or restarted as the product says, its cost kept."""
    errors: list[FieldError] = []
    serial = (new_serial or "").strip()
    new_product = product or unit.product
    if not serial:
        errors.append(FieldError(field="new_serial", reason=_("is required"), code="required"))
    elif len(serial) > MAX_SERIAL_LENGTH:
        errors.append(
            FieldError(field="new_serial", reason=interpolate(_("is longer than %(limit)s characters"), limit=MAX_SERIAL_LENGTH))
        )
    elif Unit.objects.filter(product=new_product, serial=serial).exists():
        errors.append(
            FieldError(
                field="new_serial",
                reason=interpolate(_("serial %(serial)r is already registered for this product"), serial=serial),
                code="duplicate",
            )
        )
    if reason not in ReplacementReason.values:
        errors.append(FieldError(field="reason", reason=one_of(ReplacementReason.values)))
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        errors.append(FieldError(field="note", reason=interpolate(_("is longer than %(limit)s characters"), limit=NOTE_MAX)))
    cost = _amount(unit_cost, "unit_cost", errors)
    logistics = _amount(logistics_cost, "logistics_cost", errors)
    if delivered_at is not None and delivered_at > timezone.now() + dt.timedelta(minutes=5):
        errors.append(FieldError(field="delivered_at", reason=_("is in the future")))
    if claim is not None:
        if claim.unit_id != unit.pk:
            errors.append(FieldError(field="claim", reason=_("concerns another unit")))
        elif claim.status != ClaimStatus.APPROVED:
            errors.append(FieldError(field="claim", reason=_("is not approved"), code="not_approved"))
        elif Replacement.objects.filter(claim=claim).exists():
            errors.append(FieldError(field="claim", reason=_("already led to a replacement"), code="duplicate"))
    if errors:
        raise ValidationFailed(errors=errors)

    # One replacement at a time per unit: the second finds it replaced.
    unit = (
        Unit.objects.select_for_update(of=("self",))
        .select_related("product", "product__category", "customer", "sale_line__sale")
        .get(pk=unit.pk)
    )
    if unit.status != UnitStatus.IN_SERVICE:
        raise ValidationFailed(errors=[FieldError(field="unit", reason=_("is no longer in service"), code="unit_not_in_service")])
    today = timezone.localdate()
    rule = unit.product.replacement_warranty_rule
    carried_until = cover_last_day(unit) if rule == ReplacementWarranty.CARRY_OVER else None
    if carried_until is None:
        # Nothing to carry over (the old unit's warranty never started): the new unit starts afresh.
        rule = ReplacementWarranty.RESTART
    if cost is None:
        cost = unit.sale_line.unit_price if unit.sale_line_id and unit.sale_line else new_product.list_price  # type: ignore[union-attr]
    unit.status = UnitStatus.REPLACED
    unit.save(update_fields=["status", "updated_at"])
    new_unit = Unit.objects.create(
        product=new_product,
        serial=serial,
        sale_line=unit.sale_line,
        customer=unit.customer,
        delivered_at=delivered_at or timezone.now(),
        replaces=unit,
    )
    replacement = Replacement.objects.create(
        old_unit=unit,
        new_unit=new_unit,
        claim=claim,
        reason=reason,
        note=text,
        warranty_rule=rule,
        replaced_on=today,
        carried_until=carried_until,
        unit_cost=cost,
        logistics_cost=logistics or Decimal("0"),
        performed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    data = {
        "reference": replacement.reference,
        "old_serial": unit.serial,
        "new_serial": serial,
        "reason": reason,
        "warranty": rule,
        "replacement_id": replacement.pk,
        "claim": claim.reference if claim else "",
    }
    timeline_record(customer=unit.customer, unit=unit, kind="unit_replaced", actor=actor, data=data)
    timeline_record(customer=unit.customer, unit=new_unit, kind="unit_replacement", actor=actor, data=data)
    _customer_tell(replacement, actor=actor)
    for kind, amount in ((CostKind.REPLACEMENT_UNIT, cost), (CostKind.LOGISTICS, logistics)):
        if amount:
            cost_record(
                actor=actor,
                source=CostSource.REPLACEMENT,
                kind=kind,
                amount=amount,
                unit=unit,
                source_id=replacement.pk,
                reference=replacement.reference,
                covered=covered,
                idempotency_key=f"replacement:{replacement.pk}:{kind}",
            )
    return replacement
