"""Building blocks for the visit tests: booked work orders, parts in stock, units under or out of warranty."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps

from aftersales.catalog.models import Part
from aftersales.fieldwork.models import ChecklistTemplate, ChecklistTemplateItem, WorkOrder, WorkOrderStatus
from aftersales.fieldwork.services import work_order_create
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

MADRID = ZoneInfo("Europe/Madrid")
# The day the visits happen in these tests (a Wednesday), well after the sales (March 2025).
VISIT_DAY = dt.datetime(2026, 6, 10, 9, 30, tzinfo=MADRID)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def madrid(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MADRID)


def sold_unit(*, customer=None, delivered_at=None, installed_at=None, starts="delivery", months=24, category=None):
    """Return a unit sold in March 2025 under a product's warranty terms."""
    customer = customer or CustomerFactory()
    product = ProductFactory(warranty_months=months, warranty_starts=starts, **({"category": category} if category else {}))
    line = SaleLineFactory(sale=SaleFactory(customer=customer, sold_on=dt.date(2025, 3, 1)), product=product)
    return UnitFactory(sale_line=line, delivered_at=delivered_at, installed_at=installed_at)


def covered_unit(**kwargs):
    """Return a unit delivered a month before the visit day: under its 24-month warranty."""
    return sold_unit(delivered_at=madrid(2026, 5, 10), **kwargs)


def uncovered_unit(**kwargs):
    """Return a unit whose 12-month warranty ended in March 2026, before the visit day."""
    return sold_unit(delivered_at=madrid(2025, 3, 5), months=12, **kwargs)


def booked(*, assignee, units, kind="repair", status=WorkOrderStatus.SCHEDULED, start=None, actor=None) -> WorkOrder:
    """Return a work order for units, booked with someone on the visit day (scheduling is done elsewhere)."""
    units = list(units)
    order = work_order_create(actor=actor, kind=kind, customer=units[0].customer, units=units, description="Noise when spinning")
    start = start or VISIT_DAY
    WorkOrder.objects.filter(pk=order.pk).update(
        assignee=assignee, status=status, scheduled_start=start, scheduled_end=start + dt.timedelta(hours=1)
    )
    order.refresh_from_db()
    return order


def part_in_stock(*, stock: int = 5, cost: str = "12.50", sku: str = "PUMP-01", name: str = "Drain pump") -> Part:
    return Part.objects.create(sku=sku, name=name, name_es="Bomba de desagüe", unit_cost=Decimal(cost), stock_on_hand=stock)


def template_with(*, kind: str, steps: list[str], category=None, name: str = "Checklist") -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(name=name, kind=kind, category=category)
    for index, text in enumerate(steps):
        ChecklistTemplateItem.objects.create(template=template, position=index, text=text, text_es=f"ES {text}")
    return template


def visit_template_ensure() -> None:
    """Create the visit report email again: tests that commit (transaction=True) flush migration data."""
    migration = importlib.import_module("aftersales.fieldwork.migrations.0002_visits")
    migration.create_templates(django_apps, None)
