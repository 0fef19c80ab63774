"""Dates written for people many times on one page: the localised format read once, applied per row.

``django.utils.formats.date_format`` looks the format up, splits it and builds a ``DateFormat`` for every
value it writes — about 15 µs, which a list of 50 rows pays 50 times. :class:`RowDateFormat` reads the
active language's format once and turns each of its characters into a small function. The characters of
the numeric formats (day, month, year, hour, minute, second) are written here exactly as Django writes
them; any other character is asked of Django's own ``DateFormat`` and remembered for the instance (by the
time of day or by the day, whichever it depends on), so the text is always Django's.

Make one per page (or per list), or ask :func:`row_date_format` for the one kept for the active language,
format and time zone: the remembered answers belong to one language and one format.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from operator import attrgetter

from django.utils import dateformat, formats, timezone, translation


def _two_digit_year(value: dt.datetime) -> int:
    return value.year % 100


# Django's numeric format characters: what each reads of the value and how it writes it (as
# ``django.utils.dateformat`` does).
_NUMERIC: dict[str, tuple[Callable[[dt.datetime], int], str]] = {
    "d": (attrgetter("day"), "%02d"),
    "j": (attrgetter("day"), "%d"),
    "m": (attrgetter("month"), "%02d"),
    "n": (attrgetter("month"), "%d"),
    "Y": (attrgetter("year"), "%04d"),
    "y": (_two_digit_year, "%02d"),
    "H": (attrgetter("hour"), "%02d"),
    "G": (attrgetter("hour"), "%d"),
    "i": (attrgetter("minute"), "%02d"),
    "s": (attrgetter("second"), "%02d"),
}
# The numeric characters that are one attribute of the value: a format of only these reads them all at once.
_ATTRIBUTES = {
    "d": "day",
    "j": "day",
    "m": "month",
    "n": "month",
    "Y": "year",
    "H": "hour",
    "G": "hour",
    "i": "minute",
    "s": "second",
}
# Characters whose text depends only on the hour and minute ("p.m.", "noon", "4:30"…) or only on the day
# ("March", "Wed", "4th"…): Django's answer for one value serves every value with the same key.
_TIME_OF_DAY = frozenset("aAfghP")
_DAY = frozenset("bDEFlLMNStwWz")


class RowDateFormat:
    """Write many datetimes in one of the active language's formats (``"SHORT_DATETIME_FORMAT"``…)."""

    # Answers remembered at most (the memory is emptied when full): a kept instance writes days for years.
    KEPT = 4096

    def __init__(self, format_name: str = "SHORT_DATETIME_FORMAT") -> None:
        self.format = str(formats.get_format(format_name))
        # Aware values are shown in the time zone current when the format was made.
        self.zone = timezone.get_current_timezone()
        self._remembered: dict[tuple[str, object], str] = {}
        # The format as literal text and format characters, as Django's ``Formatter`` splits it.
        pieces: list[tuple[bool, str]] = []
        for index, piece in enumerate(dateformat.re_formatchars.split(self.format)):
            if index % 2:
                pieces.append((True, piece))
            elif piece:
                pieces.append((False, dateformat.re_escaped.sub(r"\1", piece)))
        # A format of numbers only ("d/m/Y H:i", the usual short one) is one ``%`` operation per value.
        self._numbers_only = all(piece in _NUMERIC for is_character, piece in pieces if is_character)
        self._template, self._readers = "", ()
        self._read_all: Callable[[dt.datetime], tuple[int, ...]] | None = None
        if self._numbers_only:
            self._template = "".join(
                _NUMERIC[piece][1] if is_character else piece.replace("%", "%%") for is_character, piece in pieces
            )
            self._readers = tuple(_NUMERIC[piece][0] for is_character, piece in pieces if is_character)
            characters = [piece for is_character, piece in pieces if is_character]
            if len(characters) > 1 and all(character in _ATTRIBUTES for character in characters):
                # One C call returning the tuple of every value the format writes.
                self._read_all = attrgetter(*(_ATTRIBUTES[character] for character in characters))
        self._parts: list[str | Callable[[dt.datetime], str]] = [
            (self._number(piece) if piece in _NUMERIC else self._from_django(piece)) if is_character else piece
            for is_character, piece in pieces
        ]

    @staticmethod
    def _number(character: str) -> Callable[[dt.datetime], str]:
        read, written = _NUMERIC[character]
        return lambda value: written % read(value)

    def _from_django(self, character: str) -> Callable[[dt.datetime], str]:
        def write(value: dt.datetime) -> str:
            if character in _TIME_OF_DAY:
                key: object = (value.hour, value.minute)
            elif character in _DAY:
                key = value.date()
            else:
                return str(getattr(dateformat.DateFormat(value), character)())
            found = self._remembered.get((character, key))
            if found is None:
                if len(self._remembered) >= self.KEPT:
                    self._remembered.clear()
                found = self._remembered[(character, key)] = str(getattr(dateformat.DateFormat(value), character)())
            return found

        return write

    def __call__(self, value: dt.datetime) -> str:
        """Return ``value`` (aware: shown in the current time zone) as ``date_format`` would write it."""
        if value.tzinfo is not None:
            value = value.astimezone(self.zone)
        if self._read_all is not None:
            return self._template % self._read_all(value)
        if self._numbers_only:
            return self._template % tuple(read(value) for read in self._readers)
        return "".join([part if isinstance(part, str) else part(value) for part in self._parts])


def row_date_format(format_name: str = "SHORT_DATETIME_FORMAT") -> RowDateFormat:
    """Return the ``RowDateFormat`` kept for the active language, the current time zone and a format."""
    return _kept(format_name, translation.get_language(), timezone.get_current_timezone_name())


@functools.lru_cache(maxsize=64)
def _kept(format_name: str, language: str | None, zone: str) -> RowDateFormat:
    with translation.override(language), timezone.override(zone):
        return RowDateFormat(format_name)
