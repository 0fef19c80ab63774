"""The query planner's statistics: gathered on SQLite hourly and after a bulk import; PostgreSQL keeps its own."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.core import tick
from aftersales.core.statistics import planner_statistics_refresh
from aftersales.customers.models import Customer
from tests.test_import import csv_text, run
from tests.test_import_bulk_load import sales

pytestmark = pytest.mark.django_db


def described_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {table for (table,) in cursor.fetchall()}


def test_statistics_describe_sqlite_tables_and_postgresql_is_left_to_autovacuum():
    Customer.objects.bulk_create(Customer(name=f"Customer {n}", email=f"c{n}@example.com") for n in range(30))

    done = planner_statistics_refresh()

    if connection.vendor != "sqlite":
        assert done == {"skipped": "postgresql keeps its own statistics"}
        return
    assert "customers_customer" in described_tables()
    assert done["tables"] == len(described_tables())
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'customer_email_unique'")
        stats = [stat for (stat,) in cursor.fetchall()]
        # the limit is for this refresh only
        cursor.execute("PRAGMA analysis_limit")
        assert cursor.fetchone()[0] == 0
    assert stats and int(stats[0].split()[0]) == 30  # the rows the planner is told the table holds


def test_the_statistics_sweep_runs_hourly_from_the_tick():
    (sweep,) = [sweep for sweep in tick.sweeps() if sweep.name == "core.planner_statistics"]
    assert sweep.every.total_seconds() == 3600

    assert tick.tick_run(only="core.planner_statistics") == {"core.planner_statistics": "ran"}

    if connection.vendor == "sqlite":
        # the sweep's own row is there to describe; an empty table gets no statistics, so defaults stay
        assert "core_sweeprun" in described_tables()
        assert "sales_sale" not in described_tables()


@pytest.mark.parametrize("bulk", [False, True], ids=["ordinary", "bulk load"])
def test_a_bulk_import_describes_its_tables_once_committed(catalog, bulk, monkeypatch, django_capture_on_commit_callbacks):
    if bulk:
        monkeypatch.setattr("aftersales.sales.imports.BULK_LOAD_MIN_ROWS", 5)
        monkeypatch.setattr("aftersales.sales.imports.BATCH_ROWS", 3)
    refreshed = []
    monkeypatch.setattr("aftersales.sales.imports.planner_statistics_refresh", lambda: refreshed.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        assert run(csv_text(sales(1, 12))).ok

    assert refreshed == ([True] if bulk else [])
