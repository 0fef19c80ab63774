"""Reads of field service: who sees which work orders, the dispatcher board, technicians and their warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from aftersales.core.models import User
from aftersales.core.permissions import is_staff_member
from aftersales.fieldwork.models import (
    BOOKED_STATUSES,
    Certification,
    Technician,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderStatus,
)
from aftersales.fieldwork.slots import day_bounds, local_day

SCHEDULE = "fieldwork.schedule_workorder"
# Certifications expiring within this many days are flagged on the technician screens.
EXPIRY_WARNING_DAYS = 30
# Statuses of work that still needs a date.
TO_SCHEDULE = (WorkOrderStatus.PROPOSED, WorkOrderStatus.NO_SHOW)


def work_orders_visible_to(user: Any) -> QuerySet[WorkOrder]:
    """Return the work orders a user may see: all for schedulers, their own for other staff, theirs for a customer."""
    base = WorkOrder.objects.select_related("customer", "assignee", "zone", "sale", "ticket")
    if is_staff_member(user):
        if user.has_perm(SCHEDULE):
            return base
        if user.has_perm("fieldwork.view_workorder"):
            return base.filter(assignee=user)
        return base.none()
    if user is not None and user.is_authenticated and user.is_active:
        return base.filter(customer__user=user)
    return base.none()


def work_orders_filtered(
    queryset: QuerySet[WorkOrder],
    *,
    status: str = "",
    kind: str = "",
    assignee_id: int | None = None,
    zone_id: int | None = None,
    customer_id: int | None = None,
    starts_from: dt.date | None = None,
    starts_until: dt.date | None = None,
    text: str = "",
) -> QuerySet[WorkOrder]:
    """Return work orders narrowed by status ("open" for any unfinished), kind, person, zone, customer, dates and text."""
    if status == "open":
        queryset = queryset.exclude(status__in=(WorkOrderStatus.COMPLETED, WorkOrderStatus.CANCELLED))
    elif status == "to_schedule":
        queryset = queryset.filter(status__in=TO_SCHEDULE)
    elif status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    if zone_id:
        queryset = queryset.filter(zone_id=zone_id)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if starts_from:
        queryset = queryset.filter(scheduled_start__gte=day_bounds(starts_from)[0])
    if starts_until:
        queryset = queryset.filter(scheduled_start__lt=day_bounds(starts_until)[1])
    text = text.strip()
    if text:
        condition = Q(customer__name__icontains=text) | Q(postal_code__istartswith=text) | Q(units__serial__iexact=text)
        number = text.upper().removeprefix("WO-").lstrip("0")
        if number.isdigit():
            condition |= Q(pk=int(number))
        queryset = queryset.filter(condition).distinct()
    return queryset


def work_order_history(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    """Return an order's events, oldest first, with who did each."""
    return order.events.select_related("actor").order_by("at", "id")


def work_orders_to_schedule(user: Any) -> QuerySet[WorkOrder]:
    """Return the visible work still without a date (proposed, or back after a no-show), oldest first."""
    return (
        work_orders_visible_to(user)
        .filter(status__in=TO_SCHEDULE)
        .prefetch_related("units__product")
        .order_by("created_at", "id")
    )


def upcoming_visits_of_customer(customer_id: int) -> QuerySet[WorkOrder]:
    """Return a customer's booked visits from today on, soonest first."""
    start, _end = day_bounds(timezone.localdate())
    return (
        WorkOrder.objects.filter(customer_id=customer_id, status__in=BOOKED_STATUSES, scheduled_start__gte=start)
        .select_related("assignee")
        .order_by("scheduled_start", "id")
    )


# --- the dispatcher board --------------------------------------------------------------------------


@dataclass
class BoardRow:
    """One person's visits on the board's days."""

    person: User
    technician: Technician | None
    # One list of visits per day shown, in time order.
    days: list[list[WorkOrder]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(visits) for visits in self.days)


def board(user: Any, *, first_day: dt.date, days: int) -> list[BoardRow]:
    """Return the board: every active technician (and anyone else booked) with their visits per day."""
    dates = [first_day + dt.timedelta(days=offset) for offset in range(days)]
    start, _unused = day_bounds(dates[0])
    _unused, end = day_bounds(dates[-1])
    visits = (
        work_orders_visible_to(user)
        .filter(status__in=(*BOOKED_STATUSES, WorkOrderStatus.COMPLETED), scheduled_start__gte=start, scheduled_start__lt=end)
        .prefetch_related("units__product")
        .order_by("scheduled_start", "id")
    )
    rows: dict[int, BoardRow] = {}
    technicians = Technician.objects.filter(is_active=True, user__is_active=True).select_related("user")
    if not (is_staff_member(user) and user.has_perm(SCHEDULE)):
        technicians = technicians.filter(user=user)
    for technician in technicians:
        rows[technician.user_id] = BoardRow(person=technician.user, technician=technician, days=[[] for _ in dates])
    for visit in visits:
        person_id = visit.assignee_id
        assert visit.assignee is not None and person_id is not None and visit.scheduled_start is not None
        row = rows.get(person_id)
        if row is None:
            row = rows[person_id] = BoardRow(person=visit.assignee, technician=None, days=[[] for _ in dates])
        index = (local_day(visit.scheduled_start) - first_day).days
        if 0 <= index < len(dates):
            row.days[index].append(visit)
    return sorted(rows.values(), key=lambda row: (row.technician is None, str(row.person)))


# --- technicians -----------------------------------------------------------------------------------


def technicians_all() -> QuerySet[Technician]:
    """Return technicians with their zones, shifts and certifications."""
    return Technician.objects.select_related("user", "home_zone", "calendar").prefetch_related(
        "zones", "shifts", "absences", "certifications__category"
    )


@dataclass(frozen=True)
class CertificationState:
    """A certification as the screens show it: valid, expiring soon or expired."""

    certification: Certification
    # "valid", "expiring" (within EXPIRY_WARNING_DAYS) or "expired".
    state: str
    days_left: int | None


def certification_states(technician: Technician, *, today: dt.date | None = None) -> list[CertificationState]:
    """Return a technician's certifications with whether each is valid, expiring within 30 days or expired."""
    today = today or timezone.localdate()
    states = []
    for certification in technician.certifications.all():
        if certification.expires_on is None:
            states.append(CertificationState(certification, "valid", None))
            continue
        left = (certification.expires_on - today).days
        state = "expired" if left < 0 else "expiring" if left < EXPIRY_WARNING_DAYS else "valid"
        states.append(CertificationState(certification, state, left))
    return states


def certifications_expiring(*, today: dt.date | None = None) -> QuerySet[Certification]:
    """Return certifications that end within the warning period (today included), soonest first."""
    today = today or timezone.localdate()
    return (
        Certification.objects.filter(expires_on__gte=today, expires_on__lt=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
        .select_related("technician__user", "category")
        .order_by("expires_on")
    )


def visits_on_days_off(technician: Technician) -> QuerySet[WorkOrder]:
    """Return a technician's booked visits that fall on one of their days off (to be rebooked)."""
    condition = Q()
    for absence in technician.absences.all():
        start, _unused = day_bounds(absence.starts_on)
        _unused, end = day_bounds(absence.ends_on)
        condition |= Q(scheduled_start__gte=start, scheduled_start__lt=end)
    if not condition:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(condition, assignee=technician.user, status__in=BOOKED_STATUSES).order_by("scheduled_start")
