"""Import of sales history from a CSV file or a JSON batch, validated in full and written all or nothing.

The file is streamed (``import_files``): it is read in chunks, validated row by row with the sales and
customer validators, and written in batches inside one transaction while no row has failed. After the
first bad row the import keeps validating, to report every bad row, but writes nothing more, and the
transaction is rolled back at the end. Sale numbers and serials read after that point go to a temporary
table instead of the real ones, so memory stays flat either way.

Rows go to the tables through the driver (``bulk``), written by a second thread while the next batch
is validated. Once the import has added more rows to a table than it held (and ``BULK_LOAD_MIN_ROWS``
at least), the table is loaded in bulk: its secondary indexes are dropped and built again before
commit (``bulk.DeferredIndexes``). See docs/import.md for the rules and docs/performance.md for the
figures.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from json.encoder import encode_basestring_ascii as json_string  # type: ignore[attr-defined]
from operator import itemgetter
from typing import Any, BinaryIO, NamedTuple

from django.conf import settings
from django.core.files import File
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product
from aftersales.core.errors import FieldError, Text, interpolate
from aftersales.core.models import TimelineEvent, User
from aftersales.core.statistics import planner_statistics_refresh
from aftersales.core.timeline import kind_get
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_clean
from aftersales.sales.bulk import (
    BackgroundWriter,
    DeferredIndexes,
    KeyAllocator,
    Table,
    chunks,
    database_tuned,
    largest_key,
    lookup,
    model_field,
    select,
)
from aftersales.sales.import_files import (
    COLUMNS,
    LINE_COLUMNS,
    REQUIRED_COLUMNS,
    SALE_COLUMNS,
    SERIAL_SEPARATOR,
    Progress,
    Record,
    Row,
    Unreadable,
    batch_records,
    csv_records,
)
from aftersales.sales.models import Sale, SaleLine, Unit
from aftersales.sales.services import moment_check, sale_header_clean, sale_line_clean
from aftersales.sales.signals import sales_recorded

__all__ = [
    "COLUMNS",
    "LINE_COLUMNS",
    "MAX_ERRORS_KEPT",
    "REQUIRED_COLUMNS",
    "SALE_COLUMNS",
    "ImportReport",
    "sales_import",
    "sales_import_rows",
]

MAX_ERRORS_KEPT = 1000
BATCH_ROWS = 5000
# Largest values the columns hold (DecimalField(12, 2), PositiveIntegerField, DecimalField(14, 2)).
MAX_UNIT_PRICE = Decimal("9999999999.99")
MAX_QUANTITY = 2_147_483_647
MAX_SALE_TOTAL = Decimal("999999999999.99")
# customer_clean (and the date checks) run once per distinct input; a memo is emptied when full.
CUSTOMER_MEMO_SIZE = 20_000
# A bulk load: once the import has added this many rows to a table, and more than the table held before
# it, the table's secondary indexes are dropped and built again before commit (see ``DeferredIndexes``).
# A small import, or one into tables that already hold more, keeps them and locks nothing more.
BULK_LOAD_MIN_ROWS = 50_000

logger = logging.getLogger(__name__)
_SALE_KEY = itemgetter(*(COLUMNS.index(name) for name in SALE_COLUMNS))
_HEADER_FIELDS = {"number": "sale_number", "sold_on": "sale_date", "channel": "channel"}
_CUSTOMER_FIELDS = ("name", "email", "phone", "language", "country", "postal_code", "city")
_CUSTOMER_MAX_LENGTHS = {name: model_field(Customer, name).max_length for name in _CUSTOMER_FIELDS}
_RECEIPT_MAX_LENGTH = model_field(Sale, "receipt_number").max_length or 64
_EVENT_KINDS = ("customer_created", "sale_recorded", "sold", "delivered", "installed")
_SALES_BY_NUMBER = select(Sale, "number id", "number")
_UNITS_BY_SERIAL = select(Unit, "product serial id", "serial")
_CUSTOMERS_BY_EMAIL = select(Customer, "email id", "email")
_CUSTOMERS_BY_PHONE = select(Customer, "phone id", "phone", " ORDER BY 2 DESC")
# The columns the import looks rows up by (above): their indexes stay during a bulk load.
_LOOKUP_COLUMNS = {
    model._meta.db_table: [str(model_field(model, name).column) for name in names]
    for model, names in ((Sale, ["number"]), (Unit, ["serial"]), (Customer, ["email", "phone"]))
}


def _too_long(limit: int) -> Text:
    return interpolate(_("is longer than %(limit)s characters"), limit=limit)


@dataclass
class ImportReport:
    """What an import read, wrote and refused; when ``errors`` is not empty nothing was written."""

    rows: int = 0
    sales_created: int = 0
    sales_skipped: int = 0
    customers_created: int = 0
    customers_matched: int = 0
    units_created: int = 0
    errors: list[FieldError] = field(default_factory=list)
    error_count: int = 0
    # Tables loaded in bulk: their secondary indexes were dropped for the load and built again before
    # commit (or put back by the rollback).
    bulk_loaded_tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error_add(self, error: FieldError) -> None:
        """Count an error, keeping the first ``MAX_ERRORS_KEPT`` of them."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)


