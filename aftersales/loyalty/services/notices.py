"""Telling customers their points are about to lapse."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, IntegerField, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.customers.models import Customer
from aftersales.loyalty.models import PointsAllocation, PointsEntry
from aftersales.loyalty.services.ledger import points_balance, points_value, programme_get
from aftersales.messaging.models import MessageChannel, Purpose
from aftersales.messaging.services import message_enqueue

logger = logging.getLogger(__name__)

EXPIRY_TEMPLATE = "loyalty_points_expiring"
# Customers hear of lapsing points this many days ahead, at most once a month.
NOTICE_DAYS = 30


def points_expiring(
    *, customer_id: int | None = None, today: dt.date | None = None, days: int = NOTICE_DAYS
) -> dict[int, tuple[int, dt.date]]:
    """Return, per customer, the points left on credits lapsing within ``days`` and the first lapsing day."""
    today = today or timezone.localdate()
    used = PointsAllocation.objects.filter(credit=OuterRef("pk")).values("credit").annotate(total=Sum("points")).values("total")
    credits = PointsEntry.objects.filter(points__gt=0, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days))
    if customer_id is not None:
        credits = credits.filter(customer_id=customer_id)
    rows = (
        credits.annotate(left=F("points") - Coalesce(Subquery(used, output_field=IntegerField()), Value(0)))
        .filter(left__gt=0)
        .values("customer_id")
        .annotate(points=Sum("left"), first=Min("expires_on"))
        .values_list("customer_id", "points", "first")
    )
    return {customer: (points, first) for customer, points, first in rows}


def points_expiry_notify(*, today: dt.date | None = None) -> int:
    """Tell each customer whose points lapse within 30 days how many and when, once a month; return how many were told."""
    today = today or timezone.localdate()
    programme = programme_get()
    told = 0
    for customer_id, (points, first) in points_expiring(today=today).items():
        customer = Customer.objects.get(pk=customer_id)
        try:
            message_enqueue(
                actor=None,
                customer=customer,
                template_code=EXPIRY_TEMPLATE,
                channel=MessageChannel.EMAIL,
                context={
                    "points": points,
                    "expires_on": first,
                    "balance": points_balance(customer=customer),
                    "value": points_value(points=points, programme=programme),
                    "currency": programme.currency,
                },
                idempotency_key=f"loyalty_expiring:{customer_id}:{today:%Y-%m}",
                purpose=Purpose.TRANSACTIONAL,
            )
            told += 1
        except Exception:
            logger.exception("Could not warn customer %s of lapsing points", customer_id)
    return told
