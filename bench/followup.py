"""Benchmark of the follow-up sweep over a large installed base, beside one hand-written SQL query (not a test).

    python bench/followup.py [--units 1000000] [--customers 300000] [--databases sqlite,postgresql]

For each database, at N units / M customers and at N/10 / M/10, on a fresh database (a SQLite file in
a temporary folder; PostgreSQL database ``bench_followup`` on 127.0.0.1:5432 as postgres, dropped
afterwards) migrated with the default playbook it ships, each step in a child process of its own:

1. **load** — categories, 200 products (a quarter with a maintenance interval, a third installed),
   20 reps, M customers (70 % with a birthday) and sales over the six years before the sweep day,
   one line each, until there are N units (95 % delivered, most installed where needed), written
   with ``bulk_create`` in batches (multi-row ``INSERT``);
2. **select** — the sweep's due-row selection: ``followup.due.step_occurrences`` for every running
   step over its catch-up window, read into memory, as ``touches_record_due`` does before inserting;
3. **sql** — ONE hand-written SQL query (a ``UNION ALL`` of one ``SELECT`` per step of the default
   playbook, in the database's own date functions) that selects the same rows. Both row sets are
   fingerprinted: they must be equal. select and sql each run twice, alternating; the best time counts;
4. **sweep** — the whole sweep: record every due occurrence as a touch (``INSERT … ON CONFLICT DO
   NOTHING``) and act on the first ``--act-cap`` of them (outbox messages rendered and queued, call
   and visit tasks created, timeline events), as one run of the tick does with FOLLOWUP_SWEEP_LIMIT;
   the other touches wait for the next runs. Both phases are timed apart.

Everything runs at 10:00 Madrid time on the sweep day (``time_machine``). Results go to
bench/results/followup.json and to the "Follow-up sweep" section of docs/performance.md. Goals: the
selection within 3 × the hand-written query, and the N-unit times at most 11 × the N/10 ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import benchlib
from benchlib import RESULTS, machine, machine_line, pg_admin, pg_version

PG_DATABASE = "bench_followup"
SEED = 2026
ZONE = zoneinfo.ZoneInfo("Europe/Madrid")
TODAY = dt.date(2026, 6, 15)
SWEEP_AT = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZONE)
YEARS = 6
PRODUCTS = 200
REPS = 20
BATCH = 5000
ACT_CAP = 1000
GOAL_RATIO_TO_SQL = 3.0
GOAL_GROWTH = 11.0
SECTION_START = "<!-- followup:start -->"
SECTION_END = "<!-- followup:end -->"

# The default playbook as shipped (followup/migrations/0003): the hand-written query is written for these steps.
# name: (trigger, offset days, repeat months, catch-up days, minimum sale value)
DEFAULT_STEPS = {
    "Delivery visit by the selling rep": ("delivery", 0, None, 2, None),
    "Courtesy call: how is the product working?": ("delivery", 7, None, 3, None),
    "Usage tips and training offer": ("delivery", 14, None, 3, None),
    "Satisfaction survey": ("delivery", 30, None, 3, None),
    "Maintenance reminder": ("maintenance", 0, None, 7, None),
    "Maintenance contract or extended warranty offer": ("warranty_end", -30, None, 7, None),
    "Birthday greeting": ("birthday", 0, None, 1, None),
    "Exchange window closing": ("exchange_window", -5, None, 2, None),
    "Check-in with high-value customers": ("sale", 0, 6, 14, 2000),
}


def _setup() -> None:
    import django

    django.setup()


# --- load -------------------------------------------------------------------------------------------


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randrange(9, 19), rng.randrange(60), tzinfo=ZONE)


def _batched(models: Iterable[Any], model: Any) -> int:
    batch: list[Any] = []
    written = 0
    for instance in models:
        batch.append(instance)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
        written += len(batch)
    return written


def child_load(units: str, customers: str) -> dict[str, Any]:
    """Write the catalogue, the reps, the customers and the sales with their units; return what was written."""
    _setup()
    from decimal import Decimal

    from django.core.management.color import no_style
    from django.db import connection, transaction

    from aftersales.catalog.models import Category, Product, WarrantyStart
    from aftersales.core.models import User
    from aftersales.customers.models import Customer
    from aftersales.sales.models import Sale, SaleLine, Unit, UnitStatus

    rng = random.Random(SEED)
    wanted_units, wanted_customers = int(units), int(customers)
    start = TODAY - dt.timedelta(days=365 * YEARS)
    started = time.perf_counter()
    with transaction.atomic():
        categories = [
            Category.objects.create(slug=slug, name=slug.title(), name_es=slug.title())
            for slug in ("laundry", "kitchen", "climate", "heating", "small-appliances")
        ]
        products = Product.objects.bulk_create(
            Product(
                sku=f"SKU-{n:04d}",
                name=f"Product {n}",
                name_es=f"Producto {n}",
                category=categories[n % len(categories)],
                list_price=Decimal("499.00"),
                warranty_months=(24, 24, 36, 12, 60)[n % 5],
                warranty_starts=WarrantyStart.INSTALLATION if n % 3 == 0 else WarrantyStart.DELIVERY,
                needs_installation=n % 3 == 0,
                maintenance_interval_months={0: 6, 1: 12}.get(n % 8),
                exchange_window_days={8: 14, 9: 0}.get(n % 10, 30),
            )
            for n in range(PRODUCTS)
        )
        reps = User.objects.bulk_create(
            User(username=f"rep{n:02d}", email=f"rep{n:02d}@shop.example", is_staff=True, first_name=f"Rep {n}")
            for n in range(REPS)
        )

        def customer_rows() -> Iterator[Customer]:
            for number in range(1, wanted_customers + 1):
                agreed = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) if rng.random() < 0.5 else None
                birthday = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(65 * 365)) if rng.random() < 0.7 else None
                yield Customer(
                    id=number,
                    name=f"Customer {number}",
                    email=f"customer{number}@example.com" if rng.random() < 0.9 else "",
                    phone=f"+3461{number:07d}" if rng.random() < 0.7 else "",
                    language="es" if rng.random() < 0.6 else "en",
                    birthday=birthday,
                    consent_email_at=agreed,
                    created_at=dt.datetime.combine(start, dt.time(), tzinfo=ZONE),
                )

        written_customers = _batched(customer_rows(), Customer)
        counts = {"sales": 0, "units": 0, "delivered": 0, "installed": 0, "in_service": 0}
        sales: list[Sale] = []
        lines: list[SaleLine] = []
        unit_rows: list[Unit] = []

        def flush() -> None:
            Sale.objects.bulk_create(sales)
            SaleLine.objects.bulk_create(lines)
            Unit.objects.bulk_create(unit_rows)
            sales.clear()
            lines.clear()
            unit_rows.clear()

        days = (TODAY - start).days
        while counts["units"] < wanted_units:
            counts["sales"] += 1
            sale_id = counts["sales"]
            sold_on = start + dt.timedelta(days=rng.randrange(days))
            product = products[rng.randrange(PRODUCTS)]
            quantity = min(rng.choices((1, 2, 3), weights=(70, 20, 10))[0], wanted_units - counts["units"])
            price = Decimal(rng.choice((39, 89, 149, 299, 499, 649, 899, 1199, 1599, 2199, 2899)))
            sales.append(
                Sale(
                    id=sale_id,
                    number=f"B{sale_id:09d}",
                    sold_on=sold_on,
                    customer_id=rng.randrange(1, wanted_customers + 1),
                    sales_rep=reps[rng.randrange(REPS)] if rng.random() < 0.8 else None,
                    total=price * quantity,
                )
            )
            lines.append(SaleLine(id=sale_id, sale_id=sale_id, product=product, quantity=quantity, unit_price=price))
            for _ in range(quantity):
                counts["units"] += 1
                delivered_on = sold_on + dt.timedelta(days=rng.randrange(8)) if rng.random() < 0.95 else None
                delivered = _moment(delivered_on, rng) if delivered_on and delivered_on < TODAY else None
                installed_on = (
                    delivered_on + dt.timedelta(days=rng.randrange(6)) if delivered and product.needs_installation else None
                )
                installed = _moment(installed_on, rng) if installed_on and installed_on < TODAY and rng.random() < 0.9 else None
                status = rng.choices((UnitStatus.IN_SERVICE, UnitStatus.RETURNED, UnitStatus.SCRAPPED), weights=(97, 2, 1))[0]
                counts["delivered"] += delivered is not None
                counts["installed"] += installed is not None
                counts["in_service"] += status == UnitStatus.IN_SERVICE
                unit_rows.append(
                    Unit(
                        id=counts["units"],
                        product=product,
                        serial=f"SN{counts['units']:09d}",
                        sale_line_id=sale_id,
                        customer_id=sales[-1].customer_id,
                        delivered_at=delivered,
                        installed_at=installed,
                        status=status,
                    )
                )
            if len(unit_rows) >= BATCH:
                flush()
        flush()
        # Rows were written with their ids: move the sequences past them for whatever the sweep inserts later.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Customer, Sale, SaleLine, Unit]):
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "customers": written_customers, **counts}


# --- the sweep's own selection -------------------------------------------------------------------------


def _fingerprint(rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    """Return how many rows and a digest of them, whatever types the driver returned."""
    normalised = sorted("|".join("" if value is None else str(value) for value in row) for row in rows)
    return len(normalised), hashlib.sha256("\n".join(normalised).encode()).hexdigest()


def _running_steps() -> list[Any]:
    from aftersales.followup.services.touches import steps_running

    steps = steps_running()
    found = {
        step.name: (step.trigger, step.offset_days, step.repeat_months, step.catch_up_days, step.min_sale_value) for step in steps
    }
    expected = {name: (*terms[:4], None if terms[4] is None else float(terms[4])) for name, terms in DEFAULT_STEPS.items()}
    found = {name: (*terms[:4], None if terms[4] is None else float(terms[4])) for name, terms in found.items()}
    if found != expected:
        raise SystemExit(f"The running steps are not the default playbook's: {found}")
    return steps


def child_select() -> dict[str, Any]:
    """Time the sweep's due-row selection over every running step; return the time, the rows and their digest."""
    _setup()
    import time_machine

    from aftersales.followup.due import Window, step_occurrences

    with time_machine.travel(SWEEP_AT, tick=True):
        started = time.perf_counter()
        found = []
        per_step = {}
        for step in _running_steps():
            step_started = time.perf_counter()
            window = Window(TODAY - dt.timedelta(days=step.catch_up_days), TODAY)
            occurrences = list(step_occurrences(step, window))
            per_step[step.name] = {"rows": len(occurrences), "seconds": round(time.perf_counter() - step_started, 3)}
            found.extend(occurrences)
        seconds = time.perf_counter() - started
    rows, digest = _fingerprint((o.step_id, o.customer_id, o.unit_id, o.anchor_on, o.due_on) for o in found)
    return {"seconds": seconds, "rows": rows, "digest": digest, "per_step": per_step}


