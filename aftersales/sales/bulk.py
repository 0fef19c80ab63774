"""Bulk lookups and inserts straight on the tables, for imports of many rows.

Building a model instance per row costs several times what the database itself spends on the row, so
imports write with the driver: multi-row ``INSERT`` statements on SQLite, ``COPY`` on PostgreSQL, into
columns taken from the models' ``_meta`` and with every value bound, never formatted into the SQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.backends.utils import CursorWrapper
from psycopg import pq as psycopg_pq

# Rows per INSERT statement on SQLite (within its limit of bound values).
ROWS_PER_INSERT = 1000
# SQLite page cache during an import, in KiB (SQLite's default is 2 MiB); it counts in the process's memory.
SQLITE_CACHE_KIB = 32 * 1024
LOOKUP_CHUNK = 900
LOOKUP_SIZES = (1, 10, 100, 300, LOOKUP_CHUNK)
# SQLite's page cache, and so its sort buffer, while it builds indexes after a bulk load, in KiB.
SQLITE_INDEX_BUILD_CACHE_KIB = 8 * 1024
# Helper threads SQLite may sort an index's keys with while it builds the index.
SQLITE_SORT_THREADS = 2
# PostgreSQL's memory for sorting the keys of an index being built after a bulk load (its default is 64 MB).
POSTGRESQL_INDEX_BUILD_MEMORY_MB = 256


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """Return a model's field (not a relation's reverse side) by name."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def column_name(model: type[models.Model], name: str) -> str:
    """Return the quoted column of a model's field."""
    return connection.ops.quote_name(str(model_field(model, name).column))


def chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    """Yield slices of values small enough for one query on every database, for ``IN (…)`` look-ups.

    Each slice is filled up to one of ``LOOKUP_SIZES`` values by repeating its last one, which changes
    no ``IN`` test: queries then come in a few shapes only. SQLite keeps each shape it ran prepared (up
    to 128 of them, some hundreds of KB each for 900 values), so a long import would otherwise grow
    its memory with every new length of the last slice of a batch.
    """
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = list(values[start : start + LOOKUP_CHUNK])
        size = next(size for size in LOOKUP_SIZES if size >= len(chunk))
        yield chunk + chunk[-1:] * (size - len(chunk))


def select(model: type[models.Model], columns: str, where: str, suffix: str = "") -> str:
    """Return a query on a model's table for a set of values of one column, for ``lookup``.

    On SQLite ``{marks}`` stands for the placeholders of the looked-up values; on PostgreSQL the values
    are bound as one array (``= ANY(%s)``): a statement of one parameter is cheaper to build in the
    driver than one of hundreds, and the database plans it the same way.
    """
    names = ", ".join(column_name(model, name) for name in columns.split())
    column = column_name(model, where)
    test = f"{column} = ANY(%s)" if connection.vendor == "postgresql" else f"{column} IN ({{marks}})"
    # NOT (email = '') repeats the condition of the partial unique index on email, so that it is used.
    extra = f" AND NOT ({column} = '')" if where == "email" else ""
    return f"SELECT {names} FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {test}{extra}{suffix}"  # noqa: S608


def lookup(cursor: CursorWrapper, query: str, values: Iterable[str]) -> list[tuple[Any, ...]]:
    """Return the rows of a ``select`` query for a set of values, asking in pieces every database accepts."""
    wanted = sorted(set(values) - {""})
    if connection.vendor == "postgresql":
        if not wanted:
            return []
        cursor.execute(query, [wanted])
        return cursor.fetchall()
    rows: list[tuple[Any, ...]] = []
    for chunk in chunks(wanted):
        cursor.execute(query.format(marks=", ".join(["%s"] * len(chunk))), chunk)
        rows += cursor.fetchall()
    return rows


