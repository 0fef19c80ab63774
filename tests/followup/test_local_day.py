"""Steps that hang on the local day of a stored moment find it exactly, around midnight and when clocks change.

Over the installed base the selection tests three candidate days in built-in SQL first (a moment's UTC day and
the day on either side) and computes the local day only for the rows that pass. Moments just after and just
before local midnight, on the days the clocks change, in a zone near UTC, one far east and one far west of it,
must fall on the days the business's calendar gives them: the rows are compared, window by window, with the
steps' rules worked out in Python.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.catalog.models import WarrantyStart
from aftersales.core.dates import add_months
from aftersales.core.dates_sql import UtcDay
from aftersales.followup.due import Window, step_occurrences
from aftersales.followup.models import PlaybookStep, Trigger
from aftersales.sales.models import Unit
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory
from tests.followup.helpers import custom_step

pytestmark = pytest.mark.django_db

# Madrid is UTC+1/+2: a moment just after its midnight is still the day before in UTC. Auckland (UTC+12/+13)
# is a day ahead of UTC for half of every day; Los Angeles (UTC−8/−7) a day behind for a third of it.
ZONES = ("Europe/Madrid", "Pacific/Auckland", "America/Los_Angeles")
# The days the clocks change in one of the zones in 2025, the last day of a leap February and of a long month.
DAYS = (
    dt.date(2025, 3, 9),
    dt.date(2025, 3, 30),
    dt.date(2025, 4, 6),
    dt.date(2025, 9, 28),
    dt.date(2025, 10, 26),
    dt.date(2025, 11, 2),
    dt.date(2024, 2, 29),
    dt.date(2025, 1, 31),
)
# Local midnight itself, just after it, and just before the next one.
TIMES = (dt.time(0, 0), dt.time(0, 30), dt.time(23, 30), dt.time(23, 59, 59))


def local(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def exchange_closes(unit: Unit) -> dt.date | None:
    days = unit.product.exchange_window_days
    start = local(unit.delivered_at) or unit.sale_line.sale.sold_on
    return start + dt.timedelta(days=days) if days else None


# Each step's terms, the day its occurrences hang on and how many months apart they repeat, in Python.
STEPS: dict[str, tuple[dict[str, object], Callable[[Unit], dt.date | None], Callable[[Unit], int | None]]] = {
    "delivery": ({"trigger": Trigger.DELIVERY}, lambda unit: local(unit.delivered_at), lambda unit: None),
    "exchange window": ({"trigger": Trigger.EXCHANGE_WINDOW}, exchange_closes, lambda unit: None),
    "warranty end": ({"trigger": Trigger.WARRANTY_END}, lambda unit: unit.warranty_end, lambda unit: None),
    "warranty end, every 3 months": (
        {"trigger": Trigger.WARRANTY_END, "repeat_months": 3},
        lambda unit: unit.warranty_end,
        lambda unit: 3,
    ),
    "maintenance": (
        {"trigger": Trigger.MAINTENANCE},
        lambda unit: local(unit.installed_at) or local(unit.delivered_at),
        lambda unit: unit.product.maintenance_interval_months,
    ),
    "installation, every 2 months": (
        {"trigger": Trigger.INSTALLATION, "repeat_months": 2},
        lambda unit: local(unit.installed_at),
        lambda unit: 2,
    ),
}


def installed_base(zone: zoneinfo.ZoneInfo) -> None:
    """Write units delivered (those that need it installed two days later) at each local time around midnight of each day."""
    delivery_cover = ProductFactory(warranty_months=12, exchange_window_days=14, maintenance_interval_months=6)
    installation_cover = ProductFactory(
        warranty_months=1,
        warranty_starts=WarrantyStart.INSTALLATION,
        needs_installation=True,
        exchange_window_days=30,
        maintenance_interval_months=3,
    )
    for product in (delivery_cover, installation_cover):
        for day in DAYS:
            for time in TIMES:
                delivered = dt.datetime.combine(day, time, tzinfo=zone)
                sale = SaleFactory(customer=CustomerFactory(), sold_on=day - dt.timedelta(days=3), total=Decimal("499.00"))
                line = SaleLineFactory(sale=sale, product=product)
                installed = delivered + dt.timedelta(days=2) if product.needs_installation else None
                UnitFactory(sale_line=line, delivered_at=delivered, installed_at=installed)
            # Not delivered yet: the exchange window and the warranty count from the sale day.
            UnitFactory(sale_line=SaleLineFactory(sale=SaleFactory(sold_on=day), product=product))


def expected(name: str, window: Window) -> set[tuple[int, int, dt.date, dt.date]]:
    """Return the (customer, unit, anchor day, due day) rows of a step in a window, worked out in Python."""
    _terms, anchor_of, every_of = STEPS[name]
    rows = set()
    for unit in Unit.objects.select_related("product", "sale_line__sale"):
        anchor, every = anchor_of(unit), every_of(unit)
        if anchor is None:
            continue
        if every is None:
            if window.first <= anchor <= window.last:
                rows.add((unit.customer_id, unit.pk, anchor, anchor))
            continue
        # The latest repetition (k ≥ 1) not after the window's last day, if it is not before its first.
        repetitions = [add_months(anchor, k * every) for k in range(1, 40)]
        latest = max((day for day in repetitions if day <= window.last), default=None)
        if latest is not None and latest >= window.first:
            rows.add((unit.customer_id, unit.pk, anchor, latest))
    return rows


def selected(step: PlaybookStep, window: Window) -> set[tuple[int, int, dt.date, dt.date]]:
    return {(o.customer_id, o.unit_id, o.anchor_on, o.due_on) for o in step_occurrences(step, window, unrecorded_only=False)}


def due_days(name: str) -> set[dt.date]:
    """Return the days the step's occurrences fall on: each anchor day, or its first repetition."""
    _terms, anchor_of, every_of = STEPS[name]
    days: set[dt.date] = set()
    for unit in Unit.objects.select_related("product", "sale_line__sale"):
        anchor, every = anchor_of(unit), every_of(unit)
        if anchor is not None:
            days.add(anchor if every is None else add_months(anchor, every))
    return days


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("name", STEPS)
def test_a_step_finds_the_local_day_of_moments_around_midnight(zone_name, name):
    zone = zoneinfo.ZoneInfo(zone_name)
    with timezone.override(zone):
        # given
        installed_base(zone)
        step = custom_step(name=name, **STEPS[name][0])
        days = due_days(name)
        assert days
        # when / then: each day an occurrence falls on, alone in its window, so that its moments just after midnight
        # and just before the next one are at both edges of the window
        for day in sorted(days):
            window = Window(day, day)
            assert selected(step, window) == expected(name, window), (zone_name, day)


def test_the_local_day_is_the_utc_day_or_a_day_on_either_side():
    # given: moments in the zones furthest east (UTC+14) and west (UTC−12) of UTC, around their midnights
    moments = [
        dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(name))
        for name in ("Pacific/Kiritimati", "Etc/GMT+12", *ZONES)
        for day in DAYS
        for time in TIMES
    ]
    for moment in moments:
        UnitFactory(delivered_at=moment)

    # when
    utc_days = dict(Unit.objects.annotate(utc_day=UtcDay("delivered_at")).values_list("delivered_at", "utc_day"))

    # then
    for moment in moments:
        utc_day = utc_days[moment]
        assert utc_day == moment.astimezone(dt.UTC).date()
        assert abs((moment.date() - utc_day).days) <= 1