def sales_import(*, actor: User | None, source: BinaryIO | File, progress: Progress | None = None) -> ImportReport:
    """Import a CSV of sales in one transaction; write nothing when any row is invalid.

    ``progress`` is called with the number of bytes read since its previous call.
    """
    importer = _Importer(actor=actor)
    importer.run(csv_records(source, progress))
    return importer.report


def sales_import_rows(*, actor: User | None, rows: Iterable[Mapping[str, Any]], progress: Progress | None = None) -> ImportReport:
    """Import a batch of sales given as mappings keyed by the CSV columns; same rules as a CSV file.

    Errors name the row by its 1-based position in the batch. ``progress`` is called with the number of
    rows handled since its previous call.
    """
    importer = _Importer(actor=actor, rows_progress=progress)
    importer.run(batch_records(rows))
    return importer.report


# --- validating ----------------------------------------------------------------------------------


class _Line(NamedTuple):
    line: int
    product: Product | None
    quantity: int
    unit_price: Decimal | None
    serials: list[str]
    delivered_at: dt.datetime | None
    installed_at: dt.datetime | None


class _Sale:
    """A sale being read: its first row's values and its lines."""

    __slots__ = (
        "channel",
        "customer",
        "line",
        "lines",
        "number",
        "receipt_number",
        "rep_id",
        "sale_key",
        "skip",
        "sold_on",
        "total",
    )

    def __init__(self, *, number: str, line: int, sale_key: tuple[str, ...]) -> None:
        self.number = number
        self.line = line
        self.sale_key = sale_key
        self.sold_on: dt.date | None = None
        self.channel = ""
        self.rep_id: int | None = None
        self.customer: dict[str, Any] = {}
        self.receipt_number = ""
        self.lines: list[_Line] = []
        self.total = Decimal("0")
        self.skip = False


class _Rollback(Exception):
    """Raised inside the transaction to undo everything once some row was refused."""