# --- one hand-written SQL query ----------------------------------------------------------------------------


class _Dialect:
    """The date functions the hand-written query needs, written out for one database."""

    def __init__(self, vendor: str) -> None:
        self.postgresql = vendor == "postgresql"

    def local_day(self, column: str) -> str:
        """The calendar day in Madrid of a stored UTC moment."""
        if self.postgresql:
            return f"CAST(({column} AT TIME ZONE 'Europe/Madrid') AS date)"
        # Moments are stored as UTC text; Madrid is UTC+2 from the last Sunday of March to the last Sunday of October, 01:00 UTC.
        summer_from = f"date(substr({column}, 1, 4) || '-03-25', 'weekday 0') || ' 01:00:00'"
        summer_to = f"date(substr({column}, 1, 4) || '-10-25', 'weekday 0') || ' 01:00:00'"
        shift = f"CASE WHEN {column} >= {summer_from} AND {column} < {summer_to} THEN '+2 hours' ELSE '+1 hours' END"
        return f"date({column}, {shift})"

    def add_days(self, day: str, days: str) -> str:
        return f"({day} + CAST({days} AS integer))" if self.postgresql else f"date({day}, ({days}) || ' days')"

    def add_months(self, day: str, months: str) -> str:
        if self.postgresql:
            return f"CAST({day} + make_interval(months => CAST({months} AS integer)) AS date)"
        first = f"date({day}, 'start of month', ({months}) || ' months')"
        same_day = f"date({first}, (CAST(substr({day}, 9, 2) AS INTEGER) - 1) || ' days')"
        return f"MIN({same_day}, date({first}, '+1 month', '-1 day'))"

    def month_index(self, day: str) -> str:
        if self.postgresql:
            return f"(CAST(EXTRACT(YEAR FROM {day}) AS integer) * 12 + CAST(EXTRACT(MONTH FROM {day}) AS integer) - 1)"
        return f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12 + CAST(substr({day}, 6, 2) AS INTEGER) - 1)"

    def day_of_month(self, day: str) -> str:
        return f"CAST(EXTRACT(DAY FROM {day}) AS integer)" if self.postgresql else f"CAST(substr({day}, 9, 2) AS INTEGER)"


