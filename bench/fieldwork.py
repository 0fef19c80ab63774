"""Benchmark of field service planning beside minimal hand-written SQL (not a test).

    python bench/fieldwork.py [--scale 1.0] [--databases sqlite,postgresql] [--repeats 5]

At scale 1 it loads 100,000 maintenance contracts and 200 technicians with 1,000 open work orders;
``--scale 0.01`` gives 1,000 contracts, 5 technicians and 10 requests (never fewer than 5 technicians and 10
requests); ``--requests`` times fewer slot requests than ``1,000 × scale``. PostgreSQL runs use the database
named in ``BENCH_FIELDWORK_DB`` (``bench_fieldwork`` by default).
For each database it:
  1. creates a fresh database (a SQLite file in a temporary folder; PostgreSQL database ``bench_fieldwork``
     on 127.0.0.1:5432 as postgres, dropped afterwards), migrates it and loads with bulk inserts (not
     through the services): one customer, sale and unit per contract; the contracts (95 % active over the
     last year, the rest draft, cancelled or lapsed; a visit every 1, 3, 6 or 12 months) and their planned
     visits from today on, plus, for 1 % of the contracts, a visit a few days late that no tick created an
     order for yet (visits before today that already have their work order are not loaded: neither query
     can select them). Then ten zones, the technicians (a home zone and one or two more, Monday–Friday
     shifts, two or three category certifications, a tenth expired), their bookings (two a working day over
     the next two weeks) and the open work orders to plan, each in a zone with one unit;
  2. **due visits**: times the contracts sweep's own selection ``visits_due_keys`` (the keys of the visits
     due for a work order within the lead days, in the order the sweep walks them: one narrow query) beside
     one hand-written query selecting the same keys, and compares the two lists, order included, by digest;
     then times the sweep's locking and loading of every batch of those visits (``visits_batch_lock``, batches
     of ``SWEEP_BATCH``: each visit with its contract, customer and units, the pending condition checked again
     under the lock; in a transaction rolled back), and the sweep's ``visit_orders_create`` on the first
     1,000 due visits (their batches locked and loaded, their work orders created; rolled back) as a
     per-visit figure;
  3. **slot proposals**: times ``slots_propose`` (14 days, 10 slots) for every open work order beside the
     hand-written SQL that selects the *input* of the slot arithmetic for the same request: the eligible
     technicians (active, covering the order's zone, certified for every unit's category on the first day)
     with their shifts and their booked visits over the 14 days. Free windows and start times are Python in
     both cases, so the SQL side does not compute them; the eligible technician sets are compared by digest
     with the product's own eligibility (``technician_problems``).

Each measurement runs in its own child process (peak resident memory from ``os.wait4``); the one-minute
load average before each is noted. Results go to bench/results/fieldwork.json and to the "Field service"
section of docs/performance.md. Goal (the house goal): each operation within 3 times its hand-written query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchlib  # noqa: E402
from benchlib import PG_SERVER, machine, pg_admin, pg_version  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_DATABASE = os.environ.get("BENCH_FIELDWORK_DB", "bench_fieldwork")
SECTION_START = "<!-- fieldwork:start -->"
SECTION_END = "<!-- fieldwork:end -->"
GOAL_RATIO = 3.0
SEED = 2026
CONTRACTS = 100_000
TECHNICIANS = 200
REQUESTS = 1_000
SWEEP_ACTIONS = 1_000
ZONES = 10
BATCH = 5_000
LEAD_DAYS = 14
PROPOSAL_DAYS = 14


# --- child processes ---------------------------------------------------------------------------------


def _setup() -> None:
    import django

    django.setup()


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _batched(rows: Iterable[Any], model: Any) -> int:
    batch: list[Any] = []
    written = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
        written += len(batch)
    return written


def _fingerprint(rows: Iterable[Iterable[Any]]) -> tuple[int, str]:
    """Return how many rows and a digest of them, whatever types the driver returned."""
    normalised = sorted("|".join("" if value is None else str(value) for value in row) for row in rows)
    return len(normalised), hashlib.sha256("\n".join(normalised).encode()).hexdigest()


def child_prepare() -> dict[str, Any]:
    """Migrate a fresh database."""
    _setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return {"seconds": round(time.perf_counter() - started, 1)}


def child_load(contracts: str, technicians: str, requests: str) -> dict[str, Any]:
    """Write customers, units, contracts with their visits, technicians with bookings and the orders to plan."""
    _setup()
    from decimal import Decimal

    from django.core.management.color import no_style
    from django.db import connection, transaction

    from aftersales.catalog.models import Category, Product
    from aftersales.contracts.models import ContractStatus, ContractUnit, ContractVisit, MaintenanceContract
    from aftersales.contracts.services import visit_dates
    from aftersales.core.dates import period_last_day
    from aftersales.core.models import User
    from aftersales.customers.models import Customer
    from aftersales.fieldwork.models import (
        Certification,
        ServiceZone,
        Technician,
        TechnicianShift,
        WorkOrder,
        WorkOrderKind,
        WorkOrderStatus,
    )
    from aftersales.fieldwork.slots import business_zone
    from aftersales.sales.models import Sale, SaleLine, Unit, UnitStatus

    rng = random.Random(SEED)
    wanted, wanted_technicians, wanted_orders = int(contracts), int(technicians), int(requests)
    today = _today()
    zone = business_zone()
    started = time.perf_counter()
    counts = {"contracts": 0, "active": 0, "visits": 0, "late_visits": 0}
    with transaction.atomic():
        categories = [
            Category.objects.create(slug=slug, name=slug.title(), name_es=slug.title())
            for slug in ("laundry", "kitchen", "climate", "heating", "small-appliances")
        ]
        products = Product.objects.bulk_create(
            Product(sku=f"SKU-{n:03d}", name=f"Product {n}", category=categories[n % 5], list_price=Decimal("499.00"))
            for n in range(20)
        )
        total = wanted + wanted_orders
        _batched((Customer(id=n, name=f"Customer {n}", language="es" if n % 3 else "en") for n in range(1, total + 1)), Customer)
        sold_on = today - dt.timedelta(days=800)
        _batched((Sale(id=n, number=f"B{n:09d}", sold_on=sold_on, customer_id=n) for n in range(1, total + 1)), Sale)
        _batched(
            (
                SaleLine(id=n, sale_id=n, product=products[n % 20], quantity=1, unit_price=Decimal("499.00"))
                for n in range(1, total + 1)
            ),
            SaleLine,
        )
        delivered = dt.datetime.combine(sold_on, dt.time(11), tzinfo=zone)
        _batched(
            (
                Unit(
                    id=n,
                    product=products[n % 20],
                    serial=f"SN{n:09d}",
                    sale_line_id=n,
                    customer_id=n,
                    delivered_at=delivered,
                    status=UnitStatus.IN_SERVICE,
                )
                for n in range(1, total + 1)
            ),
            Unit,
        )

        visits: list[ContractVisit] = []

        def contract_rows() -> Iterator[MaintenanceContract]:
            for n in range(1, wanted + 1):
                starts_on = today - dt.timedelta(days=rng.randrange(365))
                every = rng.choice((1, 3, 6, 12))
                status = rng.choices(
                    (ContractStatus.ACTIVE, ContractStatus.DRAFT, ContractStatus.CANCELLED, ContractStatus.EXPIRED),
                    weights=(95, 2, 2, 1),
                )[0]
                counts["contracts"] += 1
                counts["active"] += status == ContractStatus.ACTIVE
                ends_on = period_last_day(starts_on, 12)
                if status != ContractStatus.DRAFT:
                    days = visit_dates(starts_on=starts_on, ends_on=ends_on, every_months=every)
                    upcoming = [day for day in days if day >= today]
                    late = [day for day in days if today - dt.timedelta(days=10) <= day < today]
                    if late and rng.random() < 0.01 * len(days):
                        upcoming = late[-1:] + upcoming
                        counts["late_visits"] += 1
                    visits.extend(ContractVisit(contract_id=n, due_on=day) for day in upcoming)
                yield MaintenanceContract(
                    id=n,
                    customer_id=n,
                    status=status,
                    starts_on=starts_on,
                    months=12,
                    ends_on=ends_on,
                    price=Decimal("240.00"),
                    billing_period="yearly",
                    visit_every_months=every,
                    repair_cover="parts_and_labour",
                )

        _batched(contract_rows(), MaintenanceContract)
        _batched((ContractUnit(contract_id=n, unit_id=n) for n in range(1, wanted + 1)), ContractUnit)
        counts["visits"] = _batched(visits, ContractVisit)

        zones = ServiceZone.objects.bulk_create(ServiceZone(code=f"z{n}", name=f"Zone {n}") for n in range(ZONES))
        users = User.objects.bulk_create(
            User(username=f"tech{n:03d}", first_name="Tech", last_name=f"{n:03d}", is_staff=True)
            for n in range(wanted_technicians)
        )
        technician_rows = Technician.objects.bulk_create(
            Technician(user=user, home_zone=zones[n % ZONES], languages=["es", "en"] if n % 2 else ["es"])
            for n, user in enumerate(users)
        )
        links = []
        for technician in technician_rows:
            for extra in rng.sample([z for z in zones if z.pk != technician.home_zone_id], rng.randint(1, 2)):
                links.append(Technician.zones.through(technician_id=technician.pk, servicezone_id=extra.pk))
        Technician.zones.through.objects.bulk_create(links)
        shifts, certifications = [], []
        for n, technician in enumerate(technician_rows):
            early = n % 2
            for weekday in range(5):
                shifts.append(
                    TechnicianShift(
                        technician=technician, weekday=weekday, starts_at=dt.time(8 + early), ends_at=dt.time(16 + early)
                    )
                )
            for category in rng.sample(categories, rng.randint(2, 3)):
                expired = rng.random() < 0.1
                certifications.append(
                    Certification(
                        technician=technician,
                        category=category,
                        certified_on=today - dt.timedelta(days=700),
                        expires_on=today - dt.timedelta(days=5) if expired else None,
                    )
                )
        TechnicianShift.objects.bulk_create(shifts)
        Certification.objects.bulk_create(certifications)

        # Two bookings a working day for each technician over the proposal period.
        bookings = []
        for n, technician in enumerate(technician_rows):
            for offset in range(PROPOSAL_DAYS):
                day = today + dt.timedelta(days=offset)
                if day.weekday() >= 5:
                    continue
                for hour in rng.sample(range(9, 15), 2):
                    start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
                    bookings.append(
                        WorkOrder(
                            kind=WorkOrderKind.REPAIR,
                            status=WorkOrderStatus.SCHEDULED,
                            customer_id=1 + (n * 31 + offset) % wanted,
                            assignee=technician.user,
                            zone=zones[rng.randrange(ZONES)],
                            duration_minutes=60,
                            scheduled_start=start,
                            scheduled_end=start + dt.timedelta(hours=1),
                        )
                    )
        _batched(bookings, WorkOrder)
        orders = [
            WorkOrder(
                kind=WorkOrderKind.REPAIR,
                status=WorkOrderStatus.PROPOSED,
                customer_id=wanted + k,
                zone=zones[rng.randrange(ZONES)],
                duration_minutes=rng.choice((60, 90, 120)),
                origin_key=f"bench:{k}",
            )
            for k in range(1, wanted_orders + 1)
        ]
        _batched(orders, WorkOrder)
        order_ids = dict(WorkOrder.objects.filter(origin_key__startswith="bench:").values_list("origin_key", "pk"))
        WorkOrder.units.through.objects.bulk_create(
            WorkOrder.units.through(workorder_id=order_ids[f"bench:{k}"], unit_id=wanted + k) for k in range(1, wanted_orders + 1)
        )
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Customer, Sale, SaleLine, Unit, MaintenanceContract]):
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        **counts,
        "technicians": wanted_technicians,
        "bookings": len(bookings),
        "requests": wanted_orders,
        "today": today.isoformat(),
    }


# --- due visits ----------------------------------------------------------------------------------------

# The visits a sweep must create a work order for: no order yet, due by the horizon, contract in force
# (active or renewed) and not ended before today; their keys in the order the sweep walks them.
DUE_SQL = """
SELECT v.id
  FROM contracts_contractvisit v
  JOIN contracts_maintenancecontract c ON c.id = v.contract_id
 WHERE v.work_order_id IS NULL AND v.due_on <= %s AND c.status IN ('active', 'renewed') AND c.ends_on >= %s
 ORDER BY v.due_on, v.id