class _Importer:
    def __init__(self, *, actor: User | None, rows_progress: Progress | None = None) -> None:
        self.report = ImportReport()
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.rows_progress = rows_progress
        self.writing = True
        self.batch: list[_Sale] = []
        self.batch_rows = 0
        self.customer_memo: dict[tuple[str, ...], tuple[dict[str, Any], list[FieldError]]] = {}
        # Each delivery or installation date read, with its moment and the local day of that moment.
        self.moments: dict[str, tuple[dt.datetime | None, dt.date | None]] = {}
        self.matched_ids: set[int] = set()
        self.unwritten: _UnwrittenKeys | None = None

    def run(self, records: Iterator[Record]) -> None:
        started = time.perf_counter()
        try:
            self._run(records)
        except _Rollback:
            # Checks against the database run per batch, after the checks of each row: put lines back in order.
            self.report.errors.sort(key=lambda error: error.line or 0)
            report = self.report
            report.sales_created = report.customers_created = report.customers_matched = report.units_created = 0
        else:
            self.report.customers_matched = len(self.matched_ids)
            if self.report.sales_created:
                # Many sales at once: receivers catch up set-based (see ``aftersales.sales.signals``).
                transaction.on_commit(lambda: sales_recorded.send(sender=Sale, sale_ids=None))
            if self.report.bulk_loaded_tables:
                # Tables that grew this much are no longer what SQLite's planner was told (0.1 s at a
                # million rows); the hourly sweep would otherwise catch up later.
                transaction.on_commit(planner_statistics_refresh)
        logger.debug(
            "Sales import: %d rows, %d errors, %.1f s, of which the database wrote rows for %.1f s",
            self.report.rows,
            self.report.error_count,
            time.perf_counter() - started,
            self.writer.background.busy_seconds,
        )

    @transaction.atomic
    def _run(self, records: Iterator[Record]) -> None:
        self._prepare()
        try:
            with database_tuned(), self.writer.deferred.checked_at_each_statement(self.writer.table_names):
                try:
                    self._consume(records)
                finally:
                    self.writer.wait()
                    self.report.bulk_loaded_tables = list(self.writer.deferred.tables)
                if not self.report.error_count:
                    self.writer.indexes_restore()
        except Unreadable as exc:
            for error in exc.errors:
                self._fail(error)
        if self.unwritten is not None:
            self.unwritten.drop()
        if self.report.error_count:
            raise _Rollback

    def _prepare(self) -> None:
        missing = [kind for kind in _EVENT_KINDS if kind_get(kind) is None]
        assert not missing, f"unregistered timeline kinds {missing}"
        self.now = timezone.now()
        # moment_check refuses a moment more than five minutes after its own now, never earlier than this
        # one: a moment up to here passes that check.
        self.moments_latest = self.now + dt.timedelta(minutes=5)
        self.currency = settings.DEFAULT_CURRENCY
        self.products = {product.sku: product for product in Product.objects.only("id", "sku", "name")}
        self.reps: dict[str, int | None] = {}
        for user_id, username, email in User.objects.filter(is_staff=True, is_active=True).values_list("id", "username", "email"):
            self.reps[username.lower()] = user_id
            if email:
                # None marks an email shared by several staff members: it names nobody.
                self.reps[email.lower()] = None if email.lower() in self.reps else user_id
        self.writer = _Writer(now=self.now, actor_id=self.actor_id)

    def _fail(self, error: FieldError) -> None:
        self.report.error_add(error)
        self.writing = False

    def _consume(self, records: Iterator[Record]) -> None:
        report = self.report
        current: _Sale | None = None
        for line, row, problems in records:
            report.rows += 1
            for problem in problems:
                self._fail(problem)
            if row is None:
                continue
            number = row.sale_number.strip()
            if current is not None and number and number == current.number:
                self._row_continue(current, line, row)
                continue
            if current is not None:
                self._sale_finish(current)
            current = self._sale_start(line, row, number)
        if current is not None:
            self._sale_finish(current)
        self._flush()

    def _sale_start(self, line: int, row: Row, number: str) -> _Sale:
        sale = _Sale(number=number, line=line, sale_key=_SALE_KEY(row))
        header, errors = sale_header_clean(number=number, sold_on=row.sale_date, channel=row.channel, line=line)
        for error in errors:
            self._fail(replace(error, field=_HEADER_FIELDS.get(error.field, error.field)))
        sale.number, sale.sold_on, sale.channel = header["number"], header["sold_on"], header["channel"]
        rep = row.sales_rep.strip()
        if rep:
            sale.rep_id = self.reps.get(rep.lower())
            if sale.rep_id is None:
                reason = (
                    _("names several staff members; use the username")
                    if rep.lower() in self.reps
                    else interpolate(_("no staff member with username or email %(value)r"), value=rep)
                )
                self._fail(FieldError(field="sales_rep", reason=reason, line=line, code="unknown"))
        sale.customer = self._customer_clean(row, line)
        sale.receipt_number = row.receipt_number.strip()
        if len(sale.receipt_number) > _RECEIPT_MAX_LENGTH:
            self._fail(FieldError(field="receipt_number", reason=_too_long(_RECEIPT_MAX_LENGTH), line=line))
        self._line_add(sale, line, row)
        return sale

    def _customer_clean(self, row: Row, line: int) -> dict[str, Any]:
        key = (
            row.customer_name,
            row.customer_email,
            row.customer_phone,
            row.customer_language,
            row.customer_country,
            row.customer_postal_code,
            row.customer_city,
        )
        memo = self.customer_memo.get(key)
        if memo is None:
            cleaned, errors = customer_clean(dict(zip(_CUSTOMER_FIELDS, key)), prefix="customer_")
            failed = {error.field for error in errors}
            for name, limit in _CUSTOMER_MAX_LENGTHS.items():
                if limit and len(str(cleaned.get(name, ""))) > limit and f"customer_{name}" not in failed:
                    errors.append(FieldError(field=f"customer_{name}", reason=_too_long(limit)))
            if len(self.customer_memo) >= CUSTOMER_MEMO_SIZE:
                self.customer_memo.clear()
            memo = self.customer_memo[key] = (cleaned, errors)
        cleaned, errors = memo
        for error in errors:
            self._fail(replace(error, line=line))
        return cleaned

    def _row_continue(self, sale: _Sale, line: int, row: Row) -> None:
        sale_key = _SALE_KEY(row)
        if sale_key != sale.sale_key:
            for name, first, value in zip(SALE_COLUMNS, sale.sale_key, sale_key):
                if value.strip() and first != value:
                    reason = interpolate(
                        _("differs from line %(line)s of the same sale (%(value)r instead of %(first)r)"),
                        line=sale.line,
                        value=value,
                        first=first,
                    )
                    self._fail(FieldError(field=name, reason=reason, line=line, code="inconsistent"))
        self._line_add(sale, line, row)

    def _line_add(self, sale: _Sale, line: int, row: Row) -> None:
        sku = row.sku.strip()
        product = self.products.get(sku)
        serials = row.serials.split(SERIAL_SEPARATOR) if row.serials else []
        clean, errors = sale_line_clean(
            product=product, sku=sku, quantity=row.quantity, unit_price=row.unit_price, serials=serials, line=line
        )
        quantity, price = clean["quantity"], clean["unit_price"]
        if quantity > MAX_QUANTITY:
            errors.append(
                FieldError(field="quantity", reason=interpolate(_("is larger than %(limit)s"), limit=MAX_QUANTITY), line=line)
            )
        if price is not None and price > MAX_UNIT_PRICE:
            errors.append(
                FieldError(field="unit_price", reason=interpolate(_("is larger than %(limit)s"), limit=MAX_UNIT_PRICE), line=line)
            )
        delivered = self._moment(row.delivered_on, "delivered_on", sale.sold_on, line)
        installed = self._moment(row.installed_on, "installed_on", sale.sold_on, line)
        if delivered is not None and installed is not None and installed < delivered:
            errors.append(FieldError(field="installed_on", reason=_("is before delivered_on"), line=line))
        for error in errors:
            self._fail(error)
        if not errors and price is not None:
            sale.total += price * quantity
        sale.lines.append(_Line(line, product, quantity, price, clean["serials"], delivered, installed))
        self.batch_rows += 1

    def _moment(self, raw: str, column: str, sale_day: dt.date | None, line: int) -> dt.datetime | None:
        text = raw.strip()
        if not text:
            return None
        memo = self.moments.get(text)
        if memo is None:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                memo = (None, None)
            else:
                # Imported moments carry no time of day: take noon, or now for today.
                when = min(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), self.now)
                memo = (when, timezone.localtime(when).date())
            if len(self.moments) >= CUSTOMER_MEMO_SIZE:
                self.moments.clear()
            self.moments[text] = memo
        when, local_day = memo
        if when is None:
            reason = interpolate(_("%(value)r is not a date as YYYY-MM-DD"), value=raw)
            self._fail(FieldError(field=column, reason=reason, line=line))
        elif when > self.moments_latest or (sale_day and local_day and local_day < sale_day):
            # Only a moment that fails one of its checks goes through them all: they word the reasons.
            for error in moment_check(when, sale_day=sale_day, field=column):
                self._fail(replace(error, line=line))
        return when

    def _sale_finish(self, sale: _Sale) -> None:
        if sale.total > MAX_SALE_TOTAL:
            self._fail(
                FieldError(
                    field="unit_price",
                    reason=interpolate(_("the sale's total is larger than %(limit)s"), limit=MAX_SALE_TOTAL),
                    line=sale.line,
                )
            )
        self.batch.append(sale)
        if self.batch_rows >= BATCH_ROWS:
            self._flush()

    # --- checking against the database and writing, one batch at a time --------------------------

    def _flush(self) -> None:
        batch, rows = self.batch, self.batch_rows
        self.batch, self.batch_rows = [], 0
        if batch:
            # The previous batch must be in the database before this one is checked against it.
            self.writer.wait()
            with connection.cursor() as cursor:
                if self.writing:
                    self.writer.indexes_defer(cursor)
                self._numbers_check(batch, cursor)
                fresh = [sale for sale in batch if not sale.skip]
                self._serials_check(fresh, cursor)
                if self.writing:
                    self._write(fresh, cursor)
                else:
                    self._remember(fresh, cursor)
        if self.rows_progress and rows:
            self.rows_progress(rows)

    def _numbers_check(self, batch: list[_Sale], cursor: CursorWrapper) -> None:
        """Skip sales already recorded before this import; refuse a number the file uses twice."""
        numbers = [sale.number for sale in batch if sale.number]
        found: dict[str, int] = dict(lookup(cursor, _SALES_BY_NUMBER, numbers))
        remembered = self.unwritten.lines(cursor, "s", numbers) if self.unwritten else {}
        first_lines: dict[str, int] = {}
        for sale in batch:
            number = sale.number
            if not number:
                continue
            earlier = first_lines.get(number) or remembered.get(number)
            if earlier is not None:
                reason = interpolate(
                    _("sale %(number)r already appears at line %(line)s; keep the rows of a sale together"),
                    number=number,
                    line=earlier,
                )
            elif number in found and found[number] <= self.writer.ceiling(Sale):
                sale.skip = True
                self.report.sales_skipped += 1
                reason = None
            elif number in found:
                reason = interpolate(
                    _("sale %(number)r already appears earlier in this file; keep the rows of a sale together"), number=number
                )
            else:
                reason = None
            if reason is not None:
                self._fail(FieldError(field="sale_number", reason=reason, line=sale.line, code="duplicate"))
            first_lines.setdefault(number, sale.line)

    def _serials_check(self, sales: list[_Sale], cursor: CursorWrapper) -> None:
        """Refuse a serial already registered for the product, or given twice in the file."""
        keys = [
            (line.product.pk, serial, line.line, line.product.sku)
            for sale in sales
            for line in sale.lines
            if line.product is not None
            for serial in line.serials
        ]
        if not keys:
            return
        found = {
            (product_id, serial): unit_id
            for product_id, serial, unit_id in lookup(cursor, _UNITS_BY_SERIAL, [key[1] for key in keys])
        }
        remembered = (
            self.unwritten.lines(cursor, "u", [f"{pk}{SERIAL_SEPARATOR}{s}" for pk, s, *_ in keys]) if self.unwritten else {}
        )
        first_lines: dict[tuple[int, str], int] = {}
        unit_ceiling = self.writer.ceiling(Unit)
        for product_id, serial, line, sku in keys:
            pair = (product_id, serial)
            earlier = first_lines.get(pair) or remembered.get(f"{product_id}{SERIAL_SEPARATOR}{serial}")
            if earlier == line:
                continue  # the same line lists it twice: sale_line_clean said so
            if earlier is not None:
                reason = interpolate(
                    _("serial %(serial)r of %(sku)s also appears at line %(line)s"), serial=serial, sku=sku, line=earlier
                )
            elif pair in found and found[pair] <= unit_ceiling:
                reason = interpolate(_("serial %(serial)r is already registered for %(sku)s"), serial=serial, sku=sku)
            elif pair in found:
                reason = interpolate(
                    _("serial %(serial)r of %(sku)s already appears earlier in this file"), serial=serial, sku=sku
                )
            else:
                first_lines[pair] = line
                continue
            self._fail(FieldError(field="serials", reason=reason, line=line, code="duplicate"))

    def _remember(self, sales: list[_Sale], cursor: CursorWrapper) -> None:
        """Keep the numbers and serials of rows that are not written, to catch their repeats further on."""
        if self.unwritten is None:
            self.unwritten = _UnwrittenKeys(cursor)
        self.unwritten.add(cursor, "s", [(sale.number, sale.line) for sale in sales if sale.number])
        self.unwritten.add(
            cursor,
            "u",
            [
                (f"{line.product.pk}{SERIAL_SEPARATOR}{serial}", line.line)
                for sale in sales
                for line in sale.lines
                if line.product is not None
                for serial in line.serials
            ],
        )

    def _customers_resolve(self, sales: list[_Sale], cursor: CursorWrapper) -> list[int]:
        """Return each sale's customer id: matched by email, else by phone, else a new customer."""
        by_email: dict[str, int] = dict(lookup(cursor, _CUSTOMERS_BY_EMAIL, [sale.customer.get("email", "") for sale in sales]))
        # Several customers may share a phone: the oldest one wins.
        by_phone: dict[str, int] = dict(lookup(cursor, _CUSTOMERS_BY_PHONE, [sale.customer.get("phone", "") for sale in sales]))
        ceiling = self.writer.ceiling(Customer)
        resolved = []
        for sale in sales:
            email, phone = sale.customer.get("email", ""), sale.customer.get("phone", "")
            customer_id = (by_email.get(email) if email else None) or (by_phone.get(phone) if phone else None)
            if customer_id is None:
                customer_id = self.writer.customer_add(sale.customer)
                self.report.customers_created += 1
                if email:
                    by_email[email] = customer_id
                if phone:
                    by_phone.setdefault(phone, customer_id)
            elif customer_id <= ceiling:
                self.matched_ids.add(customer_id)
            resolved.append(customer_id)
        return resolved

    def _write(self, sales: list[_Sale], cursor: CursorWrapper) -> None:
        writer = self.writer
        for sale, customer_id in zip(sales, self._customers_resolve(sales, cursor)):
            self.report.units_created += writer.sale_add(sale, customer_id=customer_id, currency=self.currency)
        self.report.sales_created += len(sales)
        writer.write()


