"""SQL date arithmetic agrees with ``core.dates`` and ``Unit.warranty_end`` on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import F, Value
from django.utils import timezone

from aftersales.catalog.models import WarrantyStart
from aftersales.core.dates import add_months
from aftersales.core.dates_sql import AddDays, AddMonths, DayOfMonth, MonthIndex
from aftersales.customers.models import Customer
from aftersales.followup.due import warranty_end_expression
from aftersales.sales.models import Unit
from tests.factories import ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _days() -> list[dt.date]:
    # Every month's ends and starts over a leap cycle, plus random days across three centuries.
    days = []
    for year in (2023, 2024, 2100):
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            days += [first, add_months(first, 1) - dt.timedelta(days=1), first.replace(day=28)]
    rng = random.Random(6)
    days += [dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(0, 110_000)) for _ in range(150)]
    return days


def test_add_months_in_sql_clamps_to_the_month_end_like_add_months():
    days = _days()
    Customer.objects.bulk_create([Customer(name=f"c{n}", birthday=day) for n, day in enumerate(days)])
    mismatches = []
    for months in [*range(-25, 26), 120, -120, 600]:
        rows = Customer.objects.annotate(result=AddMonths(F("birthday"), Value(months))).values_list("birthday", "result")
        mismatches += [(day, months, got) for day, got in rows if got != add_months(day, months)]
    assert mismatches == []


def test_add_days_month_index_and_day_of_month_in_sql():
    days = _days()
    Customer.objects.bulk_create([Customer(name=f"c{n}", birthday=day) for n, day in enumerate(days)])
    rows = Customer.objects.annotate(
        later=AddDays(F("birthday"), Value(45)),
        earlier=AddDays(F("birthday"), Value(-400)),
        index=MonthIndex(F("birthday")),
        day=DayOfMonth(F("birthday")),
    ).values_list("birthday", "later", "earlier", "index", "day")
    for day, later, earlier, index, day_number in rows:
        assert later == day + dt.timedelta(days=45)
        assert earlier == day - dt.timedelta(days=400)
        assert index == day.year * 12 + day.month - 1
        assert day_number == day.day


def test_warranty_end_in_sql_matches_the_unit_property():
    madrid = timezone.get_current_timezone()
    from_delivery = ProductFactory(warranty_months=24)
    from_installation = ProductFactory(warranty_months=36, warranty_starts=WarrantyStart.INSTALLATION)
    one_month = ProductFactory(warranty_months=1)
    moments = [
        dt.datetime(2024, 1, 31, 12, tzinfo=madrid),
        # 23:30 UTC on 31 December is already 1 January in Madrid: the local day counts.
        dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 29, 0, 15, tzinfo=madrid),
        dt.datetime(2023, 3, 31, 9, tzinfo=madrid),
    ]
    for product in (from_delivery, from_installation, one_month):
        for moment in moments:
            line = SaleLineFactory(product=product, sale=SaleFactory(sold_on=dt.date(2023, 1, 15)))
            UnitFactory(sale_line=line, delivered_at=moment, installed_at=moment + dt.timedelta(days=3))
        # Not delivered: the warranty counts from the sale (or has not started, when it starts at installation).
        UnitFactory(sale_line=SaleLineFactory(product=product, sale=SaleFactory(sold_on=dt.date(2024, 8, 31))))

    computed = dict(Unit.objects.annotate(ends=warranty_end_expression()).values_list("pk", "ends"))

    units = Unit.objects.select_related("product", "sale_line__sale")
    assert computed == {unit.pk: unit.warranty_end for unit in units}
    assert None in computed.values()