def _repeating(
    dialect: _Dialect, source: str, source_params: list[Any], *, first: Any, last: Any, last_index: int, span: int
) -> tuple[str, list[Any]]:
    """Return rows of ``source`` (customer_id, unit_id, anchor, every) at their latest repetition k ≥ 1 in [first, last].

    The months from the anchor's month to the last day's month give the candidate repetition; when it lands
    after the last day (a later day of the same month), the one before it is the latest.
    """
    lags = f"""
        SELECT customer_id, unit_id, anchor, every, %s - {dialect.month_index("anchor")} AS lag
        FROM ({source}) AS source WHERE anchor IS NOT NULL AND every > 0"""
    # Whole months first: some repetition's month must fall in the window's months before any day arithmetic.
    candidates = f"""
        SELECT customer_id, unit_id, anchor, every, lag / every AS candidate
        FROM ({lags}) AS lags WHERE lag >= every AND lag %% every <= %s"""
    latest = f"""
        SELECT customer_id, unit_id, anchor, every,
               CASE WHEN {dialect.add_months("anchor", "candidate * every")} > %s THEN candidate - 1 ELSE candidate END AS k
        FROM ({candidates}) AS candidates"""
    occurrences = f"""
        SELECT customer_id, unit_id, anchor, k, {dialect.add_months("anchor", "k * every")} AS occurrence
        FROM ({latest}) AS latest WHERE k >= 1"""
    sql = f"SELECT * FROM ({occurrences}) AS occurrences WHERE occurrence >= %s"
    # Placeholders in order: the last day, the last month's index, the source's, the months spanned, the first day.
    return sql, [last, last_index, *source_params, span, first]