"""


def _due_window(today: dt.date) -> dict[str, dt.date]:
    return {"today": today, "horizon": today + dt.timedelta(days=LEAD_DAYS)}


def _due_app(today: dt.date) -> list[int]:
    from aftersales.contracts.services import visits_due_keys

    return visits_due_keys(**_due_window(today))


def _due_sql(today: dt.date) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DUE_SQL, [today + dt.timedelta(days=LEAD_DAYS), today])
        return [row[0] for row in cursor.fetchall()]


def _batches_load(keys: list[int], today: dt.date) -> int:
    """Lock and load every batch of due visits as the sweep does, in a transaction rolled back; return the visits."""
    from django.db import transaction

    from aftersales.contracts.services import SWEEP_BATCH, visits_batch_lock

    loaded = 0
    with transaction.atomic():
        for start in range(0, len(keys), SWEEP_BATCH):
            loaded += len(visits_batch_lock(keys=keys[start : start + SWEEP_BATCH], today=today))
        transaction.set_rollback(True)
    return loaded


def child_due(repeats: str = "5") -> dict[str, Any]:
    """Time the sweep's selection of due visits beside the hand-written query, interleaved; compare their rows.

    Then time the sweep's locking and loading of every batch of those visits (their contract, customer and units).
    """
    _setup()
    today = _today()
    app_times, raw_times, batch_times = [], [], []
    app_keys: list[int] = []
    raw_keys: list[int] = []
    loaded = 0
    for _ in range(int(repeats)):
        started = time.perf_counter()
        app_keys = _due_app(today)
        app_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw_keys = _due_sql(today)
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        loaded = _batches_load(app_keys, today)
        batch_times.append(time.perf_counter() - started)
    # The position of each key is in the digest: both must walk the visits in the same order.
    rows, digest = _fingerprint(enumerate(app_keys))
    raw_count, raw_digest = _fingerprint(enumerate(raw_keys))
    return {
        "app_seconds": statistics.median(app_times),
        "raw_seconds": statistics.median(raw_times),
        "batches_seconds": statistics.median(batch_times),
        "batches_loaded": loaded,
        "rows": rows,
        "digest": digest,
        "raw_rows": raw_count,
        "raw_digest": raw_digest,
        "same_rows": (rows, digest) == (raw_count, raw_digest) and loaded == rows,
    }


def child_sweep(actions: str = str(SWEEP_ACTIONS)) -> dict[str, Any]:
    """Time the sweep on its first due visits: their batches locked and loaded, their work orders created (rolled back)."""
    _setup()
    from django.db import transaction

    from aftersales.contracts.models import ContractVisit
    from aftersales.contracts.services import visit_orders_create, visits_due_keys

    today = _today()
    keys = visits_due_keys(**_due_window(today))[: int(actions)]
    started = time.perf_counter()
    with transaction.atomic():
        visit_orders_create(keys=keys, today=today)
        seconds = time.perf_counter() - started
        created = ContractVisit.objects.filter(work_order__isnull=False, pk__in=keys).count()
        transaction.set_rollback(True)
    return {
        "visits": len(keys),
        "created": created,
        "seconds": seconds,
        "per_visit_seconds": seconds / max(1, len(keys)),
    }


# --- slot proposals ------------------------------------------------------------------------------------

# The input of the slot arithmetic for one request: the eligible technicians (active with an active
# account, covering the order's zone, and for every unit of the order certified on the day for its
# category or the family above it), with their weekly shifts and their booked visits over the period.
ELIGIBLE_SQL = """
SELECT t.user_id
  FROM fieldwork_technician t
  JOIN core_user u ON u.id = t.user_id
 WHERE t.is_active = %(yes)s AND u.is_active = %(yes)s
   AND (t.home_zone_id = %(zone)s OR EXISTS (
        SELECT 1 FROM fieldwork_technician_zones z WHERE z.technician_id = t.id AND z.servicezone_id = %(zone)s))
   AND NOT EXISTS (
        SELECT 1
          FROM fieldwork_workorder_units wu
          JOIN sales_unit su ON su.id = wu.unit_id
          JOIN catalog_product p ON p.id = su.product_id
          JOIN catalog_category k ON k.id = p.category_id
         WHERE wu.workorder_id = %(order)s
           AND NOT EXISTS (
                SELECT 1 FROM fieldwork_certification c
                 WHERE c.technician_id = t.id AND (c.category_id = k.id OR c.category_id = k.parent_id)
                   AND c.certified_on <= %(day)s AND (c.expires_on IS NULL OR c.expires_on >= %(day)s)))
