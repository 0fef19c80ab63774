"""Benchmark of the sales import beside each database's raw insert limit (not a test).

    python bench/import_sales.py [--rows 1000000] [--databases sqlite,postgresql]

For each database and for N and N/10 rows it:
  1. generates a deterministic CSV of sales history (bench/results/, ignored by git);
  2. creates a fresh database (a SQLite file in a temporary folder; PostgreSQL database ``bench_import``
     on 127.0.0.1:5432 as postgres, dropped afterwards), migrates it and adds the catalogue and the reps;
  3. imports the file with ``sales_import`` in a child process, timing it; the child's peak resident
     memory comes from ``os.wait4``. The N/10-row file is imported three times (``--small-repeats``),
     each on a fresh database, and the median time kept: a run of a few seconds moves with any passing
     slowdown of the machine, and the linearity ratio with it;
  4. measures the raw limit in the same run, in another child: the same customers, sales, lines and units
     inserted into bare tables (primary keys only) with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL),
     the rows built in memory beforehand. The time to read the CSV into those rows is reported beside it.

Results go to bench/results/import_sales-<database>.json and to the "Sales import" section of
docs/performance.md. Goals: at least 40 % of the raw limit's rows/s, peak memory under 300 MB, and the
N-row import taking at most 11 times the N/10-row one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import PG_SERVER, RESULTS, ROOT, machine, machine_line, pg_admin, pg_version

PG_DATABASE = "bench_import"
GOAL_PERCENT_OF_RAW = 40.0
GOAL_PEAK_MB = 300.0
GOAL_RATIO = 11.0
SEED = 2025
PRODUCTS = 200
REPS = 20
SECTION_START = "<!-- sales-import:start -->"
SECTION_END = "<!-- sales-import:end -->"

FIRST_NAMES = ["Ana", "José", "María", "Lucía", "Javier", "Carmen", "Íñigo", "Noelia", "Peter", "Emma", "Oliver", "Grace"]
LAST_NAMES = ["García", "Fernández", "López", "Martínez", "Núñez", "Castaño", "Smith", "Brown", "O'Neill", "Taylor"]
PLACES = [
    ("ES", "es", "28001", "Madrid"),
    ("ES", "es", "08002", "Barcelona"),
    ("ES", "es", "41001", "Sevilla"),
    ("ES", "es", "46001", "València"),
    ("ES", "es", "11001", "Cádiz"),
    ("GB", "en", "SW1A 1AA", "London"),
    ("GB", "en", "M1 1AE", "Manchester"),
]
CUSTOMER_FIELDS = tuple(f"customer_{name}" for name in ("name", "email", "phone", "language", "country", "postal_code", "city"))
CHANNELS = ["store", "store", "store", "online", "online", "phone", "field"]


# --- data ------------------------------------------------------------------------------------------


def _customer(rng: random.Random, number: int) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    country, language, postal_code, city = rng.choice(PLACES)
    ascii_name = f"{first}.{last}".lower().translate(str.maketrans("áéíóúñç'", "aeiounc-"))
    email = f"{ascii_name}.{number}@example.com" if rng.random() < 0.9 else ""
    if rng.random() < 0.7:
        phone = f"+34 6{number % 100:02d} {number // 100 % 1000:03d} {number // 100000 % 1000:03d}"
        phone = phone if country == "ES" else f"+44 7400 {number % 1000000:06d}"
    else:
        phone = ""
    if not email and not phone:
        email = f"{ascii_name}.{number}@example.net"
    values = (f"{first} {last}", email, phone, language, country, postal_code, city)
    return dict(zip(CUSTOMER_FIELDS, values))


def _columns() -> tuple[str, ...]:
    """Return the import's columns, from the application itself."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    os.environ.setdefault("AFTERSALES_ALLOW_INSECURE_KEY", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from aftersales.sales.imports import COLUMNS

    return COLUMNS