def due_rows_query(vendor: str, steps: dict[str, Any], today: dt.date) -> tuple[str, list[Any]]:
    """Return one SQL query selecting every due (step, customer, unit, anchor day, due day) of the default playbook."""
    from django.db import connection
    from django.utils import timezone

    dialect = _Dialect(vendor)
    ops = connection.ops
    branches: list[str] = []
    params: list[Any] = []

    def window(name: str) -> tuple[dt.date, dt.date]:
        step = steps[name]
        return today - dt.timedelta(days=step.catch_up_days + step.offset_days), today - dt.timedelta(days=step.offset_days)

    def day(value: dt.date) -> Any:
        return ops.adapt_datefield_value(value)

    def branch(name: str, sql: str, values: list[Any]) -> None:
        """Add a step's rows (customer_id, unit_id, anchor_on, occurrence), grouped per customer and anchor (and repetition)."""
        step = steps[name]
        branches.append(
            f"""SELECT %s AS step_id, customer_id, MIN(unit_id) AS unit_id, anchor AS anchor_on,
                       {dialect.add_days("MIN(occurrence)", "%s")} AS due_on
                FROM ({sql}) AS step_{step.pk} GROUP BY customer_id, anchor, k"""
        )
        params.extend([step.pk, step.offset_days, *values])

    in_service = "u.status = 'in_service'"
    zone = timezone.get_current_timezone()
    for name in [name for name, terms in DEFAULT_STEPS.items() if terms[0] == "delivery"]:
        first, last = window(name)
        since = dt.datetime.combine(first, dt.time(), tzinfo=zone)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        anchor = dialect.local_day("u.delivered_at")
        branch(
            name,
            f"""SELECT u.customer_id, u.id AS unit_id, {anchor} AS anchor, 0 AS k, {anchor} AS occurrence
                FROM sales_unit u WHERE {in_service} AND u.delivered_at >= %s AND u.delivered_at < %s""",
            [ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(until)],
        )

    def last_index(last: dt.date) -> int:
        return last.year * 12 + last.month - 1

    def span(first: dt.date, last: dt.date) -> int:
        return last_index(last) - last_index(first)

    def repeating(name: str, source: str, source_params: list[Any]) -> None:
        first, last = window(name)
        sql, values = _repeating(
            dialect, source, source_params, first=day(first), last=day(last), last_index=last_index(last), span=span(first, last)
        )
        branch(name, sql, values)

    name = "Maintenance reminder"
    maintenance = f"""SELECT u.customer_id, u.id AS unit_id,
                             COALESCE({dialect.local_day("u.installed_at")}, {dialect.local_day("u.delivered_at")}) AS anchor,
                             p.maintenance_interval_months AS every
                      FROM sales_unit u JOIN catalog_product p ON p.id = u.product_id
                      WHERE {in_service} AND p.maintenance_interval_months IS NOT NULL"""
    repeating(name, maintenance, [])

    name = "Maintenance contract or extended warranty offer"
    first, last = window(name)
    start = f"""CASE WHEN p.warranty_starts = 'installation' THEN {dialect.local_day("u.installed_at")}
                     ELSE COALESCE({dialect.local_day("u.delivered_at")}, s.sold_on) END"""
    # Whole months first: only a cover ending in the window's months (or the month after, the day before a 1st) needs days.
    starts = f"""SELECT u.customer_id, u.id AS unit_id, start, {dialect.add_months("start", "warranty_months")} AS anniversary
                 FROM (SELECT u.customer_id, u.id, {start} AS start, p.warranty_months
                       FROM sales_unit u JOIN catalog_product p ON p.id = u.product_id
                       LEFT JOIN sales_saleline l ON l.id = u.sale_line_id LEFT JOIN sales_sale s ON s.id = l.sale_id
                       WHERE {in_service}) AS u
                 WHERE {dialect.month_index("start")} + warranty_months BETWEEN %s AND %s"""
    ends = f"""SELECT customer_id, unit_id, 0 AS k,
                      CASE WHEN {dialect.day_of_month("anniversary")} = {dialect.day_of_month("start")}
                           THEN {dialect.add_days("anniversary", "-1")} ELSE anniversary END AS anchor
               FROM ({starts}) AS starts"""
    branch(
        name,
        f"SELECT customer_id, unit_id, anchor, k, anchor AS occurrence FROM ({ends}) AS ends WHERE anchor >= %s AND anchor <= %s",
        [last_index(first), last_index(last) + 1, day(first), day(last)],
    )

    name = "Birthday greeting"
    birthdays = (
        "SELECT c.id AS customer_id, CAST(NULL AS bigint) AS unit_id, c.birthday AS anchor, 12 AS every FROM customers_customer c"
    )
    repeating(name, birthdays, [])

    name = "Exchange window closing"
    first, last = window(name)
    closing = dialect.add_days(f"COALESCE({dialect.local_day('u.delivered_at')}, s.sold_on)", "p.exchange_window_days")
    exchange = f"""SELECT u.customer_id, u.id AS unit_id, {closing} AS anchor
                   FROM sales_unit u JOIN catalog_product p ON p.id = u.product_id
                   LEFT JOIN sales_saleline l ON l.id = u.sale_line_id LEFT JOIN sales_sale s ON s.id = l.sale_id
                   WHERE {in_service} AND p.exchange_window_days > 0"""
    branch(
        name,
        f"""SELECT customer_id, unit_id, anchor, 0 AS k, anchor AS occurrence FROM ({exchange}) AS closing
            WHERE anchor >= %s AND anchor <= %s""",
        [day(first), day(last)],
    )

    name = "Check-in with high-value customers"
    # Each customer's latest sales worth the minimum (aggregated once), with their units: the touch names the first.
    latest_sale = """SELECT s.customer_id, u.id AS unit_id, s.sold_on AS anchor, CAST(%s AS integer) AS every
                     FROM sales_sale s
                     JOIN (SELECT customer_id, MAX(sold_on) AS latest FROM sales_sale WHERE total >= %s GROUP BY customer_id) m
                          ON m.customer_id = s.customer_id AND m.latest = s.sold_on
                     LEFT JOIN sales_saleline l ON l.sale_id = s.id LEFT JOIN sales_unit u ON u.sale_line_id = l.id
                     WHERE s.total >= %s"""
    minimum = ops.adapt_decimalfield_value(steps[name].min_sale_value, 14, 2)
    source_params = [steps[name].repeat_months, minimum, minimum]
    repeating(name, latest_sale, source_params)

    union = "\nUNION ALL\n".join(branches)
    sql = f"""SELECT due.step_id, due.customer_id, due.unit_id, due.anchor_on, due.due_on FROM ({union}) AS due
              WHERE NOT EXISTS (SELECT 1 FROM followup_touch t WHERE t.step_id = due.step_id AND t.customer_id = due.customer_id
                                AND t.anchor_on = due.anchor_on AND t.due_on = due.due_on)"""
    return sql, params