"""
SHIFTS_SQL = """
SELECT t.user_id, s.weekday, s.starts_at, s.ends_at
  FROM fieldwork_technicianshift s JOIN fieldwork_technician t ON t.id = s.technician_id
 WHERE t.user_id IN ({ids})
"""
BOOKED_SQL = """
SELECT w.assignee_id, w.scheduled_start, w.scheduled_end, w.zone_id
  FROM fieldwork_workorder w
 WHERE w.assignee_id IN ({ids}) AND w.status IN ('scheduled', 'confirmed', 'in_progress')
   AND w.scheduled_start < %s AND w.scheduled_end > %s AND w.id <> %s
 ORDER BY w.assignee_id, w.scheduled_start
"""


def _slots_sql(order_id: int, zone_id: int, day: dt.date) -> tuple[list[int], int]:
    """Return the eligible technicians' user ids and how many shift and booking rows the arithmetic would take."""
    from django.db import connection

    from aftersales.fieldwork.slots import day_bounds, travel_buffer

    with connection.cursor() as cursor:
        cursor.execute(ELIGIBLE_SQL, {"yes": True, "zone": zone_id, "order": order_id, "day": day})
        eligible = sorted(row[0] for row in cursor.fetchall())
        if not eligible:
            return eligible, 0
        ids = ", ".join(str(int(user_id)) for user_id in eligible)
        cursor.execute(SHIFTS_SQL.format(ids=ids))
        shifts = cursor.fetchall()
        start, _end = day_bounds(day)
        _start, end = day_bounds(day + dt.timedelta(days=PROPOSAL_DAYS - 1))
        cursor.execute(BOOKED_SQL.format(ids=ids), [end + travel_buffer(), start - travel_buffer(), order_id])
        booked = cursor.fetchall()
    return eligible, len(shifts) + len(booked)


