"""Building blocks for the scheduling tests: zones, technicians with hours and certifications, orders."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps

from aftersales.core.roles import Role
from aftersales.fieldwork.models import Certification, ServiceZone, Technician, TechnicianShift, WorkOrder
from aftersales.fieldwork.services.orders import work_order_create
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory, staff

MADRID = ZoneInfo("Europe/Madrid")
MORNING = (dt.time(9), dt.time(13))
AFTERNOON = (dt.time(14), dt.time(18))


def madrid(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MADRID)


def zone(code: str = "madrid", prefixes: str = "28") -> ServiceZone:
    found, _ = ServiceZone.objects.get_or_create(code=code, defaults={"name": code.title(), "postal_prefixes": prefixes})
    return found


def technician(
    *,
    zones=(),
    languages=("es", "en"),
    categories=(),
    certified_on=dt.date(2020, 1, 1),
    expires_on=None,
    hours=(MORNING, AFTERNOON),
    weekdays=range(5),
    first_name="Luis",
) -> Technician:
    """Return an active technician working the given hours Monday to Friday, certified for categories."""
    user = staff(Role.TECHNICIAN, first_name=first_name, last_name="Tech")
    tech = Technician.objects.create(user=user, languages=list(languages))
    tech.zones.set(zones)
    for weekday in weekdays:
        for starts_at, ends_at in hours:
            TechnicianShift.objects.create(technician=tech, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
    for category in categories:
        Certification.objects.create(technician=tech, category=category, certified_on=certified_on, expires_on=expires_on)
    return tech


def order(*, category=None, postal_code="28001", language="en", kind="installation", duration=60, customer=None) -> WorkOrder:
    """Return a proposed work order for one unit of a category, at a customer in a postal code."""
    customer = customer or CustomerFactory(language=language, postal_code=postal_code, address_line1="Calle Mayor 1")
    product = ProductFactory(category=category or CategoryFactory())
    line = SaleLineFactory(sale=SaleFactory(customer=customer), product=product)
    unit = UnitFactory(sale_line=line)
    return work_order_create(actor=None, kind=kind, customer=customer, units=[unit], duration_minutes=duration)


def templates_ensure() -> None:
    """Write the visit email templates again (transactional tests flush the data migrations' rows)."""
    migration = importlib.import_module("aftersales.fieldwork.migrations.0003_visit_templates")
    migration.create_templates(django_apps, None)