def child_sql() -> dict[str, Any]:
    """Time the hand-written query; return the time, the rows and their digest."""
    _setup()
    from django.db import connection

    steps = {step.name: step for step in _running_steps()}
    sql, params = due_rows_query(connection.vendor, steps, TODAY)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    seconds = time.perf_counter() - started
    rows, digest = _fingerprint(found)
    return {"seconds": seconds, "rows": rows, "digest": digest}


# --- the whole sweep -----------------------------------------------------------------------------------------


def child_sweep(act_cap: str) -> dict[str, Any]:
    """Run the sweep as the tick does, acting on at most ``act_cap`` touches; time the recording and the acting apart."""
    _setup()
    import time_machine
    from django.db.models import Count

    from aftersales.followup.models import StaffTask, Touch
    from aftersales.followup.services import touches_act_pending, touches_record_due
    from aftersales.messaging.models import Message

    with time_machine.travel(SWEEP_AT, tick=True):
        started = time.perf_counter()
        found = touches_record_due(today=TODAY)
        recorded = time.perf_counter()
        acted = touches_act_pending(limit=int(act_cap))
        finished = time.perf_counter()
    statuses = dict(Touch.objects.values_list("status").annotate(count=Count("pk")).values_list("status", "count"))
    return {
        "record_seconds": recorded - started,
        "act_seconds": finished - recorded,
        "found": found,
        "touches": Touch.objects.count(),
        "acted": dict(acted),
        "touch_statuses": statuses,
        "messages": Message.objects.count(),
        "tasks": StaffTask.objects.count(),
    }