def child_slots(requests: str = str(REQUESTS)) -> dict[str, Any]:
    """Time slot proposals for the open orders beside the SQL selecting their input; compare eligible technicians."""
    _setup()
    from aftersales.fieldwork.models import Technician, WorkOrder
    from aftersales.fieldwork.slots import order_categories, slots_propose, technician_problems

    today = _today()
    orders = list(
        WorkOrder.objects.filter(origin_key__startswith="bench:")
        .select_related("customer", "zone")
        .order_by("pk")[: int(requests)]
    )
    app_times, raw_times, slot_counts = [], [], []
    app_sets, raw_sets = [], []
    outside = 0
    technicians = list(
        Technician.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "home_zone")
        .prefetch_related("zones", "certifications")
    )
    for order in orders:
        started = time.perf_counter()
        slots = slots_propose(order, today, days=PROPOSAL_DAYS, limit=10)
        app_times.append(time.perf_counter() - started)
        slot_counts.append(len(slots))
        started = time.perf_counter()
        eligible, _rows = _slots_sql(order.pk, order.zone_id, today)
        raw_times.append(time.perf_counter() - started)
        # Not timed: the product's own eligibility rule on the first day, for the digest (the order's categories read once).
        categories = order_categories(order)
        product = sorted(t.user_id for t in technicians if not technician_problems(t, order, today, categories))
        app_sets.append((order.pk, ",".join(map(str, product))))
        raw_sets.append((order.pk, ",".join(map(str, eligible))))
        outside += sum(1 for slot in slots if slot.assignee_id not in set(eligible) and slot.day == today)
    rows, digest = _fingerprint(app_sets)
    raw_count, raw_digest = _fingerprint(raw_sets)
    return {
        "requests": len(orders),
        "app_seconds": sum(app_times),
        "raw_seconds": sum(raw_times),
        "app_median_seconds": statistics.median(app_times) if app_times else 0.0,
        "raw_median_seconds": statistics.median(raw_times) if raw_times else 0.0,
        "slots_median": statistics.median(slot_counts) if slot_counts else 0,
        "eligible_median": statistics.median(len(s.split(",")) if s else 0 for _pk, s in raw_sets) if raw_sets else 0,
        "digest": digest,
        "raw_digest": raw_digest,
        "rows": rows,
        "same_rows": digest == raw_digest and rows == raw_count,
        "slots_outside_eligible": outside,
    }


