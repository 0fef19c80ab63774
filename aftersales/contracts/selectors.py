"""Reads of maintenance contracts: who sees which, the figures of a contract, and contract opportunities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, DateField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone

from aftersales.catalog.models import WarrantyStart
from aftersales.contracts.models import IN_FORCE_STATUSES, ContractStatus, ContractVisit, MaintenanceContract
from aftersales.core.dates_sql import AddDays, AddMonths, DayOfMonth
from aftersales.core.permissions import is_staff_member
from aftersales.sales.models import Sale, Unit, UnitStatus
from aftersales.warranty.models import CostEntry, CostSource

VIEW = "contracts.view_maintenancecontract"


def contracts_visible_to(user: Any) -> QuerySet[MaintenanceContract]:
    """Return the contracts a user may see: all for staff with the permission, their own for a customer."""
    base = MaintenanceContract.objects.select_related("customer", "plan", "sold_by")
    if is_staff_member(user):
        return base if user.has_perm(VIEW) else base.none()
    if user is not None and user.is_authenticated and user.is_active:
        return base.filter(customer__user=user)
    return base.none()


def contracts_filtered(
    queryset: QuerySet[MaintenanceContract],
    *,
    status: str = "",
    customer_id: int | None = None,
    unit_id: int | None = None,
    text: str = "",
    ending_within_days: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[MaintenanceContract]:
    """Return contracts narrowed by status, customer, unit, a search text (AMC- number, customer, serial) and end date."""
    if status:
        queryset = queryset.filter(status=status)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if unit_id:
        queryset = queryset.filter(lines__unit_id=unit_id)
    text = (text or "").strip()
    if text:
        condition = Q(customer__name__icontains=text) | Q(lines__unit__serial__iexact=text)
        number = text.upper().removeprefix("AMC-").lstrip("0")
        if number.isdigit():
            condition |= Q(pk=int(number))
        queryset = queryset.filter(condition)
    if ending_within_days is not None:
        today = today or timezone.localdate()
        queryset = queryset.filter(
            status__in=IN_FORCE_STATUSES, ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=ending_within_days)
        )
    return queryset.distinct().order_by("-starts_on", "-id")


def contracts_of_unit(unit: Unit) -> QuerySet[MaintenanceContract]:
    """Return the contracts that cover or covered a unit, the latest first."""
    return MaintenanceContract.objects.filter(lines__unit=unit).exclude(status=ContractStatus.DRAFT).order_by("-starts_on", "-id")


@dataclass(frozen=True)
class ContractFigures:
    """What a contract brought in and what serving it cost, in its currency."""

    billed: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: Decimal
    service_cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.billed - self.service_cost


def contract_figures(contract: MaintenanceContract, *, today: dt.date | None = None) -> ContractFigures:
    """Return a contract's revenue (its billing lines) against its service cost.

    The service cost is what the company bore (``covered`` entries of the cost ledger) on the contract's
    units within its term, plus the cost of the technician visits made for its planned visits.
    """
    today = today or timezone.localdate()
    lines = contract.billing_lines.aggregate(
        billed=Sum("amount"),
        paid=Sum("amount", filter=Q(paid_on__isnull=False)),
        overdue=Sum("amount", filter=Q(paid_on__isnull=True, due_on__lt=today)),
    )
    work_orders = ContractVisit.objects.filter(contract=contract, work_order__isnull=False).values("work_order_id")
    costs = CostEntry.objects.filter(covered=True).filter(
        Q(unit__in=contract.units.all(), incurred_on__gte=contract.starts_on, incurred_on__lte=contract.ends_on)
        | Q(source=CostSource.VISIT, source_id__in=work_orders)
    )
    cent = Decimal("0.01")

    def money(value: Decimal | None) -> Decimal:
        # SQLite sums decimals without their scale: 1200 becomes 1200.00 again.
        return (value or Decimal("0")).quantize(cent)

    billed, paid = money(lines["billed"]), money(lines["paid"])
    return ContractFigures(
        billed=billed,
        paid=paid,
        outstanding=billed - paid,
        overdue=money(lines["overdue"]),
        service_cost=money(costs.aggregate(total=Sum("amount"))["total"]),
    )


def contract_next_visit(contract: MaintenanceContract, *, today: dt.date | None = None) -> ContractVisit | None:
    """Return a contract's next planned visit from today on, if any."""
    today = today or timezone.localdate()
    return contract.visits.filter(due_on__gte=today).select_related("work_order").order_by("due_on").first()


# --- opportunities --------------------------------------------------------------------------------


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def standard_warranty_end_expression() -> Any:
    """Return the last day of a unit's standard warranty as SQL, from the terms it was sold with (else its product's)."""
    starts = Coalesce(F("warranty_terms__starts"), F("product__warranty_starts"))
    months = Coalesce(F("warranty_terms__months"), F("product__warranty_months"))
    start = Case(
        When(Exact(starts, Value(WarrantyStart.INSTALLATION.value)), then=_local_day("installed_at")),
        default=Coalesce(_local_day("delivered_at"), F("sale_line__sale__sold_on")),
        output_field=DateField(),
    )
    anniversary = AddMonths(start, months)
    # 31 January + 1 month has no 31 February: the cover then runs to the month's last day, else to the day before.
    return Case(
        When(Exact(DayOfMonth(anniversary), DayOfMonth(start)), then=AddDays(anniversary, Value(-1))),
        default=anniversary,
        output_field=DateField(),
    )


def contract_opportunities(user: Any, *, within_days: int | None = None, today: dt.date | None = None) -> QuerySet[Unit]:
    """Return units in service whose standard warranty ends within N days and that no contract in force covers.

    Each unit is annotated with ``warranty_ends_on``, ``own_customer`` (the user sold to this customer) and
    ``proposed`` (a draft contract for it exists); the user's own customers come first, then the soonest end.
    """
    today = today or timezone.localdate()
    days = settings.CONTRACTS_OPPORTUNITY_DAYS if within_days is None else within_days
    covered = MaintenanceContract.objects.filter(lines__unit=OuterRef("pk"), status__in=IN_FORCE_STATUSES, ends_on__gte=today)
    drafted = MaintenanceContract.objects.filter(lines__unit=OuterRef("pk"), status=ContractStatus.DRAFT)
    own = Sale.objects.filter(customer_id=OuterRef("customer_id"), sales_rep_id=getattr(user, "pk", None))
    return (
        Unit.objects.filter(status=UnitStatus.IN_SERVICE)
        .annotate(warranty_ends_on=standard_warranty_end_expression())
        .filter(warranty_ends_on__gte=today, warranty_ends_on__lte=today + dt.timedelta(days=days))
        .filter(~Exists(covered))
        .annotate(own_customer=Exists(own), proposed=Exists(drafted))
        .select_related("product", "customer")
        .order_by("-own_customer", "warranty_ends_on", "pk")
    )


def opportunity_days() -> int:
    """Return how many days ahead a warranty's end makes its unit a contract opportunity."""
    return int(settings.CONTRACTS_OPPORTUNITY_DAYS)
