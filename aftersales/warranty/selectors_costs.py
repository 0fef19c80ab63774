"""The cost of after-sales: the ledger summed per product, category, source, kind or month over a period.

Company-borne costs (warranty, goodwill) and costs billed to the customer are kept apart; per product
and per category the report also divides what the company bore by the units sold in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category, Product
from aftersales.core.models import Language
from aftersales.sales.models import Unit
from aftersales.warranty.models import CostEntry, CostKind, CostSource

ZERO = Decimal("0.00")
# The ways the report can be grouped, and how each group is named.
GROUPINGS = {
    "product": _("Product"),
    "category": _("Category"),
    "source": _("Source"),
    "kind": _("Kind"),
    "month": _("Month"),
}
_KEY_FIELD = {
    "product": "product_id",
    "category": "product__category_id",
    "source": "source",
    "kind": "kind",
}


@dataclass(frozen=True)
class CostRow:
    """One line of the cost report."""

    key: str
    label: str
    entries: int
    company_borne: Decimal
    billed: Decimal
    units_sold: int | None = None

    @property
    def total(self) -> Decimal:
        return self.company_borne + self.billed

    @property
    def per_unit_sold(self) -> Decimal | None:
        """Return what after-sales cost the company per unit sold in the period, when that is known."""
        if not self.units_sold:
            return None
        return (self.company_borne / self.units_sold).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CostReport:
    """The cost report for a period: its rows and totals."""

    start: dt.date
    end: dt.date
    group_by: str
    rows: list[CostRow]

    @property
    def company_borne(self) -> Decimal:
        return sum((row.company_borne for row in self.rows), ZERO)

    @property
    def billed(self) -> Decimal:
        return sum((row.billed for row in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return self.company_borne + self.billed

    @property
    def entries(self) -> int:
        return sum(row.entries for row in self.rows)


def costs_in_period(
    *,
    start: dt.date,
    end: dt.date,
    source: str = "",
    kind: str = "",
    category_id: int | None = None,
    product_id: int | None = None,
) -> QuerySet[CostEntry]:
    """Return the ledger's entries incurred between two days (both included), narrowed by the filters."""
    entries = CostEntry.objects.filter(incurred_on__gte=start, incurred_on__lte=end)
    if source:
        entries = entries.filter(source=source)
    if kind:
        entries = entries.filter(kind=kind)
    if category_id:
        entries = entries.filter(product__category_id=category_id)
    if product_id:
        entries = entries.filter(product_id=product_id)
    return entries.select_related("product", "product__category", "unit", "recorded_by")


def _units_sold(start: dt.date, end: dt.date, field: str) -> dict[Any, int]:
    sold = Unit.objects.filter(sale_line__sale__sold_on__gte=start, sale_line__sale__sold_on__lte=end, replaces__isnull=True)
    return {row[field]: row["n"] for row in sold.values(field).annotate(n=Count("id"))}


def cost_summary(
    *,
    start: dt.date,
    end: dt.date,
    group_by: str = "product",
    source: str = "",
    kind: str = "",
    category_id: int | None = None,
    product_id: int | None = None,
    language: str = Language.ENGLISH,
) -> CostReport:
    """Return after-sales costs between two days summed per product, category, source, kind or month."""
    if group_by not in GROUPINGS:
        group_by = "product"
    entries = costs_in_period(
        start=start, end=end, source=source, kind=kind, category_id=category_id, product_id=product_id
    ).order_by()
    money = DecimalField(max_digits=14, decimal_places=2)
    sums = {
        "entries": Count("id"),
        "company_borne": Coalesce(Sum("amount", filter=Q(covered=True)), Value(ZERO), output_field=money),
        "billed": Coalesce(Sum("amount", filter=Q(covered=False)), Value(ZERO), output_field=money),
    }
    key = TruncMonth("incurred_on") if group_by == "month" else F(_KEY_FIELD[group_by])
    found: list[dict[str, Any]] = list(entries.values(key=key).annotate(**sums).order_by("key"))  # type: ignore[arg-type]
    labels: dict[Any, str] = {}
    sold: dict[Any, int] = {}
    if group_by == "product":
        ids = [row["key"] for row in found]
        labels = {p.pk: f"{p.display_name(language)} ({p.sku})" for p in Product.objects.filter(pk__in=ids)}
        sold = _units_sold(start, end, "product_id")
    elif group_by == "category":
        ids = [row["key"] for row in found]
        labels = {c.pk: c.display_name(language) for c in Category.objects.filter(pk__in=ids)}
        sold = _units_sold(start, end, "product__category_id")
    elif group_by == "source":
        labels = {code: str(label) for code, label in CostSource.choices}
    elif group_by == "kind":
        labels = {code: str(label) for code, label in CostKind.choices}
    rows = []
    for row in found:
        value = row["key"]
        if group_by == "month":
            day = value.date() if isinstance(value, dt.datetime) else value
            key_text, label = day.strftime("%Y-%m"), day.strftime("%Y-%m")
        else:
            key_text, label = str(value), str(labels.get(value, value))
        rows.append(
            CostRow(
                key=key_text,
                label=label,
                entries=row["entries"],
                company_borne=Decimal(row["company_borne"]).quantize(Decimal("0.01")),
                billed=Decimal(row["billed"]).quantize(Decimal("0.01")),
                units_sold=sold.get(value, 0) if group_by in ("product", "category") else None,
            )
        )
    if group_by in ("product", "category", "source", "kind"):
        rows.sort(key=lambda r: (-r.company_borne, r.label))
    return CostReport(start=start, end=end, group_by=group_by, rows=rows)