def _child_main(argv: list[str]) -> None:
    kind, *args = argv
    children = {"prepare": child_prepare, "load": child_load, "select": child_select, "sql": child_sql, "sweep": child_sweep}
    print(json.dumps(children[kind](*args), default=str))


def child_prepare() -> dict[str, Any]:
    """Migrate the database named by DATABASE_URL (the default playbook and its templates come with it)."""
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


# --- orchestration -----------------------------------------------------------------------------------------


def run_child(kind: str, *args: str, database_url: str, workdir: Path) -> tuple[dict[str, Any], float]:
    """Run one measurement in a child process; return its result and its peak resident memory in MB."""
    return benchlib.run_child(__file__, kind, *args, database_url=database_url, workdir=workdir)


def measure(database: str, units: int, customers: int, act_cap: int, workdir: Path) -> dict[str, Any]:
    """Load a fresh database and measure the selection, the hand-written query and the sweep on it."""
    label = f"[{database}] {units:,} units / {customers:,} customers"
    print(f"{label}: preparing a fresh database", flush=True)
    if database == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        url = f"{benchlib.PG_SERVER}/{PG_DATABASE}"
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(dir=workdir)) / 'bench.sqlite3'}"
    try:
        run_child("prepare", database_url=url, workdir=workdir)
        print(f"{label}: loading", flush=True)
        loaded, load_peak = run_child("load", str(units), str(customers), database_url=url, workdir=workdir)
        print(f"{label}: loaded in {loaded['seconds']:.0f} s; selecting", flush=True)
        loads: list[float] = []
        timings: dict[str, list[tuple[dict[str, Any], float]]] = {"sql": [], "select": []}
        for _round in range(2):
            for kind in ("sql", "select"):
                loads.append(round(os.getloadavg()[0], 2))
                timings[kind].append(run_child(kind, database_url=url, workdir=workdir))
        loads.append(round(os.getloadavg()[0], 2))
        print(f"{label}: sweeping", flush=True)
        sweep, sweep_peak = run_child("sweep", str(act_cap), database_url=url, workdir=workdir)
    finally:
        if database == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    best = {kind: min(runs, key=lambda run: run[0]["seconds"]) for kind, runs in timings.items()}
    select, select_peak = best["select"]
    sql, sql_peak = best["sql"]
    digests = {run["digest"] for runs in timings.values() for run, _peak in runs}
    acted = sum(sweep["acted"].values())
    return {
        "units": units,
        "customers": customers,
        "loaded": {key: value for key, value in loaded.items() if key != "seconds"},
        "load_seconds": round(loaded["seconds"], 1),
        "load_peak_rss_mb": round(load_peak, 1),
        "due_rows": select["rows"],
        "same_rows": len(digests) == 1 and select["rows"] == sql["rows"],
        "select_seconds": round(select["seconds"], 3),
        "select_seconds_runs": [round(run["seconds"], 3) for run, _peak in timings["select"]],
        "select_peak_rss_mb": round(select_peak, 1),
        "select_per_step": select["per_step"],
        "sql_seconds": round(sql["seconds"], 3),
        "sql_seconds_runs": [round(run["seconds"], 3) for run, _peak in timings["sql"]],
        "sql_peak_rss_mb": round(sql_peak, 1),
        "ratio_to_sql": round(select["seconds"] / sql["seconds"], 2),
        "sweep_record_seconds": round(sweep["record_seconds"], 2),
        "sweep_act_seconds": round(sweep["act_seconds"], 2),
        "sweep_acted": acted,
        "sweep_ms_per_action": round(1000 * sweep["act_seconds"] / acted, 1) if acted else None,
        "sweep_peak_rss_mb": round(sweep_peak, 1),
        "sweep": {key: sweep[key] for key in ("found", "touches", "acted", "touch_statuses", "messages", "tasks")},
        "load_average_before": loads,
    }


