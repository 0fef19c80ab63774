"""Bulk loads: an import large beside its tables drops their secondary indexes and builds them again before commit."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.customers.models import Customer
from aftersales.sales.bulk import DeferredIndexes
from aftersales.sales.imports import sales_import_rows
from aftersales.sales.models import Sale, Unit
from tests.test_import import counts, csv_text, errors_of, row, run

pytestmark = pytest.mark.django_db

TABLES = ("customers_customer", "sales_sale", "sales_saleline", "sales_unit", "core_timelineevent")


@pytest.fixture
def small_threshold(monkeypatch):
    """Switch to a bulk load after 5 rows per table, checked every 3 rows."""
    monkeypatch.setattr("aftersales.sales.imports.BULK_LOAD_MIN_ROWS", 5)
    monkeypatch.setattr("aftersales.sales.imports.BATCH_ROWS", 3)


def sales(first: int, last: int, **values: str) -> list[dict[str, str]]:
    """Sales of one line and one serial each, every one for a customer of its own."""
    return [
        row(
            sale_number=f"S-{n}",
            serials=f"BK-{n}",
            customer_email=f"c{n}@example.com",
            customer_phone=f"+34 612 000 {n:03d}",
            delivered_on="2024-03-02",
            **values,
        )
        for n in range(first, last + 1)
    ]


def catalogue() -> list[tuple[str, ...]]:
    """The indexes and constraints of the tables the import writes, as the database's catalogue lists them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(TABLES))
            cursor.execute(
                f"SELECT type, tbl_name, name, COALESCE(sql, '') FROM sqlite_master WHERE tbl_name IN ({marks})",
                list(TABLES),
            )
        else:
            cursor.execute(
                """
                SELECT 'index', i.tablename, i.indexname, i.indexdef || ' valid=' || x.indisvalid::text
                FROM pg_indexes AS i
                JOIN pg_class AS c ON c.relname = i.indexname
                JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
                JOIN pg_index AS x ON x.indexrelid = c.oid
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                UNION ALL
                SELECT 'constraint', t.relname, con.conname,
                       con.contype::text || ' ' || pg_get_constraintdef(con.oid) || ' deferrable=' || con.condeferrable::text
                       || ' deferred=' || con.condeferred::text || ' validated=' || con.convalidated::text
                       || ' index=' || COALESCE(con.conindid::regclass::text, '')
                FROM pg_constraint AS con
                JOIN pg_class AS t ON t.oid = con.conrelid
                LEFT JOIN pg_class AS r ON r.oid = con.confrelid
                WHERE t.relname = ANY(%s) OR r.relname = ANY(%s)
                """,
                [list(TABLES)] * 3,
            )
        return sorted(tuple(str(value) for value in found) for found in cursor.fetchall())


def connection_settings() -> list[str]:
    """The settings an import changes while it builds indexes again, as the connection has them now."""
    queries = ["PRAGMA cache_size", "PRAGMA threads"] if connection.vendor == "sqlite" else ["SHOW maintenance_work_mem"]
    with connection.cursor() as cursor:
        values = []
        for query in queries:
            cursor.execute(query)
            values.append(str(cursor.fetchone()[0]))
        return values


def test_a_large_import_into_empty_tables_is_a_bulk_load_and_keeps_the_schema(catalog, small_threshold):
    before, settings_before = catalogue(), connection_settings()

    report = run(csv_text(sales(1, 12)))

    assert report.ok, report.errors
    assert sorted(report.bulk_loaded_tables) == sorted(TABLES)
    assert catalogue() == before
    assert connection_settings() == settings_before
    assert counts() == {"Customer": 12, "Sale": 12, "SaleLine": 12, "Unit": 12, "TimelineEvent": 12 * 4}
    # The rows written before and after the switch are found through the rebuilt indexes.
    assert Unit.objects.get(serial="BK-1").customer.email == "c1@example.com"
    assert Unit.objects.get(serial="BK-12").customer.email == "c12@example.com"
    assert Sale.objects.filter(customer__email="c12@example.com").get().number == "S-12"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL catalogue")
