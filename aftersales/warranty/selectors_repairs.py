"""Reads of repair orders: who sees which, the board, an order's history and the turnaround summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from aftersales.catalog.models import Part
from aftersales.core.business_time import Calendar
from aftersales.core.permissions import is_staff_member
from aftersales.warranty.models import (
    OPEN_REPAIR_STATUSES,
    QuoteChannel,
    RepairEvent,
    RepairEventKind,
    RepairLine,
    RepairOrder,
    RepairStatus,
)
from aftersales.warranty.services.repairs import working_calendar, working_hours_between

# How far back the board's turnaround summary looks.
SUMMARY_DAYS = 30


def repairs_visible_to(user: Any) -> QuerySet[RepairOrder]:
    """Return the repair orders a user may see: all for staff with the permission, their own for a customer."""
    base = RepairOrder.objects.select_related("unit", "unit__product", "customer", "claim", "repeat_of")
    if is_staff_member(user) and user.has_perm("warranty.view_repairorder"):
        return base
    if user is not None and user.is_authenticated and user.is_active and not user.is_staff:
        return base.filter(customer__user=user)
    return base.none()


def repairs_filtered(
    queryset: QuerySet[RepairOrder],
    *,
    status: str = "",
    customer_id: int | None = None,
    unit_id: int | None = None,
    repeat: bool | None = None,
    text: str = "",
) -> QuerySet[RepairOrder]:
    """Return repair orders narrowed by status, customer, unit, the repeat flag and a search."""
    if status:
        queryset = queryset.filter(status=status)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if unit_id:
        queryset = queryset.filter(unit_id=unit_id)
    if repeat is not None:
        queryset = queryset.filter(repeat_of__isnull=not repeat)
    text = text.strip()
    if text:
        condition = Q(unit__serial__iexact=text) | Q(customer__name__icontains=text) | Q(customer__email__iexact=text)
        number = text.upper().removeprefix("RO-").lstrip("0")
        if number.isdigit():
            condition |= Q(pk=int(number))
        queryset = queryset.filter(condition)
    return queryset


def repair_lines(order: RepairOrder) -> QuerySet[RepairLine]:
    """Return an order's lines still on it, in the order they were added."""
    return order.lines.filter(removed_at__isnull=True).select_related("part").order_by("id")


def repair_history(order: RepairOrder) -> QuerySet[RepairEvent]:
    """Return an order's events, oldest first, with who did each."""
    return order.events.select_related("actor").order_by("at", "id")


def repair_event_describe(event: RepairEvent) -> str:
    """Return a repair event as a short phrase in the active language."""
    label = str(RepairEventKind(event.kind).label) if event.kind in RepairEventKind.values else event.kind
    data = event.data or {}
    if event.kind == RepairEventKind.STATUS and data.get("to") in RepairStatus.values:
        text = f"{label}: {RepairStatus(data['to']).label}"
        return f"{text} — {data['note']}" if data.get("note") else text
    if event.kind in (RepairEventKind.LINE_ADDED, RepairEventKind.LINE_REMOVED):
        return f"{label}: {data.get('description', '')}"
    if event.kind in (RepairEventKind.QUOTE_APPROVED, RepairEventKind.QUOTE_DECLINED) and data.get("via") in QuoteChannel.values:
        return f"{label} ({QuoteChannel(data['via']).label})"
    if event.kind == RepairEventKind.QUOTE_SENT:
        return f"{label}: {data.get('total', '')}"
    return label


def repair_history_described(order: RepairOrder) -> list[tuple[RepairEvent, str]]:
    """Return an order's events, oldest first, each with its phrase in the active language."""
    return [(event, repair_event_describe(event)) for event in repair_history(order)]


def repair_age_hours(order: RepairOrder, now: dt.datetime | None = None, calendar: Calendar | None = None) -> Decimal:
    """Return the working hours an order has taken so far, or its turnaround once returned."""
    if order.turnaround_hours is not None:
        return order.turnaround_hours
    return working_hours_between(order.received_at, now or timezone.now(), calendar)


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    orders: list[RepairOrder]


def repair_board(user: Any, *, text: str = "") -> list[BoardColumn]:
    """Return the open repair orders grouped by status, oldest first, each with its age in working hours."""
    orders = repairs_filtered(repairs_visible_to(user).filter(status__in=OPEN_REPAIR_STATUSES), text=text)
    orders = orders.prefetch_related("quotes").order_by("received_at", "id")
    now = timezone.now()
    calendar = working_calendar()
    columns: dict[str, BoardColumn] = {
        status: BoardColumn(status, str(RepairStatus(status).label), []) for status in OPEN_REPAIR_STATUSES
    }
    for order in orders[:500]:
        order.age_hours = repair_age_hours(order, now, calendar)  # type: ignore[attr-defined]
        # Cancelling is done from the order's page, where the consequences are shown.
        order.moves = [  # type: ignore[attr-defined]
            (status, str(RepairStatus(status).label)) for status in order.next_statuses() if status != RepairStatus.CANCELLED
        ]
        columns[order.status].orders.append(order)
    return list(columns.values())


@dataclass(frozen=True)
class TurnaroundSummary:
    returned: int
    average_hours: Decimal | None
    repeats: int
    open: int


def turnaround_summary(*, days: int = SUMMARY_DAYS) -> TurnaroundSummary:
    """Return how many repairs went back in the last days, their average turnaround in working hours, and repeats."""
    since = timezone.now() - dt.timedelta(days=days)
    returned = RepairOrder.objects.filter(status=RepairStatus.RETURNED, returned_at__gte=since)
    figures = returned.aggregate(count=Count("id"), average=Avg("turnaround_hours"))
    average = figures["average"]
    return TurnaroundSummary(
        returned=figures["count"],
        average_hours=Decimal(average).quantize(Decimal("0.1")) if average is not None else None,
        repeats=RepairOrder.objects.filter(received_at__gte=since, repeat_of__isnull=False).count(),
        open=RepairOrder.objects.filter(status__in=OPEN_REPAIR_STATUSES).count(),
    )


def parts_catalogue(*, text: str = "", low_only: bool = False) -> QuerySet[Part]:
    """Return the parts in use, with a search on number or name; ``low_only`` keeps those at or below their reorder level."""
    parts = Part.objects.filter(is_active=True).order_by("name")
    text = text.strip()
    if text:
        parts = parts.filter(Q(sku__iexact=text) | Q(name__icontains=text) | Q(name_es__icontains=text))
    if low_only:
        parts = parts.filter(stock_on_hand__lte=F("reorder_level"))
    return parts


def repeat_window_days() -> int:
    """Return the repeat-repair window in days (a setting)."""
    return int(settings.REPAIR_REPEAT_DAYS)