# --- writing -------------------------------------------------------------------------------------


class _Writer:
    """The rows of the sales being imported, grouped per table, with the keys that link them."""

    def __init__(self, *, now: dt.datetime, actor_id: int | None) -> None:
        ops = connection.ops
        self.date = ops.adapt_datefield_value
        self.moment = ops.adapt_datetimefield_value
        self.now = now
        stamps = {"created_at": now, "updated_at": now}
        self.background = BackgroundWriter()
        with connection.cursor() as cursor:
            self.ids: dict[type[models.Model], KeyAllocator] = {
                model: KeyAllocator(model, cursor) for model in (Customer, Sale, SaleLine, Unit)
            }
            events_ceiling = largest_key(cursor, TimelineEvent)
        self.customers = Table(Customer, ("id", *_CUSTOMER_FIELDS), stamps)
        self.sales = Table(
            Sale,
            ("id", "number", "sold_on", "channel", "sales_rep_id", "customer_id", "receipt_number", "total", "currency"),
            {**stamps, "imported": True},
        )
        self.lines = Table(SaleLine, ("id", "sale_id", "position", "product_id", "quantity", "unit_price"), {})
        self.units = Table(
            Unit, ("id", "product_id", "serial", "sale_line_id", "customer_id", "delivered_at", "installed_at"), stamps
        )
        self.events = Table(
            TimelineEvent, ("customer_id", "unit_id", "kind", "occurred_at", "data"), {"recorded_at": now, "actor_id": actor_id}
        )
        self.noon: dict[dt.date, Any] = {}
        self.names: dict[int, str] = {}
        self.moments: dict[dt.datetime, Any] = {}
        # In the order each batch is written: parents first.
        self.tables = (self.customers, self.sales, self.lines, self.units, self.events)
        self.table_names = [table.db_table for table in self.tables]
        # At most as many rows as each table held before the import.
        self.held = {
            table.db_table: self.ids[table.model].ceiling if table.model in self.ids else events_ceiling for table in self.tables
        }
        self.deferred = DeferredIndexes(keep=_LOOKUP_COLUMNS)

    def ceiling(self, model: type[models.Model]) -> int:
        """Return the largest key the table held before the import."""
        return self.ids[model].ceiling

    def customer_add(self, cleaned: Mapping[str, Any]) -> int:
        customer_id = self.ids[Customer].next()
        self.customers.add((customer_id, *(cleaned.get(name, "") for name in _CUSTOMER_FIELDS)))
        self.events.add((customer_id, None, "customer_created", self._moment(self.now), "{}"))
        return customer_id

    def _moment(self, when: dt.datetime | None) -> Any:
        if when is None:
            return None
        value = self.moments.get(when)
        if value is None:
            value = self.moments[when] = self.moment(when)
        return value

    def sale_add(self, sale: _Sale, *, customer_id: int, currency: str) -> int:
        """Add a sale with its lines, units and timeline events; return how many units it has."""
        assert sale.sold_on is not None
        sale_id = self.ids[Sale].next()
        noon = self.noon.get(sale.sold_on)
        if noon is None:
            noon = self.noon[sale.sold_on] = self.moment(timezone.make_aware(dt.datetime.combine(sale.sold_on, dt.time(12))))
        self.sales.add(
            (
                sale_id,
                sale.number,
                self.date(sale.sold_on),
                sale.channel,
                sale.rep_id,
                customer_id,
                sale.receipt_number,
                sale.total,
                currency,
            )
        )
        number = json_string(sale.number)
        total = json_string(f"{sale.total} {currency}")
        # The same text json.dumps writes for these dicts, built from its string escaper: dumps costs 4x more.
        self.events.add((customer_id, None, "sale_recorded", noon, f'{{"sale": {number}, "total": {total}}}'))
        units = 0
        line_ids, unit_ids = self.ids[SaleLine], self.ids[Unit]
        for position, line in enumerate(sale.lines, start=1):
            product = line.product
            assert product is not None
            line_id = line_ids.next()
            self.lines.add((line_id, sale_id, position, product.pk, line.quantity, line.unit_price))
            delivered, installed = self._moment(line.delivered_at), self._moment(line.installed_at)
            # An installed unit was delivered at the latest when it was installed.
            delivered_at = installed if delivered is None else delivered
            for serial in line.serials:
                unit_id = unit_ids.next()
                self.units.add((unit_id, product.pk, serial, line_id, customer_id, delivered_at, installed))
                data = f'{{"product": {self._name(product)}, "serial": {json_string(serial)}, "sale": {number}}}'
                self.events.add((customer_id, unit_id, "sold", noon, data))
                if delivered is not None:
                    self.events.add((customer_id, unit_id, "delivered", delivered, data))
                if installed is not None:
                    self.events.add((customer_id, unit_id, "installed", installed, data))
            units += len(line.serials)
        return units

    def _name(self, product: Product) -> str:
        name = self.names.get(product.pk)
        if name is None:
            name = self.names[product.pk] = json_string(product.name)
        return name

    def write(self) -> None:
        """Hand the rows gathered so far to the background writer, parents before children."""
        self.background.submit([(table, table.take()) for table in self.tables])

    def indexes_defer(self, cursor: CursorWrapper) -> None:
        """Drop the secondary indexes of each table this import now loads in bulk; call between writes."""
        for table in self.tables:
            name = table.db_table
            if name not in self.deferred.tables and table.taken >= BULK_LOAD_MIN_ROWS and table.taken > self.held[name]:
                logger.debug("Sales import: loading %s in bulk (%d rows added, %d held)", name, table.taken, self.held[name])
                self.deferred.drop(cursor, name)

    def indexes_restore(self) -> None:
        """Build the dropped indexes again, once every row is written."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            self.deferred.restore(cursor)
        if self.deferred.tables:
            logger.debug(
                "Sales import: indexes of %s built again in %.1f s",
                ", ".join(self.deferred.tables),
                time.perf_counter() - started,
            )

    def wait(self) -> None:
        self.background.wait()


class _UnwrittenKeys:
    """Sale numbers and serials of rows read but not written, in a temporary table so memory stays flat."""

    TABLE = "aftersales_import_unwritten"

    def __init__(self, cursor: CursorWrapper) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.TABLE} "
            "(kind VARCHAR(1) NOT NULL, value VARCHAR(200) NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (kind, value))"
        )

    def lines(self, cursor: CursorWrapper, kind: str, values: Sequence[str]) -> dict[str, int]:
        """Return the first line of each value already kept."""
        found: dict[str, int] = {}
        for chunk in chunks(sorted(set(values))):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT value, line FROM {self.TABLE} WHERE kind = %s AND value IN ({marks})", [kind, *chunk])  # noqa: S608
            found.update(cursor.fetchall())
        return found

    def add(self, cursor: CursorWrapper, kind: str, items: Sequence[tuple[str, int]]) -> None:
        cursor.executemany(
            f"INSERT INTO {self.TABLE} (kind, value, line) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
            [(kind, value, line) for value, line in items],
        )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
