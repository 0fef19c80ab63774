"""Visits proposed after a sale: installation of units that need it, and a delivery visit for big sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from aftersales.fieldwork.models import WorkOrder, WorkOrderKind
from aftersales.fieldwork.services.orders import work_order_create
from aftersales.sales.models import Sale, Unit, UnitStatus

INSTALLATION_DURATION_MINUTES = 120
DELIVERY_DURATION_MINUTES = 60


def delivery_visit_min_total() -> Decimal | None:
    """Return the sale total from which a delivery visit is proposed, or None when switched off."""
    raw = str(getattr(settings, "FIELDWORK_DELIVERY_VISIT_MIN_TOTAL", "") or "").strip()
    try:
        value = Decimal(raw) if raw else None
    except InvalidOperation:
        return None
    return value if value is not None and value > 0 else None


def after_sale_since(today: dt.date | None = None) -> dt.date | None:
    """Return the first sale day proposals are made for (older history is left alone), or None when switched off."""
    days = int(getattr(settings, "FIELDWORK_AFTER_SALE_WINDOW_DAYS", 14))
    if days <= 0:
        return None
    return (today or timezone.localdate()) - dt.timedelta(days=days - 1)


def _origin(prefix: str) -> Concat:
    return Concat(Value(prefix), Cast(OuterRef("pk"), CharField()), output_field=CharField())


def after_sale_propose(*, today: dt.date | None = None, limit: int = 500) -> dict[str, int]:
    """Propose one installation per recently sold, not yet installed unit that needs it, and one delivery visit per big sale.

    Set-based: recorded and imported sales count alike, and a unit or sale that already has its proposal
    (by origin key) is skipped, so running again proposes nothing twice.
    """
    since = after_sale_since(today)
    counts = {"installations": 0, "deliveries": 0}
    if since is None:
        return counts
    proposed = WorkOrder.objects.filter(origin_key=_origin("installation:unit:"))
    units = (
        Unit.objects.filter(
            product__needs_installation=True,
            installed_at__isnull=True,
            status=UnitStatus.IN_SERVICE,
            sale_line__sale__sold_on__gte=since,
        )
        .exclude(Exists(proposed))
        .select_related("customer", "sale_line__sale")
        .order_by("pk")[:limit]
    )
    for unit in units:
        assert unit.sale_line is not None
        work_order_create(
            actor=None,
            kind=WorkOrderKind.INSTALLATION,
            customer=unit.customer,
            units=[unit],
            sale=unit.sale_line.sale if unit.sale_line.sale.customer_id == unit.customer_id else None,
            duration_minutes=INSTALLATION_DURATION_MINUTES,
            origin_key=f"installation:unit:{unit.pk}",
        )
        counts["installations"] += 1
    minimum = delivery_visit_min_total()
    if minimum is None:
        return counts
    delivered = WorkOrder.objects.filter(origin_key=_origin("delivery:sale:"))
    sales = (
        Sale.objects.filter(total__gte=minimum, sold_on__gte=since, sales_rep__isnull=False, sales_rep__is_active=True)
        .exclude(Exists(delivered))
        .select_related("customer", "sales_rep")
        .order_by("pk")[:limit]
    )
    for sale in sales:
        order = work_order_create(
            actor=None,
            kind=WorkOrderKind.DELIVERY,
            customer=sale.customer,
            units=Unit.objects.filter(sale_line__sale=sale, customer=sale.customer),
            sale=sale,
            duration_minutes=DELIVERY_DURATION_MINUTES,
            origin_key=f"delivery:sale:{sale.pk}",
        )
        # The selling rep leads the delivery visit: the proposal is theirs before it has a date.
        if order.assignee_id is None:
            WorkOrder.objects.filter(pk=order.pk).update(assignee=sale.sales_rep)
        counts["deliveries"] += 1
    return counts