def growth(runs: list[dict[str, Any]]) -> dict[str, float]:
    big, small = runs
    return {
        name: round(big[f"{name}_seconds"] / small[f"{name}_seconds"], 2) if small[f"{name}_seconds"] else 0.0
        for name in ("select", "sql", "sweep_record")
    }


def verdict(result: dict[str, Any]) -> dict[str, bool]:
    big = result["runs"][0]
    return {
        "same_rows": all(run["same_rows"] for run in result["runs"]),
        "within_3x_of_sql": big["ratio_to_sql"] <= GOAL_RATIO_TO_SQL,
        "linear": result["growth"]["select"] <= GOAL_GROWTH and result["growth"]["sweep_record"] <= GOAL_GROWTH,
    }


def _met(value: bool) -> str:
    return "met" if value else "**not met**"


def performance_section(report: dict[str, Any]) -> str:
    lines = [
        SECTION_START,
        "## Follow-up sweep",
        "",
        "Generated by `bench/followup.py` (`make bench`); the figures below are from its last run. Each database is "
        "loaded fresh with the default playbook, products, reps, customers and six years of sales up to the sweep day "
        f"({TODAY.isoformat()}, 10:00 in Madrid). *Select* is the sweep's own due-row selection (one query per running "
        "step, `followup.due.step_occurrences`, rows read into memory); *SQL* is one hand-written query (a `UNION ALL` "
        "of one `SELECT` per step, in the database's own date functions) selecting the same rows — the two row sets' "
        "digests are compared; each ran twice, the best time counts. *Record* is the sweep inserting every due "
        f"occurrence as a touch; *act* is the same sweep acting on the first {report['act_cap']:,} touches (messages "
        "rendered and queued, tasks created, timeline events), as one tick does with `FOLLOWUP_SWEEP_LIMIT`. "
        "Every measurement runs in its own process; peak RSS is that process's.",
        "",
        "| Database | Units | Customers | Due rows | Same rows | Select s | SQL s | Select ÷ SQL | Select peak MB "
        "| Record s | Act s (touches) | ms per action | Sweep peak MB |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in report["results"]:
        for run in result["runs"]:
            lines.append(
                f"| {result['database']} | {run['units']:,} | {run['customers']:,} | {run['due_rows']:,} "
                f"| {'yes' if run['same_rows'] else '**no**'} | {run['select_seconds']:.2f} | {run['sql_seconds']:.2f} "
                f"| {run['ratio_to_sql']:.2f} | {run['select_peak_rss_mb']:.0f} | {run['sweep_record_seconds']:.2f} "
                f"| {run['sweep_act_seconds']:.1f} ({run['sweep_acted']:,}) | {run['sweep_ms_per_action'] or 0:.1f} "
                f"| {run['sweep_peak_rss_mb']:.0f} |"
            )
    lines += [
        "",
        f"Goals: the selection within {GOAL_RATIO_TO_SQL:g} × the hand-written query at full size; growth linear in "
        f"size (the full-size times at most {GOAL_GROWTH:g} × the tenth-size ones).",
        "",
    ]
    for result in report["results"]:
        met, ratios = result["goals_met"], result["growth"]
        lines.append(
            f"- {result['database']}: same rows {_met(met['same_rows'])}; within 3 × of SQL {_met(met['within_3x_of_sql'])}; "
            f"linear {_met(met['linear'])} (N : N/10 — select {ratios['select']:.1f}, SQL {ratios['sql']:.1f}, "
            f"record {ratios['sweep_record']:.1f})."
        )
    big = report["results"][0]["runs"][0]
    steps = ", ".join(f"{name} {value['rows']:,} ({value['seconds']:.2f} s)" for name, value in big["select_per_step"].items())
    lines += [
        "",
        f"Due rows per step at full size on {report['results'][0]['database']}: {steps}.",
        "",
        machine_line(report["machine"], report.get("postgresql", ""))
        + f" Run on {report['date']}, load average before each measurement (sql, select, sql, select, sweep): "
        + "; ".join(
            f"{result['database']} {run['units']:,}: " + ", ".join(str(value) for value in run["load_average_before"])
            for result in report["results"]
            for run in result["runs"]
        )
        + ".",
        SECTION_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000, help="units at full size (default 1,000,000)")
    parser.add_argument("--customers", type=int, default=300_000, help="customers at full size (default 300,000)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--act-cap", type=int, default=ACT_CAP, help=f"touches acted on in the timed sweep (default {ACT_CAP})")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md nor the results file")
    options = parser.parse_args()
    databases = benchlib.databases_chosen(parser, options.databases)
    sizes = [(options.units, options.customers), (max(options.units // 10, 1), max(options.customers // 10, 1))]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-followup-") as work:
        for database in databases:
            runs = [measure(database, units, customers, options.act_cap, Path(work)) for units, customers in sizes]
            result: dict[str, Any] = {"database": database, "runs": runs, "growth": growth(runs)}
            result["goals_met"] = verdict(result)
            results.append(result)
            print(json.dumps({k: result[k] for k in ("database", "growth", "goals_met")}), flush=True)
    report: dict[str, Any] = {
        "benchmark": "followup",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "sweep_day": TODAY.isoformat(),
        "act_cap": options.act_cap,
        "machine": machine(),
        "goals": {"ratio_to_sql": GOAL_RATIO_TO_SQL, "growth": GOAL_GROWTH},
        "results": results,
    }
    if "postgresql" in databases:
        report["postgresql"] = pg_version()
    for result in results:
        for run in result["runs"]:
            print(
                f"{result['database']:>10} {run['units']:>9,} units {run['due_rows']:>7,} due rows "
                f"select {run['select_seconds']:7.2f} s sql {run['sql_seconds']:7.2f} s (× {run['ratio_to_sql']:.2f}) "
                f"same {run['same_rows']} record {run['sweep_record_seconds']:6.2f} s act {run['sweep_act_seconds']:6.1f} s"
            )
    if not options.no_docs:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "followup.json").write_text(json.dumps(report, indent=2) + "\n")
        benchlib.document(performance_section(report), start=SECTION_START, end=SECTION_END)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        main()
