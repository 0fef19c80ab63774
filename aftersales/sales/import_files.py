"""Reading sales-history files: encodings, the CSV dialect, the header, and rows of the documented columns.

A file is read in chunks and yielded row by row, so that memory stays flat whatever its size.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, Text, interpolate

# The columns of the file, in the order of the documentation and the sample file.
COLUMNS: tuple[str, ...] = (
    "sale_number",
    "sale_date",
    "channel",
    "sales_rep",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_language",
    "customer_country",
    "customer_postal_code",
    "customer_city",
    "sku",
    "quantity",
    "unit_price",
    "serials",
    "delivered_on",
    "installed_on",
    "receipt_number",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("sale_number", "sale_date", "customer_name", "sku", "quantity", "unit_price")
# The columns of one sale line. The others describe the sale: its first row gives them, the next rows
# repeat them unchanged or leave them empty.
LINE_COLUMNS: tuple[str, ...] = ("sku", "quantity", "unit_price", "serials", "delivered_on", "installed_on")
SALE_COLUMNS: tuple[str, ...] = tuple(name for name in COLUMNS if name not in ("sale_number", *LINE_COLUMNS))
SERIAL_SEPARATOR = "|"
READ_CHUNK_BYTES = 1 << 20
_COLUMN_SET = frozenset(COLUMNS)


class Row(NamedTuple):
    """One row of the file with every column, in the order of ``COLUMNS``; missing optional columns are ""."""

    sale_number: str
    sale_date: str
    channel: str
    sales_rep: str
    customer_name: str
    customer_email: str
    customer_phone: str
    customer_language: str
    customer_country: str
    customer_postal_code: str
    customer_city: str
    sku: str
    quantity: str
    unit_price: str
    serials: str
    delivered_on: str
    installed_on: str
    receipt_number: str


assert Row._fields == COLUMNS


Progress = Callable[[int], None]
# (line, the row or None when it could not be split into columns, problems found while reading it)
Record = tuple[int, Row | None, list[FieldError]]


class Unreadable(Exception):
    """The input cannot be read any further; each error says why."""

    def __init__(self, *errors: FieldError) -> None:
        super().__init__(errors[0].reason if errors else "")
        self.errors = list(errors)


def _file_error(reason: Text, *, line: int = 1) -> FieldError:
    return FieldError(field="file", reason=reason, line=line, code="unreadable")


class _Decoder:
    """Decode UTF-8 (after an optional BOM), switching to Latin-1 at the first byte that is not UTF-8.

    The switch is safe only while everything decoded so far was ASCII, which reads the same in both;
    a file that is valid UTF-8 at first and not later is refused rather than half misread.
    """

    def __init__(self, *, utf8_declared: bool) -> None:
        self.utf8_declared = utf8_declared
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.latin1 = False
        self.only_ascii = True

    def decode(self, data: bytes, *, final: bool = False, line: int) -> str:
        if self.latin1:
            return data.decode("latin-1")
        buffered = self.decoder.getstate()[0]
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            pending = buffered + data
            if self.utf8_declared or not self.only_ascii or not pending[: exc.start].isascii():
                where = line + pending[: exc.start].count(b"\n")
                raise Unreadable(
                    _file_error(_("is not valid UTF-8 here although earlier lines are; save the whole file as UTF-8"), line=where)
                ) from exc
            self.latin1 = True
            return pending.decode("latin-1")
        if self.only_ascii and not text.isascii():
            self.only_ascii = False
        return text


def _text_lines(source: Any, progress: Progress | None) -> Iterator[str]:
    """Yield the lines of a byte stream as text, read in chunks so that memory stays flat."""
    chunk = source.read(READ_CHUNK_BYTES)
    if isinstance(chunk, str):
        raise TypeError("sales_import reads bytes: open the file in binary mode")
    utf8_declared = chunk.startswith(codecs.BOM_UTF8)
    if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in chunk[:4096]:
        raise Unreadable(
            _file_error(_("is not UTF-8 or Latin-1 text (it looks like UTF-16 or a binary file); save it as CSV UTF-8"))
        )
    decoder = _Decoder(utf8_declared=utf8_declared)
    if utf8_declared:
        if progress:
            progress(len(codecs.BOM_UTF8))
        chunk = chunk[len(codecs.BOM_UTF8) :]
    pending = ""
    lines_done = 0
    while chunk:
        if progress:
            progress(len(chunk))
        pending += decoder.decode(chunk, line=lines_done + 1)
        parts = pending.split("\n")
        pending = parts.pop()
        lines_done += len(parts)
        for part in parts:
            yield part + "\n"
        chunk = source.read(READ_CHUNK_BYTES)
    pending += decoder.decode(b"", final=True, line=lines_done + 1)
    if pending:
        yield pending


def _header_read(
    header_line: str, *, columns: tuple[str, ...] = COLUMNS, required: tuple[str, ...] = REQUIRED_COLUMNS
) -> tuple[str, list[str]]:
    """Return the delimiter and the column names of the header line, or raise naming each problem."""
    if not header_line.strip():
        raise Unreadable(_file_error(_("is empty; its first line must name the columns")))
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    names = [name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))]
    errors = []
    seen: set[str] = set()
    for name in names:
        if not name:
            continue
        if name not in columns:
            errors.append(
                FieldError(
                    field=name,
                    reason=interpolate(_("is not a known column; the columns are %(columns)s"), columns=", ".join(columns)),
                    line=1,
                )
            )
        elif name in seen:
            errors.append(FieldError(field=name, reason=_("appears twice in the header"), line=1, code="duplicate"))
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.append(FieldError(field=name, reason=_("required column is missing from the header"), line=1, code="required"))
    if errors:
        raise Unreadable(*errors)
    return delimiter, names


def csv_records(source: Any, progress: Progress | None) -> Iterator[Record]:
    """Yield each data row of a CSV file with its physical line number (the header is line 1)."""
    lines = _text_lines(source, progress)
    delimiter, names = _header_read(next(lines, ""))
    width = len(names)
    # Absent optional columns read the empty string appended at index ``width`` of each row.
    pick = itemgetter(*(names.index(name) if name in names else width for name in COLUMNS))
    make = Row._make
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Unreadable(
                _file_error(interpolate(_("cannot be read as CSV from here on: %(problem)s"), problem=str(exc)), line=line + 1)
            ) from exc
        start, line = line + 1, reader.line_num + 1
        if len(fields) != width:
            if not any(value.strip() for value in fields):
                continue  # blank line
            reason = interpolate(_("has %(count)s fields but the header has %(width)s"), count=len(fields), width=width)
            yield start, None, [FieldError(field="row", reason=reason, line=start, code="columns")]
            continue
        fields.append("")
        row = make(pick(fields))
        if not row.sale_number and not any(value.strip() for value in fields):
            continue  # a row of empty cells, as spreadsheets export
        yield start, row, []


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return SERIAL_SEPARATOR.join(str(item) for item in value)
    return str(value)


def batch_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[Record]:
    """Yield each mapping of a JSON batch as a row, its 1-based position standing for the line."""
    for index, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            yield index, None, [FieldError(field="row", reason=_("must be an object keyed by column"), line=index)]
            continue
        problems = [
            FieldError(field=str(key), reason=_("is not a known column"), line=index) for key in raw if key not in _COLUMN_SET
        ]
        yield index, Row._make(_as_text(raw.get(name)) for name in COLUMNS), problems


def csv_table(
    source: Any, *, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str] | None, list[FieldError]]]:
    """Yield each data row of another CSV file as a mapping of its known columns, read as sales files are.

    Same encodings (UTF-8 with or without BOM, else Latin-1), delimiter (comma or semicolon), header rules
    and line numbers; used by other capabilities' imports (survey results) so every import reads alike.
    """
    lines = _text_lines(source, None)
    delimiter, names = _header_read(next(lines, ""), columns=columns, required=required)
    width = len(names)
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Unreadable(
                _file_error(interpolate(_("cannot be read as CSV from here on: %(problem)s"), problem=str(exc)), line=line + 1)
            ) from exc
        start, line = line + 1, reader.line_num + 1
        if not any(value.strip() for value in fields):
            continue  # a blank line, or a row of empty cells
        if len(fields) != width:
            reason = interpolate(_("has %(count)s fields but the header has %(width)s"), count=len(fields), width=width)
            yield start, None, [FieldError(field="row", reason=reason, line=start, code="columns")]
            continue
        row = dict.fromkeys(columns, "")
        row.update({name: value.strip() for name, value in zip(names, fields, strict=True) if name})
        yield start, row, []