@contextmanager
def database_tuned() -> Iterator[None]:
    """Set the connection up for a long import, and back as it was afterwards.

    SQLite gets a larger page cache: its indexes then spill far fewer pages. PostgreSQL is told not to
    scan whole tables: the tables grow inside the import's transaction, where the planner has no
    statistics for them, and it would otherwise read all of ``sales_unit`` to look up 900 serials. A
    scan it must do anyway then costs the planner's penalty for a forbidden one, far above the cost at
    which PostgreSQL compiles a query (JIT) first, which for a catalogue query takes longer than the
    query itself: compiling is off for the import's transaction too.
    """
    if connection.vendor == "sqlite":
        settings = {"PRAGMA cache_size": str(-abs(SQLITE_CACHE_KIB))}
    elif connection.vendor == "postgresql":
        settings = {"enable_seqscan": "off", "jit": "off"}
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        yield
        return
    with connection.cursor() as cursor:
        before = {setting: _setting(cursor, setting, value) for setting, value in settings.items()}
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for setting, value in before.items():
                _setting(cursor, setting, value)


def _setting(cursor: CursorWrapper, setting: str, value: str) -> str:
    """Change a connection setting for the current transaction; return its previous value."""
    if setting.startswith("PRAGMA "):
        cursor.execute(setting)
        before = str(cursor.fetchone()[0])
        cursor.execute(f"{setting} = {int(value)}")
        return before
    cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [setting, setting, value])
    return str(cursor.fetchone()[0])