def test_postgresql_bulk_load_gives_back_constraints_and_indexes_by_their_names(catalog, small_threshold, monkeypatch):
    before = catalogue()
    restore, dropped = DeferredIndexes.restore, {}

    def restore_noting(self, cursor):
        dropped["indexes"] = {index.name for index in self.dropped}
        dropped["foreign keys"] = {
            (child, definition.split(" REFERENCES ")[1].split("(")[0]) for child, _, definition in self.foreign_keys
        }
        restore(self, cursor)

    monkeypatch.setattr(DeferredIndexes, "restore", restore_noting)

    report = run(csv_text(sales(1, 12)))

    assert report.ok, report.errors
    assert catalogue() == before
    # the unique constraint on serials per product was dropped and added back, not turned into an index
    assert "unit_serial_unique_per_product" in dropped["indexes"]
    # foreign keys between the tables loaded in bulk were dropped and added back; those to products and users stayed
    assert ("sales_sale", "customers_customer") in dropped["foreign keys"]
    assert ("core_timelineevent", "sales_unit") in dropped["foreign keys"]
    assert {parent for _child, parent in dropped["foreign keys"]} <= set(TABLES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('maintenance_work_mem')")
        assert cursor.fetchone()[0] != "256MB"  # set for the import's transaction only


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SET CONSTRAINTS is PostgreSQL's")
@pytest.mark.parametrize("bulk", [False, True], ids=["ordinary", "bulk load"])
def test_postgresql_keys_are_checked_at_each_statement_during_an_import_and_deferred_after(catalog, bulk, request):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from aftersales.core.models import TimelineEvent

    if bulk:
        request.getfixturevalue("small_threshold")
    modes = []

    def noting(execute, sql, params, many, context):
        if sql.startswith("SET CONSTRAINTS"):
            modes.append((sql.split()[-1], "sales_saleline_product_id" in sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(noting):
        assert run(csv_text(sales(1, 12))).ok
    # the keys of the written tables, those to products included, were checked at each statement, then deferred again
    assert modes[0] == ("IMMEDIATE", True)
    assert modes[-1] == ("DEFERRED", True)
    assert [mode for mode, _ in modes] == ["IMMEDIATE", "DEFERRED"]

    # After the import, in the same transaction, a child may come before its parent again, as Django expects.
    missing = Customer.objects.order_by("-id").values_list("id", flat=True).first() + 1000

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        TimelineEvent.objects.create(customer_id=missing, kind="note", occurred_at=timezone.now())
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        raise Undone  # the event without its customer goes


def test_a_small_import_into_populated_tables_takes_the_ordinary_path(catalog, small_threshold):
    assert run(csv_text(sales(1, 12))).ok
    before = catalogue()

    report = run(csv_text(sales(13, 20)))

    assert report.ok, report.errors
    assert report.bulk_loaded_tables == []
    assert catalogue() == before
    assert counts()["Sale"] == 20


def test_an_import_below_the_threshold_takes_the_ordinary_path(catalog):
    report = run(csv_text(sales(1, 12)))

    assert report.ok, report.errors
    assert report.bulk_loaded_tables == []


def test_a_bulk_load_that_fails_leaves_indexes_and_tables_as_they_were(catalog, small_threshold):
    before, rows_before = catalogue(), counts()
    rows = [*sales(1, 12), row(sale_number="S-13", serials="BK-13", customer_email="c13@example.com", unit_price="-1")]

    report = run(csv_text(rows))

    assert errors_of(report) == [(14, "unit_price")]
    assert report.bulk_loaded_tables  # the indexes had been dropped when the bad row came
    assert catalogue() == before
    assert counts() == rows_before


def test_a_failure_while_building_the_indexes_again_writes_nothing(catalog, small_threshold, monkeypatch):
    before, rows_before = catalogue(), counts()
    restore = DeferredIndexes.restore

    def restore_then_fail(self, cursor):
        restore(self, cursor)
        raise RuntimeError("disk full")

    monkeypatch.setattr(DeferredIndexes, "restore", restore_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        run(csv_text(sales(1, 12)))

    assert catalogue() == before
    assert counts() == rows_before


def test_repeated_serials_and_sale_numbers_are_refused_during_a_bulk_load(catalog, small_threshold):
    rows = [
        *sales(1, 12),
        row(sale_number="S-20", serials="BK-3", customer_email="c20@example.com"),
        row(sale_number="S-21", serials="BK-21", customer_email="c21@example.com"),
        row(sale_number="S-5", serials="BK-22", customer_email="c22@example.com"),
    ]

    report = run(csv_text(rows))

    assert errors_of(report) == [(14, "serials"), (16, "sale_number")]
    assert "already appears earlier in this file" in str(report.errors[0].reason)
    assert "already appears earlier in this file" in str(report.errors[1].reason)
    assert report.bulk_loaded_tables
    assert counts()["Sale"] == 0


def test_reimporting_a_bulk_load_changes_nothing(catalog, small_threshold):
    text = csv_text(sales(1, 12))
    assert run(text).bulk_loaded_tables
    before, rows_before = catalogue(), counts()

    report = run(text)

    assert report.ok
    assert (report.sales_created, report.sales_skipped) == (0, 12)
    assert report.bulk_loaded_tables == []
    assert (catalogue(), counts()) == (before, rows_before)


def test_a_json_batch_can_be_a_bulk_load(catalog, small_threshold):
    rows = [dict(values, quantity=1, serials=[values["serials"]]) for values in sales(1, 12)]

    report = sales_import_rows(actor=None, rows=rows)

    assert report.ok, report.errors
    assert "sales_sale" in report.bulk_loaded_tables
    assert counts()["Unit"] == 12
