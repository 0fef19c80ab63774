"""Calendar arithmetic inside SQL, the same on SQLite and PostgreSQL as ``core.dates`` is in Python.

Sweeps over the whole installed base ask "whose warranty ends in 30 days?" or "whose six-monthly
check-in falls today?" in one query. These expressions compute such dates in the database:
``AddMonths`` clamps to the month's last day exactly like :func:`aftersales.core.dates.add_months`
(31 January + 1 month = 28/29 February), which PostgreSQL's interval arithmetic already does and
SQLite's ``date(…, '+1 month')`` does not (it rolls over into March), so SQLite gets the clamp
spelled out. The SQLite forms use only built-in functions (no Python callbacks), so they stay fast
on large tables; they read dates as ISO text, which is how Django stores them there.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import DateField, Func, IntegerField


class _DateFunc(Func):
    """A function compiled per database from its arguments' SQL, repeating their parameters where an argument is repeated."""

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:  # type: ignore[override]
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        pieces = self.build(connection.vendor, *(sql for sql, _params in compiled))
        params: list[Any] = []
        for index in pieces.order:
            params.extend(compiled[index][1])
        return pieces.sql, tuple(params)

    def build(self, vendor: str, *args: str) -> _Sql:
        raise NotImplementedError


class _Sql:
    """SQL text with the argument numbers its placeholders stand for, in order of appearance."""

    def __init__(self, template: str, *args: str) -> None:
        # ``{0}``, ``{1}``… in the template are the arguments' SQL; remember the order they appear in.
        self.order = [int(number) for number in re.findall(r"\{(\d)\}", template)]
        self.sql = template.format(*args)


class AddMonths(_DateFunc):
    """A date plus a number of months (negative to go back), clamped to the month's last day."""

    output_field = DateField()
    arity = 2

    def build(self, vendor: str, *args: str) -> _Sql:
        if vendor == "postgresql":
            # Adding an interval of months to a date rolls back to the month's end, as add_months does.
            return _Sql("CAST(CAST({0} AS date) + make_interval(months => CAST({1} AS integer)) AS date)", *args)
        # The same day number in the target month, capped by that month's last day; ISO dates compare as
        # text, so MIN picks the earlier of the two.
        first = "date({0}, 'start of month', ({1}) || ' months')"
        candidate = "date(" + first + ", (CAST(substr({0}, 9, 2) AS INTEGER) - 1) || ' days')"
        last = "date(" + first + ", '+1 month', '-1 day')"
        return _Sql(f"MIN({candidate}, {last})", *args)


class AddDays(_DateFunc):
    """A date plus a whole number of days (negative to go back)."""

    output_field = DateField()
    arity = 2

    def build(self, vendor: str, *args: str) -> _Sql:
        if vendor == "postgresql":
            return _Sql("(CAST({0} AS date) + CAST({1} AS integer))", *args)
        return _Sql("date({0}, ({1}) || ' days')", *args)


class MonthIndex(_DateFunc):
    """The months since year 0 of a date (year × 12 + month − 1), so months between two dates is a subtraction."""

    output_field = IntegerField()
    arity = 1

    def build(self, vendor: str, *args: str) -> _Sql:
        if vendor == "postgresql":
            return _Sql("(CAST(EXTRACT(YEAR FROM {0}) AS integer) * 12 + CAST(EXTRACT(MONTH FROM {0}) AS integer) - 1)", *args)
        return _Sql("(CAST(substr({0}, 1, 4) AS INTEGER) * 12 + CAST(substr({0}, 6, 2) AS INTEGER) - 1)", *args)


class UtcDay(_DateFunc):
    """The calendar day in UTC of a stored moment, in built-in functions (its local day is this day or one beside it)."""

    output_field = DateField()
    arity = 1

    def build(self, vendor: str, *args: str) -> _Sql:
        if vendor == "postgresql":
            return _Sql("CAST(({0} AT TIME ZONE 'UTC') AS date)", *args)
        # Moments are stored as UTC text ("2026-06-15 08:30:00"): the date is its first ten characters.
        return _Sql("date({0})", *args)


class DayOfMonth(_DateFunc):
    """The day number (1–31) of a date."""

    output_field = IntegerField()
    arity = 1

    def build(self, vendor: str, *args: str) -> _Sql:
        if vendor == "postgresql":
            return _Sql("CAST(EXTRACT(DAY FROM {0}) AS integer)", *args)
        return _Sql("CAST(substr({0}, 9, 2) AS INTEGER)", *args)
