"""Writes to the cost-of-after-sales ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.sales.models import Unit
from aftersales.warranty.models import CostEntry, CostKind, CostSource

if TYPE_CHECKING:
    from aftersales.catalog.models import Product
    from aftersales.core.models import User

COST_NOTE_MAX = 300
COST_AMOUNT_LIMIT = Decimal("9999999999.99")


def cost_record(
    *,
    actor: User | None,
    source: str,
    kind: str,
    amount: Decimal,
    product: Product | None = None,
    unit: Unit | None = None,
    source_id: int | None = None,
    reference: str = "",
    covered: bool = True,
    currency: str = "EUR",
    incurred_on: dt.date | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> CostEntry:
    """Record one cost of after-sales against a product (and unit); the same key records it once."""
    if idempotency_key:
        existing = CostEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    errors: list[FieldError] = []
    if source not in CostSource.values:
        errors.append(FieldError("source", one_of(CostSource.values), code="invalid_choice"))
    if kind not in CostKind.values:
        errors.append(FieldError("kind", one_of(CostKind.values), code="invalid_choice"))
    if not isinstance(amount, Decimal) or not amount.is_finite():
        errors.append(FieldError("amount", _("Enter a number."), code="invalid"))
    elif amount == 0:
        errors.append(FieldError("amount", _("A cost of zero is not recorded."), code="zero"))
    elif abs(amount) > COST_AMOUNT_LIMIT or amount != amount.quantize(Decimal("0.01")):
        errors.append(FieldError("amount", _("Use at most two decimals and ten digits."), code="invalid"))
    if product is None and unit is None:
        errors.append(FieldError("product", _("Say which product or unit the cost is for."), code="required"))
    if len(note) > COST_NOTE_MAX:
        errors.append(FieldError("note", interpolate(_("Keep it under %(max)s characters."), max=COST_NOTE_MAX), code="too_long"))
    if errors:
        raise ValidationFailed(errors=errors)
    try:
        with transaction.atomic():
            entry: CostEntry = CostEntry.objects.create(
                source=source,
                source_id=source_id,
                reference=reference[:40],
                kind=kind,
                amount=amount,
                currency=currency,
                covered=covered,
                product=product if product is not None else unit.product,  # type: ignore[union-attr]
                unit=unit,
                customer_id=unit.customer_id if unit is not None else None,
                incurred_on=incurred_on or timezone.localdate(),
                note=note,
                idempotency_key=idempotency_key or None,
                recorded_by=actor,
            )
        return entry
    except IntegrityError:
        # A concurrent request with the same key won the race: return its entry.
        if idempotency_key:
            return CostEntry.objects.get(idempotency_key=idempotency_key)
        raise
