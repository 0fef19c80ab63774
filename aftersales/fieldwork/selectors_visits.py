"""Reads for carrying out visits: a person's day, one visit with everything on it, photos and reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from aftersales.core.models import TimelineEvent
from aftersales.core.permissions import is_staff_member
from aftersales.customers.selectors import customer_for_portal_user
from aftersales.fieldwork.models import (
    ChecklistTemplate,
    VisitPhoto,
    WorkOrder,
    WorkOrderChecklistItem,
    WorkOrderKind,
    WorkOrderStatus,
)
from aftersales.sales.models import Unit

VIEW = "fieldwork.view_workorder"
# A visit shows this many recent events of each unit.
UNIT_HISTORY = 5
# Statuses that put a visit on someone's day: booked, under way, done, or missed.
DAY_STATUSES = (
    WorkOrderStatus.SCHEDULED,
    WorkOrderStatus.CONFIRMED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.COMPLETED,
    WorkOrderStatus.NO_SHOW,
)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def visits_base() -> QuerySet[WorkOrder]:
    """Return work orders with what a visit screen shows about them."""
    return WorkOrder.objects.select_related("customer", "assignee", "report", "follow_up_ticket", "zone").prefetch_related(
        Prefetch("units", queryset=Unit.objects.select_related("product", "product__category").order_by("id"))
    )


def visits_of_day(*, user: Any, day: dt.date) -> list[WorkOrder]:
    """Return the visits assigned to someone on a day (in the current time zone), in time order."""
    start, end = _day_bounds(day)
    return list(
        visits_base()
        .filter(assignee=user, status__in=DAY_STATUSES, scheduled_start__gte=start, scheduled_start__lt=end)
        .order_by("scheduled_start", "id")
    )


def visit_visible(*, user: Any, order_id: int) -> WorkOrder | None:
    """Return a work order for staff who may see work orders, with its checklist, parts, time and photos."""
    if not is_staff_member(user) or not user.has_perm(VIEW):
        return None
    return (
        visits_base()
        .prefetch_related(
            Prefetch("checklist", queryset=WorkOrderChecklistItem.objects.select_related("done_by")),
            "parts_used__part",
            "parts_used__added_by",
            "time_entries__user",
            "photos",
        )
        .filter(pk=order_id)
        .first()
    )


def unit_histories(units: list[Unit], *, limit: int = UNIT_HISTORY) -> dict[int, list[TimelineEvent]]:
    """Return each unit's latest timeline events, newest first."""
    return {
        unit.pk: list(
            TimelineEvent.objects.filter(unit_id=unit.pk).select_related("actor").order_by("-occurred_at", "-id")[:limit]
        )
        for unit in units
    }


def photo_visible(*, user: Any, photo_id: int) -> VisitPhoto | None:
    """Return a visit photo for staff who may see work orders, or for the customer whose visit it was."""
    photos = VisitPhoto.objects.select_related("work_order").filter(pk=photo_id)
    if is_staff_member(user):
        return photos.first() if user.has_perm(VIEW) else None
    customer = customer_for_portal_user(user) if user is not None and user.is_authenticated else None
    if customer is None:
        return None
    return photos.filter(work_order__customer=customer).first()


@dataclass
class ReportForCustomer:
    """A completed visit as its customer reads it in the portal."""

    order: WorkOrder
    parts: list[str] = field(default_factory=list)
    photos: list[VisitPhoto] = field(default_factory=list)


def visit_reports_for_unit(*, unit: Unit, language: str) -> list[ReportForCustomer]:
    """Return the completed visits of a unit with their reports, newest first (the caller checked the owner)."""
    orders = (
        WorkOrder.objects.filter(units=unit, customer_id=unit.customer_id, status=WorkOrderStatus.COMPLETED, report__isnull=False)
        .select_related("report", "follow_up_ticket")
        .prefetch_related("parts_used__part", "photos")
        .order_by("-completed_at", "-id")
    )
    return [
        ReportForCustomer(
            order=order,
            parts=[f"{used.quantity} × {used.part.display_name(language)}" for used in order.parts_used.all()],
            photos=list(order.photos.all()),
        )
        for order in orders
    ]


def checklist_templates_all() -> QuerySet[ChecklistTemplate]:
    """Return every checklist template with its category and steps, by kind and name."""
    return (
        ChecklistTemplate.objects.select_related("category").prefetch_related("items").order_by("kind", "category__name", "name")
    )


def kind_label(kind: str) -> str:
    """Return a work-order kind's label in the active language."""
    return str(WorkOrderKind(kind).label) if kind in WorkOrderKind.values else kind