def _child_main(argv: list[str]) -> None:
    kind, *args = argv
    children = {"prepare": child_prepare, "load": child_load, "due": child_due, "sweep": child_sweep, "slots": child_slots}
    print(json.dumps(children[kind](*args), default=str))


def run_child(kind: str, *args: str, database_url: str, workdir: Path) -> tuple[dict[str, Any], float]:
    return benchlib.run_child(__file__, kind, *args, database_url=database_url, workdir=workdir)


# --- orchestration -----------------------------------------------------------------------------------


def sizes(scale: float) -> tuple[int, int, int, int]:
    """Return the contracts, technicians, requests and sweep actions at a scale."""
    return (
        max(200, int(CONTRACTS * scale)),
        max(5, int(TECHNICIANS * scale)),
        max(10, int(REQUESTS * scale)),
        max(10, min(SWEEP_ACTIONS, int(SWEEP_ACTIONS * scale * 10))),
    )


def measure(database: str, scale: float, repeats: int, workdir: Path, requests: int | None) -> dict[str, Any]:
    """Load a fresh database and time the due visits and the slot proposals beside their queries."""
    contracts, technicians, wanted_requests, actions = sizes(scale)
    if requests is not None:
        wanted_requests = requests
    label = f"[{database}] {contracts:,} contracts, {technicians} technicians, {wanted_requests} requests"
    if database == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        url = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        folder = Path(tempfile.mkdtemp(dir=workdir))
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    loads: dict[str, float] = {}
    try:
        print(f"{label}: migrating and loading", flush=True)
        run_child("prepare", database_url=url, workdir=workdir)
        loaded, load_peak = run_child(
            "load", str(contracts), str(technicians), str(wanted_requests), database_url=url, workdir=workdir
        )
        print(f"{label}: loaded {json.dumps(loaded)}", flush=True)
        loads["due"] = round(os.getloadavg()[0], 2)
        due, due_peak = run_child("due", str(repeats), database_url=url, workdir=workdir)
        print(f"{label}: due {json.dumps(due)}", flush=True)
        loads["sweep"] = round(os.getloadavg()[0], 2)
        sweep, sweep_peak = run_child("sweep", str(actions), database_url=url, workdir=workdir)
        print(f"{label}: sweep {json.dumps(sweep)}", flush=True)
        loads["slots"] = round(os.getloadavg()[0], 2)
        slots, slots_peak = run_child("slots", str(wanted_requests), database_url=url, workdir=workdir)
        print(f"{label}: slots {json.dumps(slots)}", flush=True)
    finally:
        if database == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    result: dict[str, Any] = {
        "benchmark": "fieldwork",
        "database": database,
        "scale": scale,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "data": loaded,
        "load_peak_rss_mb": round(load_peak, 1),
        "load_average": loads,
        "due": {**due, "ratio": round(due["app_seconds"] / due["raw_seconds"], 2), "peak_rss_mb": round(due_peak, 1)},
        "sweep": {**sweep, "peak_rss_mb": round(sweep_peak, 1)},
        "slots": {**slots, "ratio": round(slots["app_seconds"] / slots["raw_seconds"], 2), "peak_rss_mb": round(slots_peak, 1)},
        "repeats": repeats,
        "goal_ratio": GOAL_RATIO,
    }
    if database == "postgresql":
        result["postgresql"] = pg_version()
    result["goals_met"] = {name: result[name]["ratio"] <= GOAL_RATIO for name in ("due", "slots")}
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def performance_section(results: list[dict[str, Any]]) -> str:
    """Return the "Field service" section of docs/performance.md."""
    postgresql = next((r["postgresql"] for r in results if "postgresql" in r), "")
    lines = [
        SECTION_START,
        "## Field service: due maintenance visits and slot proposals",
        "",
        "Written by `bench/fieldwork.py` (`make bench`); see its docstring for the data. "
        f"Goal (the house goal): each operation within {GOAL_RATIO:g}× its hand-written SQL.",
        "",
        benchlib.machine_line(results[0]["machine"], postgresql),
        "",
        "| Database | Scale | Contracts | Due visits | Selection (app) | SQL | Ratio | Goal | Batches locked and loaded"
        " | Work order per visit | Peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        due, sweep = r["due"], r["sweep"]
        lines.append(
            f"| {r['database']} | {r['scale']:g} | {r['data']['contracts']:,} | {due['rows']:,} | {_ms(due['app_seconds'])} |"
            f" {_ms(due['raw_seconds'])} | {due['ratio']:.2f} | {'met' if r['goals_met']['due'] else 'not met'} |"
            f" {_ms(due['batches_seconds'])} | {_ms(sweep['per_visit_seconds'])} ({sweep['visits']:,} visits) |"
            f" {due['peak_rss_mb']:.0f} MB |"
        )
    lines += [
        "",
        "| Database | Technicians | Requests | Proposal median (app) | Input SQL median | Total app | Total SQL | Ratio |"
        " Goal | Peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        slots = r["slots"]
        lines.append(
            f"| {r['database']} | {r['data']['technicians']} | {slots['requests']:,} | {_ms(slots['app_median_seconds'])} |"
            f" {_ms(slots['raw_median_seconds'])} | {slots['app_seconds']:,.1f} s | {slots['raw_seconds']:,.2f} s |"
            f" {slots['ratio']:.1f} | {'met' if r['goals_met']['slots'] else 'not met'} | {slots['peak_rss_mb']:.0f} MB |"
        )
    lines += [""]
    short = [r for r in results if r["slots"]["requests"] < REQUESTS or r["data"]["contracts"] < CONTRACTS]
    if short:
        for r in short:
            lines.append(
                f"- Not the full size on {r['database']}: {r['data']['contracts']:,} of {CONTRACTS:,} contracts, "
                f"{r['slots']['requests']:,} of {REQUESTS:,} slot requests timed (timing all of them takes long on "
                "two cores; the per-request median is the figure to compare, the totals are for these requests only)."
            )
    for r in results:
        lines.append(
            f"- {r['database']} ({r['date']}): one-minute load average before each measurement "
            f"{', '.join(f'{k} {v}' for k, v in r['load_average'].items())}; rows agree: due visits "
            f"{'yes' if r['due']['same_rows'] else 'NO'}, eligible technicians {'yes' if r['slots']['same_rows'] else 'NO'}."
        )
    lines += [
        "",
        "The due-visit SQL selects the same visit keys, in the same order, as the sweep's selection "
        "(`visits_due_keys`). Batches locked and loaded is the sweep's own loading of all those visits, "
        "`SWEEP_BATCH` at a time, with their contract, customer and units (`visits_batch_lock`); a work order "
        "per visit includes its share of that loading. "
        "The slot SQL selects only the *input* of a proposal "
        "(eligible technicians, their shifts and booked visits over 14 days); working windows, travel buffers "
        "and the start-time grid are Python in the product and computed by no SQL here, so that ratio "
        "overstates the product's overhead. A work order per visit includes its checklist, event and timeline writes.",
        SECTION_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1: 100,000 contracts)")
    parser.add_argument("--requests", type=int, default=None, help="slot requests to time (default 1,000 × scale)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions of the due-visit selection")
    parser.add_argument("--no-docs", action="store_true", help="write neither the JSON results nor docs/performance.md")
    options = parser.parse_args()
    databases = benchlib.databases_chosen(parser, options.databases)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-fieldwork-") as work:
        for database in databases:
            results.append(measure(database, options.scale, options.repeats, Path(work), options.requests))
    if not options.no_docs:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "fieldwork.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
        benchlib.document(performance_section(results), start=SECTION_START, end=SECTION_END)
    for r in results:
        print(
            f"{r['database']:>10} due: app {_ms(r['due']['app_seconds'])}, SQL {_ms(r['due']['raw_seconds'])}, "
            f"ratio {r['due']['ratio']:.2f}; slots: median {_ms(r['slots']['app_median_seconds'])}, "
            f"SQL {_ms(r['slots']['raw_median_seconds'])}, ratio {r['slots']['ratio']:.1f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        main()
