"""Refunds: money paid back takes back the points its purchase earned, in proportion, once per return."""

from __future__ import annotations

import logging
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Sum, Value
from django.db.models.functions import Cast, Concat

from aftersales.customers.models import Customer
from aftersales.loyalty.models import EntryKind, PointsEntry
from aftersales.loyalty.services.earning import purchase_key
from aftersales.loyalty.services.ledger import account_lock, points_take_back
from aftersales.sales.models import Sale
from aftersales.warranty.models import ReturnRequest
from aftersales.warranty.selectors_returns import refunded_on_sale

logger = logging.getLogger(__name__)


def refund_key(return_id: int) -> str:
    return f"refund:{return_id}"


def refund_points_take_back(*, return_id: int) -> PointsEntry | None:
    """Take back the points a refunded sale earned on the money paid back, once per return (None: nothing to take).

    A sale refunded in parts gives back, over all its refunds, its points times the share of its total refunded
    (rounded down), so two partial refunds of one sale take back what one refund of both amounts would.
    """
    row = (
        ReturnRequest.objects.filter(pk=return_id, refund_amount__gt=0, unit__sale_line__isnull=False)
        .values("pk", "unit__sale_line__sale_id", "unit__sale_line__sale__total", "unit__sale_line__sale__number")
        .first()
    )
    if row is None:
        return None
    sale_id, total = row["unit__sale_line__sale_id"], row["unit__sale_line__sale__total"]
    earned = PointsEntry.objects.filter(idempotency_key=purchase_key(sale_id), kind=EntryKind.EARN).first()
    if earned is None or not total:
        return None  # the sale earned nothing: nothing to take back
    key = refund_key(return_id)
    with transaction.atomic():
        customer = Customer.objects.get(pk=earned.customer_id)
        # Under the account's lock, so two refunds of one sale see each other's entries.
        account_lock(customer=customer)
        done = PointsEntry.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done
        refunded = Sale.objects.filter(pk=sale_id).values_list(refunded_on_sale(), flat=True).get()
        share = min(refunded, total) / total
        due = int((Decimal(earned.points) * share).to_integral_value(rounding=ROUND_FLOOR))
        taken = -(
            PointsEntry.objects.filter(kind=EntryKind.REFUND, source_ref=f"sale:{sale_id}").aggregate(total=Sum("points"))[
                "total"
            ]
            or 0
        )
        if due - taken <= 0:
            return None
        reference = ReturnRequest(pk=return_id).reference
        return points_take_back(
            customer=customer,
            points=due - taken,
            credit=earned,
            source_ref=f"sale:{sale_id}",
            note=f"{reference} · {row['unit__sale_line__sale__number']}",
            idempotency_key=key,
        )


def refunds_catch_up() -> int:
    """Take back the points of refunded sales that earned points and have no take-back yet; return the entries written."""
    earned = PointsEntry.objects.filter(
        idempotency_key=Concat(Value("purchase:"), Cast(OuterRef("unit__sale_line__sale_id"), output_field=CharField()))
    )
    taken = PointsEntry.objects.filter(idempotency_key=Concat(Value("refund:"), Cast(OuterRef("pk"), output_field=CharField())))
    pending = (
        ReturnRequest.objects.filter(refund_amount__gt=0, unit__sale_line__isnull=False)
        .filter(Exists(earned))
        .exclude(Exists(taken))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    for return_id in list(pending):
        try:
            if refund_points_take_back(return_id=return_id) is not None:
                written += 1
        except Exception:
            logger.exception("Could not take back the points of return %s", return_id)
    return written