class Table:
    """Rows bound for one model's table, written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL).

    ``columns`` are given per row, already in the form the driver takes; every other concrete field
    gets its default, or the value in ``constants``, prepared once.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str], constants: Mapping[str, Any]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for name, f in fields.items() if name not in columns and not (f.primary_key and "id" not in columns)]
        for name in columns:
            assert name in fields, f"{model.__name__} has no column {name}"
        values = []
        for f in rest:
            value = constants[f.attname] if f.attname in constants else f.get_default()
            assert value is not None or f.null, f"{model.__name__}.{f.attname} needs a value"
            values.append(f.get_db_prep_save(value, connection))
        self.constants = tuple(values)
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(f.column)) for f in [*(fields[name] for name in columns), *rest])
        self.model = model
        self.db_table = model._meta.db_table
        table = quote(self.db_table)
        self.postgresql = connection.vendor == "postgresql"
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - names from _meta, values bound
        self.width = len(columns) + len(rest)
        self.row_marks = "(" + ", ".join(["?"] * self.width) + ")"
        self.rows: list[tuple[Any, ...]] = []
        self.taken = 0

    def add(self, values: tuple[Any, ...]) -> None:
        self.rows.append(values + self.constants)

    def take(self) -> list[tuple[Any, ...]]:
        """Return the rows gathered so far, and start afresh."""
        rows, self.rows = self.rows, []
        self.taken += len(rows)
        return rows

    def write(self, cursor: Any, rows: list[tuple[Any, ...]], *, max_params: int) -> None:
        """Insert rows with a driver cursor (not Django's: this runs on the writer thread)."""
        if not rows:
            return
        if self.postgresql:
            with cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Many rows per INSERT: SQLite then works for longer between taking the interpreter lock back,
        # and parses fewer statements than executemany would run.
        # Every statement has the same size, so the driver's statement cache keeps one of them.
        per_statement = max(1, min(ROWS_PER_INSERT, max_params // self.width))
        whole = len(rows) - len(rows) % per_statement
        many = self.insert_sql + ", ".join([self.row_marks] * per_statement)
        for start in range(0, whole, per_statement):
            cursor.execute(many, list(chain.from_iterable(rows[start : start + per_statement])))
        if whole < len(rows):
            cursor.executemany(self.insert_sql + self.row_marks, rows[whole:])


class BackgroundWriter:
    """Write one batch's rows while the next batch is read and validated.

    The rows go through the import's own database connection, inside its transaction, from a second
    thread: SQLite and the PostgreSQL client release the interpreter lock while the database works.
    The importer waits for the writing to end before it queries the database again.
    """

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.max_params = 0
        if connection.vendor == "sqlite":
            self.max_params = self.raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.busy_seconds = 0.0

    def submit(self, jobs: list[tuple[Table, list[tuple[Any, ...]]]]) -> None:
        self.wait()
        self.thread = threading.Thread(target=self._write, args=(jobs,), name="sales-import-writer", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        """Wait for the rows handed over to be written; raise what writing them raised."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure

    def _write(self, jobs: list[tuple[Table, list[tuple[Any, ...]]]]) -> None:
        started = time.perf_counter()
        try:
            cursor = self.raw.cursor()
            try:
                for table, rows in jobs:
                    table.write(cursor, rows, max_params=self.max_params)
            finally:
                cursor.close()
        except BaseException as exc:  # handed to the importer's thread, which re-raises it
            self.failure = exc
        self.busy_seconds += time.perf_counter() - started


def largest_key(cursor: CursorWrapper, model: type[models.Model]) -> int:
    """Return the largest primary key in a model's table (0 when empty): at least as many rows as it holds."""
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a model's table
    return int(cursor.fetchone()[0])


class KeyAllocator:
    """Hand out primary keys for a table inside the import's transaction.

    SQLite: the transaction holds the write lock, so the keys after the largest one used are ours.
    PostgreSQL: keys come from the table's sequence, in blocks, like any other insert's.
    """

    BLOCK = 20_000

    def __init__(self, model: type[models.Model], cursor: CursorWrapper) -> None:
        table = model._meta.db_table
        self.ceiling = largest_key(cursor, model)
        self.sequence = ""
        self.pool: Iterator[int] = iter(())
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            self.sequence = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            self.pool = iter(range(max(self.ceiling, int(found[0]) if found else 0) + 1, 2**63))
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
            raise NotImplementedError(connection.vendor)

    def next(self) -> int:
        value = next(self.pool, None)
        if value is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequence, self.BLOCK])
                self.pool = iter([row[0] for row in cursor.fetchall()])
            value = next(self.pool)
        return value


class SecondaryIndex(NamedTuple):
    """An index (or the unique constraint it backs) as the database's catalogue defines it."""

    table: str
    name: str
    first_column: str
    create_sql: str
    drop_sql: str


_SQLITE_INDEXES = """
    SELECT m.name, m.sql, (SELECT i.name FROM pragma_index_info(m.name) AS i WHERE i.seqno = 0)
    FROM sqlite_master AS m
    WHERE m.type = 'index' AND m.tbl_name = %s AND m.sql IS NOT NULL
    ORDER BY m.name
"""
# Every index of the table but its primary key and those a foreign key relies on, with the unique
# constraint each one backs, if any.
_POSTGRESQL_INDEXES = """
    SELECT ix.indexname, ix.indexdef, a.attname, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_indexes AS ix
    JOIN pg_namespace AS n ON n.nspname = ix.schemaname
    JOIN pg_class AS ic ON ic.relname = ix.indexname AND ic.relnamespace = n.oid
    JOIN pg_index AS x ON x.indexrelid = ic.oid
    LEFT JOIN pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
    LEFT JOIN pg_constraint AS con ON con.conindid = ic.oid AND con.conrelid = x.indrelid AND con.contype IN ('u', 'x')
    WHERE ix.schemaname = current_schema() AND ix.tablename = %s AND NOT x.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint AS f WHERE f.contype = 'f' AND f.conindid = ic.oid)
    ORDER BY ix.indexname
"""


def secondary_indexes(cursor: CursorWrapper, table: str) -> list[SecondaryIndex]:
    """Return a table's secondary indexes, each with the statements that drop and create it again.

    The definitions are the catalogue's own (SQLite ``sqlite_master.sql``; PostgreSQL
    ``pg_indexes.indexdef``, or ``pg_get_constraintdef`` for an index backing a unique constraint), so
    creating them again gives back exactly the schema the migrations made. SQLite's automatic indexes
    (a ``UNIQUE`` written in ``CREATE TABLE``) cannot be dropped and are not listed.
    """
    quote = connection.ops.quote_name
    found = []
    if connection.vendor == "sqlite":
        cursor.execute(_SQLITE_INDEXES, [table])
        for name, sql, first in cursor.fetchall():
            found.append(SecondaryIndex(table, name, first or "", sql, f"DROP INDEX {quote(name)}"))
    elif connection.vendor == "postgresql":
        cursor.execute(_POSTGRESQL_INDEXES, [table])
        for name, indexdef, first, constraint, definition in cursor.fetchall():
            if constraint:
                create = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {definition}"
                drop = f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}"
            else:
                create, drop = indexdef, f"DROP INDEX {quote(name)}"
            found.append(SecondaryIndex(table, name, first or "", create, drop))
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        raise NotImplementedError(connection.vendor)
    return found


class DeferredIndexes:
    """Secondary indexes dropped for a bulk load inside the load's transaction, to be built again before commit.

    Growing an index row by row over random keys is far slower than building it once over sorted keys
    (what pg_restore and other bulk loaders do). Indexes whose first column is in ``keep`` stay: the
    load itself looks rows up through them. Both databases' DDL is transactional: if the transaction
    rolls back, the indexes are there as before; if building one fails, the whole load rolls back.
    On PostgreSQL ``DROP INDEX`` locks the table (``ACCESS EXCLUSIVE``) until the transaction ends.
    """

    def __init__(self, keep: Mapping[str, Iterable[str]]) -> None:
        self.keep = {table: set(columns) for table, columns in keep.items()}
        self.dropped: list[SecondaryIndex] = []
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.tables: list[str] = []
        self.checked_per_statement = False

    def drop(self, cursor: CursorWrapper, table: str) -> None:
        """Drop the table's secondary indexes but those kept, remembering their definitions.

        On PostgreSQL the foreign keys between tables loaded in bulk go too: checking each new row
        against its parent (at commit, for Django's deferred keys) takes longer than checking them
        all with one query when the key is added back. Keys to other tables (products, users) stay,
        so that no other table is locked.
        """
        kept = self.keep.get(table, set())
        self.tables.append(table)
        with self._checks_done(cursor):
            for index in secondary_indexes(cursor, table):
                if index.first_column not in kept:
                    cursor.execute(index.drop_sql)
                    self.dropped.append(index)
            if connection.vendor == "postgresql":
                cursor.execute(_FOREIGN_KEYS_BETWEEN, [self.tables, self.tables])
                quote = connection.ops.quote_name
                for child, name, definition in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {quote(child)} DROP CONSTRAINT {quote(name)}")
                    self.foreign_keys.append((child, name, definition))

    def restore(self, cursor: CursorWrapper) -> None:
        """Create the dropped indexes again, from their definitions, in the order they were listed."""
        if not self.dropped and not self.foreign_keys:
            return
        if connection.vendor == "postgresql":
            # Memory to sort each index's keys in, on the server, while they are built.
            settings = {"maintenance_work_mem": f"{POSTGRESQL_INDEX_BUILD_MEMORY_MB}MB"}
        else:
            # SQLite sorts the keys in this process, in a buffer as large as the page cache, beside it:
            # a smaller cache while the indexes are built keeps the import's memory where it was. Helper
            # threads sort parts of the keys at once, each in a buffer of its own: with two, and half the
            # cache, the timeline's indexes of a million-row file build in 6.7 s instead of 7.9 s in the
            # same memory (with 16 MB, 5.6 s for 32 MB more).
            settings = {"PRAGMA cache_size": str(-abs(SQLITE_INDEX_BUILD_CACHE_KIB)), "PRAGMA threads": str(SQLITE_SORT_THREADS)}
        before = {setting: _setting(cursor, setting, value) for setting, value in settings.items()}
        quote = connection.ops.quote_name
        with self._checks_done(cursor):
            while self.dropped:
                cursor.execute(self.dropped.pop(0).create_sql)
            while self.foreign_keys:
                child, name, definition = self.foreign_keys.pop(0)
                cursor.execute(f"ALTER TABLE {quote(child)} ADD CONSTRAINT {quote(name)} {definition}")
        for setting, value in before.items():
            _setting(cursor, setting, value)

    @contextmanager
    def checked_at_each_statement(self, tables: Sequence[str]) -> Iterator[None]:
        """Check the tables' foreign keys as each statement ends instead of at commit (PostgreSQL).

        Django's foreign keys are ``INITIALLY DEFERRED``: each row inserted queues a check that
        PostgreSQL runs at commit, one row at a time, in the importing thread, after everything else
        (10 s for a million-row file, for the keys to products and users that stay during a bulk
        load). Checked as each ``COPY`` ends, they run while the writer thread waits on the server and
        the importing thread validates the next rows. Each batch is written parents first, so every
        check finds its parent. The constraints are deferred again afterwards, for the rest of the
        transaction. SQLite checks deferred keys with a counter and needs none of this.
        """
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            _constraints_set(cursor, tables, "IMMEDIATE")
        self.checked_per_statement = True
        try:
            yield
        finally:
            self.checked_per_statement = False
            if connection.connection.info.transaction_status != psycopg_pq.TransactionStatus.INERROR:
                with connection.cursor() as cursor:
                    _constraints_set(cursor, tables, "DEFERRED")

    @contextmanager
    def _checks_done(self, cursor: CursorWrapper) -> Iterator[None]:
        """Run the foreign-key checks still pending on the loaded tables' rows, so that their indexes can change.

        PostgreSQL refuses to create or drop an index of a table whose rows have deferred checks pending:
        they are run now, as they would be at commit, and the constraints deferred again afterwards.
        None are pending while the keys are checked at each statement. SQLite has no such rule.
        """
        if connection.vendor != "postgresql" or self.checked_per_statement:
            yield
            return
        _constraints_set(cursor, self.tables, "IMMEDIATE")
        yield
        # The keys there are now: some may have been dropped or added meanwhile.
        _constraints_set(cursor, self.tables, "DEFERRED")


# The foreign keys from any of some tables to any of them (a table's key to itself included).
_FOREIGN_KEYS_BETWEEN = """
    SELECT t.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint AS con
    JOIN pg_class AS t ON t.oid = con.conrelid
    JOIN pg_class AS r ON r.oid = con.confrelid
    JOIN pg_namespace AS n ON n.oid = t.relnamespace
    WHERE con.contype = 'f' AND n.nspname = current_schema() AND r.relnamespace = n.oid
      AND t.relname = ANY(%s) AND r.relname = ANY(%s)
    ORDER BY t.relname, con.conname
"""
_DEFERRED_FOREIGN_KEYS = """
    SELECT con.conname FROM pg_constraint AS con
    JOIN pg_class AS t ON t.oid = con.conrelid
    JOIN pg_namespace AS n ON n.oid = t.relnamespace
    WHERE con.contype = 'f' AND con.condeferred AND n.nspname = current_schema() AND t.relname = ANY(%s)
    ORDER BY con.conname
"""


def _constraints_set(cursor: CursorWrapper, tables: Sequence[str], mode: str) -> None:
    """Make the deferrable foreign keys of the tables ``IMMEDIATE`` (running their pending checks) or ``DEFERRED``."""
    assert mode in ("IMMEDIATE", "DEFERRED")
    cursor.execute(_DEFERRED_FOREIGN_KEYS, [list(tables)])
    names = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
    if names:
        cursor.execute(f"SET CONSTRAINTS {names} {mode}")