def generate(path: Path, rows: int, seed: int = SEED) -> None:
    """Write ``rows`` data rows of sales history, the same ones for the same arguments."""
    columns = _columns()
    rng = random.Random(seed)
    customers = max(rows // 4, 1)
    serial = 0
    written = 0
    sale = 0
    start = dt.date(2019, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        while written < rows:
            sale += 1
            sold_on = start + dt.timedelta(days=rng.randrange(6 * 365))
            number = rng.randrange(customers)
            customer = _customer(random.Random(seed * 1_000_003 + number), number)
            rep = rng.choice(["", f"rep{rng.randrange(REPS):02d}", f"rep{rng.randrange(REPS):02d}@shop.example"])
            head = {
                "sale_number": f"S{sold_on.year}-{sale:08d}",
                "sale_date": sold_on.isoformat(),
                "channel": rng.choice(CHANNELS),
                "sales_rep": rep,
                "receipt_number": f"T{sale:09d}" if rng.random() < 0.8 else "",
                **customer,
            }
            for _line in range(rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
                product = rng.randrange(PRODUCTS)
                quantity = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
                serials, delivered, installed = "", "", ""
                if product % 7:  # six products in seven are tracked by serial
                    serials = "|".join(f"SN{serial + k:09d}" for k in range(quantity))
                    serial += quantity
                    if rng.random() < 0.7:
                        delivered_on = sold_on + dt.timedelta(days=rng.randrange(15))
                        delivered = delivered_on.isoformat()
                        if product % 3 == 0:
                            installed = (delivered_on + dt.timedelta(days=rng.randrange(8))).isoformat()
                price = f"{rng.randrange(1000, 250000) / 100:.2f}"
                line = {
                    "sku": f"SKU-{product:04d}",
                    "quantity": quantity,
                    "unit_price": price,
                    "serials": serials,
                    "delivered_on": delivered,
                    "installed_on": installed,
                }
                writer.writerow([{**head, **line}[name] for name in columns])
                written += 1
                if written == rows:
                    break


# --- child processes: one per measurement, so that each one's peak memory is its own ---------------


def child_prepare() -> dict[str, Any]:
    """Migrate the database named by DATABASE_URL and add the catalogue and the sales reps."""
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command

    from aftersales.catalog.models import Category, Product
    from aftersales.core.models import User

    call_command("migrate", verbosity=0)
    category = Category.objects.create(slug="appliances", name="Appliances", name_es="Electrodomésticos")
    Product.objects.bulk_create(
        Product(
            sku=f"SKU-{n:04d}",
            name=f"Product {n}",
            name_es=f"Producto {n}",
            category=category,
            list_price=Decimal("499.00"),
            needs_installation=n % 3 == 0,
        )
        for n in range(PRODUCTS)
    )
    User.objects.bulk_create(User(username=f"rep{n:02d}", email=f"rep{n:02d}@shop.example", is_staff=True) for n in range(REPS))
    return {}


def child_import(path: str) -> dict[str, Any]:
    """Import the file with sales_import and return the time and the report."""
    import django

    django.setup()
    from django.db import connection

    from aftersales.sales.imports import logger, sales_import

    logged: dict[str, Any] = {}

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged["args"] = record.args

    logger.addHandler(Grab())
    logger.setLevel(logging.DEBUG)
    started = time.perf_counter()
    with open(path, "rb") as source:
        report = sales_import(actor=None, source=source)
    seconds = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_timelineevent")
        events = cursor.fetchone()[0]
    return {
        "seconds": seconds,
        "rows": report.rows,
        "sales": report.sales_created,
        "customers": report.customers_created,
        "units": report.units_created,
        "timeline_events": events,
        # The import's own account of how long its writer thread spent in the database.
        "database_write_seconds": logged["args"][3],
    }


RAW_TABLES = {
    "customers": "id BIGINT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, language TEXT, country TEXT, "
    "postal_code TEXT, city TEXT",
    "sales": "id BIGINT PRIMARY KEY, number TEXT, sold_on DATE, channel TEXT, sales_rep TEXT, customer_id BIGINT, "
    "receipt_number TEXT",
    "lines": "id BIGINT PRIMARY KEY, sale_id BIGINT, position INTEGER, sku TEXT, quantity INTEGER, unit_price NUMERIC",
    "units": "id BIGINT PRIMARY KEY, line_id BIGINT, sku TEXT, serial TEXT, customer_id BIGINT, delivered_on DATE, "
    "installed_on DATE",
}


def _raw_rows(path: str) -> dict[str, list[tuple[Any, ...]]]:
    """Read the CSV into the rows of the bare tables, matching customers by email, else by phone."""
    tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RAW_TABLES}
    customers: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        at = {name: index for index, name in enumerate(next(reader))}
        number = None
        sale_id = unit_id = position = customer_id = 0
        for row in reader:
            if row[at["sale_number"]] != number:
                number = row[at["sale_number"]]
                key = row[at["customer_email"]] or row[at["customer_phone"]]
                customer_id = customers.get(key, 0)
                if not customer_id:
                    customer_id = customers[key] = len(customers) + 1
                    tables["customers"].append(
                        (
                            customer_id,
                            *(
                                row[at[f"customer_{name}"]]
                                for name in ("name", "email", "phone", "language", "country", "postal_code", "city")
                            ),
                        )
                    )
                sale_id += 1
                position = 0
                tables["sales"].append(
                    (
                        sale_id,
                        number,
                        row[at["sale_date"]],
                        row[at["channel"]],
                        row[at["sales_rep"]],
                        customer_id,
                        row[at["receipt_number"]],
                    )
                )
            position += 1
            line_id = len(tables["lines"]) + 1
            sku = row[at["sku"]]
            tables["lines"].append((line_id, sale_id, position, sku, int(row[at["quantity"]]), row[at["unit_price"]]))
            for serial in row[at["serials"]].split("|") if row[at["serials"]] else ():
                unit_id += 1
                tables["units"].append(
                    (unit_id, line_id, sku, serial, customer_id, row[at["delivered_on"]] or None, row[at["installed_on"]] or None)
                )
    return tables


# The timeline rows the import writes beside them, for the floor (below).
RAW_EVENTS = "id BIGINT PRIMARY KEY, customer_id BIGINT, unit_id BIGINT, kind TEXT, occurred_at TEXT, data TEXT"


def _raw_events(tables: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Return the timeline rows the import writes for these rows: one per customer and sale, one to three per unit."""
    events: list[tuple[Any, ...]] = [
        (row[0], None, "customer_created", "2026-01-01 12:00:00", "{}") for row in tables["customers"]
    ]
    sales = {}
    for sale_id, number, sold_on, _channel, _rep, customer_id, _receipt in tables["sales"]:
        sales[sale_id] = (number, f"{sold_on} 12:00:00")
        events.append((customer_id, None, "sale_recorded", f"{sold_on} 12:00:00", f'{{"sale": "{number}", "total": "0.00 EUR"}}'))
    line_sale = {row[0]: row[1] for row in tables["lines"]}
    for unit_id, line_id, sku, serial, customer_id, delivered_on, installed_on in tables["units"]:
        number, noon = sales[line_sale[line_id]]
        data = f'{{"product": "{sku}", "serial": "{serial}", "sale": "{number}"}}'
        events.append((customer_id, unit_id, "sold", noon, data))
        if delivered_on:
            events.append((customer_id, unit_id, "delivered", f"{delivered_on} 12:00:00", data))
        if installed_on:
            events.append((customer_id, unit_id, "installed", f"{installed_on} 12:00:00", data))
    return [(event_id, *event) for event_id, event in enumerate(events, start=1)]


def _phones_seconds(customers: list[tuple[Any, ...]]) -> float:
    """Time ``phonenumbers`` (which the import must use) takes to normalise each distinct phone of the file."""
    import phonenumbers

    phones = {row[3] for row in customers if row[3]}
    started = time.perf_counter()
    for text in phones:
        parsed = phonenumbers.parse(text, "ES")
        if phonenumbers.is_valid_number(parsed):
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return time.perf_counter() - started


def child_raw(path: str, target: str) -> dict[str, Any]:
    """Insert the file's rows into bare tables the fastest plain way and return the times.

    Beside the raw limit it measures the parts of a floor that any import of the file has to pay, with no
    other validation, look-up or index: the timeline rows inserted the same way, and the distinct phone
    numbers normalised with ``phonenumbers``.
    """
    started = time.perf_counter()
    tables = _raw_rows(path)
    read_seconds = time.perf_counter() - started
    events = _raw_events(tables)
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target) as conn:
            conn.execute("DROP SCHEMA IF EXISTS raw CASCADE")
            conn.execute("CREATE SCHEMA raw")
            for name, columns in RAW_TABLES.items():
                conn.execute(f"CREATE TABLE raw.{name} ({columns})")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cursor:
                for name, rows in tables.items():
                    with cursor.copy(f"COPY raw.{name} FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            conn.commit()
            insert_seconds = time.perf_counter() - started
            conn.execute(f"CREATE TABLE raw.events ({RAW_EVENTS})")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy("COPY raw.events FROM STDIN") as copy:
                for row in events:
                    copy.write_row(row)
            conn.commit()
            events_seconds = time.perf_counter() - started
    else:
        import sqlite3

        conn = sqlite3.connect(target, isolation_level=None)
        # The same settings as the application's SQLite connections.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for name, columns in RAW_TABLES.items():
            conn.execute(f"CREATE TABLE {name} ({columns})")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for name, rows in tables.items():
            conn.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        conn.execute("COMMIT")
        insert_seconds = time.perf_counter() - started
        conn.execute(f"CREATE TABLE events ({RAW_EVENTS})")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", events)
        conn.execute("COMMIT")
        events_seconds = time.perf_counter() - started
        conn.close()
    return {
        "read_seconds": read_seconds,
        "insert_seconds": insert_seconds,
        "events_insert_seconds": events_seconds,
        "phones_seconds": _phones_seconds(tables["customers"]),
        "table_rows": {k: len(v) for k, v in tables.items()} | {"timeline events": len(events)},
    }


def _child_main(argv: list[str]) -> None:
    kind, *args = argv
    result = {"prepare": child_prepare, "import": child_import, "raw": child_raw}[kind](*args)
    print(json.dumps(result))


def run_child(kind: str, *args: str, database_url: str, workdir: Path) -> tuple[dict[str, Any], float]:
    """Run one measurement in a child process; return its result and its peak resident memory in MB."""
    return benchlib.run_child(__file__, kind, *args, database_url=database_url, workdir=workdir)


# --- orchestration -----------------------------------------------------------------------------------


def _fresh_database(database: str, workdir: Path) -> tuple[str, str]:
    """Return the address of a new empty database and the raw run's target beside it."""
    if database == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        return f"{PG_SERVER}/{PG_DATABASE}", f"{PG_SERVER}/{PG_DATABASE}"
    folder = Path(tempfile.mkdtemp(dir=workdir))
    return f"sqlite:///{folder / 'bench.sqlite3'}", str(folder / "raw.sqlite3")


def measure(database: str, path: Path, rows: int, workdir: Path, repeats: int = 1) -> dict[str, Any]:
    """Import a file into a fresh database (``repeats`` times, keeping the median) and measure the raw limit beside it."""
    imports: list[tuple[dict[str, Any], float, float]] = []
    try:
        for attempt in range(1, repeats + 1):
            print(f"[{database}] {rows:,} rows: preparing a fresh database ({attempt} of {repeats})", flush=True)
            url, raw_target = _fresh_database(database, workdir)
            run_child("prepare", database_url=url, workdir=workdir)
            load = os.getloadavg()[0]
            print(f"[{database}] {rows:,} rows: importing", flush=True)
            imported, peak_mb = run_child("import", str(path), database_url=url, workdir=workdir)
            print(f"[{database}] {rows:,} rows: {imported['seconds']:.1f} s, peak {peak_mb:.0f} MB", flush=True)
            imports.append((imported, peak_mb, load))
        print(f"[{database}] {rows:,} rows: raw limit", flush=True)
        raw, raw_peak_mb = run_child("raw", str(path), raw_target, database_url=url, workdir=workdir)
    finally:
        if database == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    every_seconds = [round(imported["seconds"], 2) for imported, _peak, _load in imports]
    imported, _peak, load = sorted(imports, key=lambda attempt: attempt[0]["seconds"])[len(imports) // 2]
    peak_mb = max(peak for _imported, peak, _load in imports)
    rate = rows / imported["seconds"]
    raw_rate = rows / raw["insert_seconds"]
    raw_read_rate = rows / (raw["insert_seconds"] + raw["read_seconds"])
    return {
        "rows": rows,
        "seconds": round(imported["seconds"], 2),
        "every_import_seconds": every_seconds,
        "rows_per_s": round(rate),
        "peak_rss_mb": round(peak_mb, 1),
        "database_write_seconds": round(imported["database_write_seconds"], 2),
        "written": {k: v for k, v in imported.items() if k not in ("seconds", "rows", "database_write_seconds")},
        "raw_insert_seconds": round(raw["insert_seconds"], 2),
        "raw_rows_per_s": round(raw_rate),
        "percent_of_raw": round(100 * rate / raw_rate, 1),
        "raw_read_seconds": round(raw["read_seconds"], 2),
        "raw_with_read_rows_per_s": round(raw_read_rate),
        "percent_of_raw_with_read": round(100 * rate / raw_read_rate, 1),
        "raw_table_rows": raw["table_rows"],
        # What any import of the file pays before validating anything else (see child_raw), against the
        # time the goal allows.
        "floor_seconds": round(
            raw["read_seconds"] + raw["insert_seconds"] + raw["events_insert_seconds"] + raw["phones_seconds"], 2
        ),
        "floor_parts_seconds": {
            "read": round(raw["read_seconds"], 2),
            "insert": round(raw["insert_seconds"], 2),
            "timeline_insert": round(raw["events_insert_seconds"], 2),
            "phones": round(raw["phones_seconds"], 2),
        },
        "goal_seconds": round(rows / (raw_rate * GOAL_PERCENT_OF_RAW / 100), 2),
        "raw_peak_rss_mb": round(raw_peak_mb, 1),
        "load_average_before": round(load, 2),
    }


def verdict(result: dict[str, Any]) -> dict[str, bool]:
    big = result["runs"][0]
    return {
        "percent_of_raw": big["percent_of_raw"] >= GOAL_PERCENT_OF_RAW,
        "peak_memory": max(run["peak_rss_mb"] for run in result["runs"]) < GOAL_PEAK_MB,
        "linear": result["time_ratio"] <= GOAL_RATIO,
    }


def floor_sentence(run: dict[str, Any]) -> str:
    """Say how the floor of the import compares with the time the 40 % goal allows."""
    parts = run["floor_parts_seconds"]
    over = run["floor_seconds"] > run["goal_seconds"]
    return (
        f"Floor: reading the file {parts['read']:.1f} s, inserting its rows raw {parts['insert']:.1f} s, inserting "
        f"the {run['raw_table_rows']['timeline events']:,} timeline rows the same way {parts['timeline_insert']:.1f} s "
        f"and normalising its distinct phones with `phonenumbers` {parts['phones']:.1f} s make "
        f"{run['floor_seconds']:.1f} s, {'more' if over else 'less'} than the {run['goal_seconds']:.1f} s that "
        f"{GOAL_PERCENT_OF_RAW:.0f} % of the raw limit allows."
    )


def performance_section(results: list[dict[str, Any]]) -> str:
    lines = [
        SECTION_START,
        "## Sales import",
        "",
        "Generated by `bench/import_sales.py` (`make bench`); the figures below are from its last run. "
        "Each import runs in its own process on a fresh database; *raw* is the same customers, sales, lines "
        "and units inserted into bare tables (primary keys only) with `executemany` (SQLite) or `COPY` "
        "(PostgreSQL), built in memory beforehand. *Raw with read* adds the time to read the CSV into "
        "those rows. Rows are CSV rows (one per sale line). The *floor* is what any import of the file pays before "
        "validating anything else, with no look-up, constraint or index: reading it, inserting its rows raw, "
        "inserting the timeline rows the import also writes the same way, and normalising its distinct phone "
        "numbers with `phonenumbers`, measured in the raw run.",
        "",
        "| Database | Rows | Seconds | Rows/s | Raw rows/s | % of raw | Raw with read rows/s | % of raw with read "
        "| Peak RSS MB | Time ratio N : N/10 | DB writing s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for run in result["runs"]:
            lines.append(
                f"| {result['database']} | {run['rows']:,} | {run['seconds']:.1f} | {run['rows_per_s']:,} "
                f"| {run['raw_rows_per_s']:,} | {run['percent_of_raw']:.1f} | {run['raw_with_read_rows_per_s']:,} "
                f"| {run['percent_of_raw_with_read']:.1f} | {run['peak_rss_mb']:.0f} "
                f"| {result['time_ratio']:.2f} | {run['database_write_seconds']:.1f} |"
            )
    lines += ["", "Goals: ≥ 40 % of raw rows/s, peak RSS < 300 MB, N-row time ≤ 11 × the N/10-row time.", ""]
    for result in results:
        met = result["goals_met"]
        lines.append(
            f"- {result['database']}: % of raw {'met' if met['percent_of_raw'] else '**not met**'}; "
            f"peak memory {'met' if met['peak_memory'] else '**not met**'}; "
            f"linear time {'met' if met['linear'] else '**not met**'}. "
            f"Written for {result['runs'][0]['rows']:,} rows: "
            + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in result["runs"][0]["written"].items())
            + ". "
            + f"The {result['runs'][1]['rows']:,}-row file took "
            + ", ".join(f"{seconds:.1f}" for seconds in result["runs"][1]["every_import_seconds"])
            + " s (the median counts). "
            + floor_sentence(result["runs"][0])
        )
    lines += [
        "",
        machine_line(results[0]["machine"], results[-1].get("postgresql", ""))
        + f" Run on {results[0]['date']}, load average before each import: "
        + ", ".join(f"{run['load_average_before']}" for result in results for run in result["runs"])
        + ".",
        SECTION_END,
    ]
    return "\n".join(lines)


def document(results: list[dict[str, Any]]) -> None:
    """Replace the Sales import section of docs/performance.md, keeping the rest of the page."""
    benchlib.document(performance_section(results), start=SECTION_START, end=SECTION_END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large file (default 1,000,000)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument(
        "--small-repeats", type=int, default=3, help="imports of the N/10-row file, of which the median counts (default 3)"
    )
    options = parser.parse_args()
    databases = benchlib.databases_chosen(parser, options.databases)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = [options.rows, max(options.rows // 10, 1)]
    files = {}
    for rows in sizes:
        files[rows] = RESULTS / f"import_sales-{rows}.csv"
        if not files[rows].exists():
            print(f"generating {files[rows].name}", flush=True)
            generate(files[rows], rows)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as work:
        for database in databases:
            # The smaller file's import is short enough for a passing slowdown of the machine to move it by
            # a tenth, and the linearity ratio with it: it is timed several times and its median kept.
            runs = [
                measure(database, files[rows], rows, Path(work), repeats=1 if rows == sizes[0] else options.small_repeats)
                for rows in sizes
            ]
            result: dict[str, Any] = {
                "benchmark": "import_sales",
                "database": database,
                "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "machine": machine(),
                "runs": runs,
                "time_ratio": round(runs[0]["seconds"] / runs[1]["seconds"], 2),
                "goals": {"percent_of_raw": GOAL_PERCENT_OF_RAW, "peak_rss_mb": GOAL_PEAK_MB, "time_ratio": GOAL_RATIO},
            }
            if database == "postgresql":
                result["postgresql"] = pg_version()
            result["goals_met"] = verdict(result)
            (RESULTS / f"import_sales-{database}.json").write_text(json.dumps(result, indent=2) + "\n")
            results.append(result)
            print(json.dumps({k: result[k] for k in ("database", "time_ratio", "goals_met")}), flush=True)
    if not options.no_docs:
        document(results)
    for result in results:
        for run in result["runs"]:
            print(
                f"{result['database']:>10} {run['rows']:>9,} rows {run['seconds']:>7.1f} s {run['rows_per_s']:>7,} rows/s "
                f"raw {run['raw_rows_per_s']:>8,} rows/s = {run['percent_of_raw']:5.1f} % "
                f"(with read {run['percent_of_raw_with_read']:5.1f} %) peak {run['peak_rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        main()
