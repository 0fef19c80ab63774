"""Reads behind the console's screens: dashboard figures, the sales search, ticket counts and sorting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from aftersales.core.models import User
from aftersales.core.roles import Role
from aftersales.customers.selectors import customers_visible_to
from aftersales.sales.models import Sale, Unit, UnitStatus
from aftersales.sales.selectors import sales_visible_to, units_visible_to
from aftersales.service.models import ACTIVE_STATUSES, PRIORITY_ORDER, Ticket
from aftersales.service.selectors import callbacks_due, tickets_my_work, tickets_unanswered, tickets_visible_to


@dataclass(frozen=True)
class DashboardFigures:
    customers: int
    units_in_service: int
    sales_this_month: int


def dashboard_figures(*, user: Any, today: dt.date) -> DashboardFigures:
    """Return the head counts a staff member may see on the home page."""
    return DashboardFigures(
        customers=customers_visible_to(user).count(),
        units_in_service=units_visible_to(user).filter(status=UnitStatus.IN_SERVICE).count(),
        sales_this_month=sales_visible_to(user).filter(sold_on__gte=today.replace(day=1), sold_on__lte=today).count(),
    )


def sales_reps() -> QuerySet[User]:
    """Return the staff members who have sold something, by name."""
    return User.objects.filter(is_staff=True, sales__isnull=False).distinct().order_by("first_name", "last_name", "username")


def sales_search(
    queryset: QuerySet[Sale],
    *,
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str = "",
    rep: User | None = None,
) -> QuerySet[Sale]:
    """Return the sales matching the console's filters, newest first."""
    if q:
        queryset = queryset.filter(
            Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer__email__iexact=q) | Q(receipt_number=q)
        )
    if date_from:
        queryset = queryset.filter(sold_on__gte=date_from)
    if date_to:
        queryset = queryset.filter(sold_on__lte=date_to)
    if channel:
        queryset = queryset.filter(channel=channel)
    if rep is not None:
        queryset = queryset.filter(sales_rep=rep)
    return queryset.order_by("-sold_on", "-id")


def units_search(queryset: QuerySet[Unit], *, serial: str = "", status: str = "") -> QuerySet[Unit]:
    """Return the units whose serial starts with the text and that have the status, newest first."""
    if serial:
        queryset = queryset.filter(serial__istartswith=serial.strip())
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def followup_reps(*, include_all_staff: bool = False) -> QuerySet[User]:
    """Return whose agenda or day a manager may open: sales reps and whoever has sold (or every active staff member)."""
    staff = User.objects.filter(is_staff=True, is_active=True)
    if not include_all_staff:
        staff = staff.filter(Q(groups__name=Role.SALES_REP) | Q(sales__isnull=False))
    return staff.distinct().order_by("first_name", "last_name", "username")


@dataclass(frozen=True)
class TicketCounts:
    active: int
    unanswered: int
    my_work: int


def ticket_counts(user: Any) -> TicketCounts:
    """Return the counts beside the service desk's navigation: active tickets, unanswered ones, my work."""
    return TicketCounts(
        active=tickets_visible_to(user).filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True).count(),
        unanswered=tickets_unanswered(visible_to=user).count(),
        my_work=tickets_my_work(user).count() + callbacks_due(user).filter(due_at__lte=_end_of_today()).count(),
    )


def _end_of_today() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=23, minute=59, second=59, microsecond=0)


# How a ticket list may be sorted; "due" needs the SLA annotation (``sla_due_at``).
TICKET_SORTS: dict[str, list[Any]] = {
    "-created": ["-created_at", "-id"],
    "created": ["created_at", "id"],
    "-updated": ["-updated_at", "-id"],
    "due": [F("sla_due_at").asc(nulls_last=True), "created_at", "id"],
    "-priority": ["-priority_rank", "created_at", "id"],
}


def tickets_sorted(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    """Return tickets in a list order the console offers (newest first when the order is unknown)."""
    if sort == "-priority":
        rank = Case(
            *[When(priority=code, then=Value(index)) for index, code in enumerate(PRIORITY_ORDER)],
            default=Value(0),
            output_field=IntegerField(),
        )
        tickets = tickets.annotate(priority_rank=rank)
    return tickets.order_by(*TICKET_SORTS.get(sort, TICKET_SORTS["-created"]))
