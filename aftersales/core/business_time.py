"""Business time: working hours, time zones, public holidays and company closed days.

Pure functions over a :class:`Calendar` value object; nothing here touches the database.

How a day's working time is found: each working interval is written in local wall time
("09:00–13:00 on Mondays") and turned into instants for that one date with ``zoneinfo``, so a
day that loses or gains an hour at a daylight-saving change has its real length. A wall time
that does not exist (the hour the clock skips in spring) opens or closes at the moment the clock
jumps; a wall time that happens twice (the hour repeated in autumn) means its first occurrence.
``24:00`` (an end written as ``00:00`` or 86,400 seconds) is the next day's midnight, so
consecutive days join without a gap and a 24×7 calendar is plain clock arithmetic.

Working intervals are half-open for :func:`is_open` (at 18:00 an office open until 18:00 is
closed), while :func:`business_add` returns the earliest instant at which the duration has
elapsed, which may be a closing time ("due Friday 18:00", not "due Monday 09:00").

Long durations skip whole weeks: seven days without a holiday, a closed day or a change of UTC
offset always hold the same working time, so they are counted at once instead of day by day.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays

UTC = dt.UTC
DAY_SECONDS = 86_400
WEEKDAYS = 7
# How far ahead to look for an opening before deciding that the calendar never opens again.
_HORIZON_DAYS = 3 * 366
_ZERO = dt.timedelta(0)
_DAY = dt.timedelta(days=1)

# One working interval in seconds after local midnight: (start, end), 0 <= start < end <= 86,400.
Interval = tuple[int, int]


@dataclass(frozen=True)
class Calendar:
    """When a business works: intervals per weekday (Monday = 0), its time zone and its closed days."""

    time_zone: str = "UTC"
    # Seven tuples (Monday … Sunday) of sorted, non-overlapping (start, end) seconds after local midnight.
    week: tuple[tuple[Interval, ...], ...] = ((), (), (), (), (), (), ())
    # ISO 3166 country code whose public holidays close the business ("ES"); blank for none.
    country: str = ""
    # The country's subdivision for regional holidays ("MD" for the Community of Madrid); blank for national only.
    subdivision: str = ""
    # Company dates on which nothing works (a summer closure, a local fair).
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.week) != WEEKDAYS:
            raise ValueError("A calendar needs intervals for seven weekdays (Monday first).")
        for intervals in self.week:
            previous_end = 0
            for start, end in intervals:
                if not (0 <= start < end <= DAY_SECONDS) or start < previous_end:
                    raise ValueError(f"Working intervals must be sorted, non-overlapping and within a day: {intervals!r}")
                previous_end = end
        if not any(self.week):
            raise ValueError("A calendar needs at least one working interval.")
        if not time_zone_is_known(self.time_zone):  # fail now, not at first use
            raise ValueError(f"Unknown time zone {self.time_zone!r}.")
        if self.country:
            subdivisions = _holiday_regions().get(self.country)
            if subdivisions is None:
                raise ValueError(f"No public holidays are known for the country {self.country!r}.")
            if self.subdivision and self.subdivision not in subdivisions:
                raise ValueError(f"{self.country} has no subdivision {self.subdivision!r}.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def week_seconds(self) -> int:
        """Return the working seconds of a week without holidays or offset changes."""
        return sum(end - start for intervals in self.week for start, end in intervals)


def calendar_build(
    *,
    time_zone: str,
    hours: Mapping[int, Iterable[tuple[dt.time, dt.time]]],
    country: str = "",
    subdivision: str = "",
    closed_dates: Iterable[dt.date] = (),
) -> Calendar:
    """Return a calendar from wall-clock intervals per weekday; an end of 00:00 means midnight at the day's end.

    Touching or overlapping intervals of one day are merged (09:00–13:00 and 13:00–18:00 is 09:00–18:00).
    """
    week: list[tuple[Interval, ...]] = []
    for weekday in range(WEEKDAYS):
        seconds = sorted(_interval_seconds(start, end) for start, end in hours.get(weekday, ()))
        merged: list[list[int]] = []
        for start, end in seconds:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        week.append(tuple((start, end) for start, end in merged))
    return Calendar(
        time_zone=time_zone,
        week=tuple(week),
        country=country.upper(),
        subdivision=subdivision,
        closed_dates=frozenset(closed_dates),
    )


def always_open(time_zone: str = "UTC") -> Calendar:
    """Return a 24×7 calendar: business time is clock time."""
    return Calendar(time_zone=time_zone, week=tuple(((0, DAY_SECONDS),) for _ in range(WEEKDAYS)))


def _interval_seconds(start: dt.time, end: dt.time) -> Interval:
    start_seconds = start.hour * 3600 + start.minute * 60 + start.second
    end_seconds = end.hour * 3600 + end.minute * 60 + end.second
    if end_seconds == 0:
        end_seconds = DAY_SECONDS
    if end_seconds <= start_seconds:
        raise ValueError(f"A working interval must end after it starts: {start}–{end}")
    return start_seconds, end_seconds


def time_zone_is_known(name: str) -> bool:
    """Return whether ``name`` is an IANA time zone this system knows."""
    if name not in _known_time_zones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return False
    return True


@functools.cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def holiday_regions() -> dict[str, list[str]]:
    """Return the countries with public holidays and each one's subdivisions."""
    return {code: list(subdivisions) for code, subdivisions in _holiday_regions().items()}


@functools.cache
def _holiday_regions() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()}


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year).keys())


def public_holidays(calendar: Calendar, year: int) -> dict[dt.date, str]:
    """Return the calendar's public holidays of a year with their names."""
    if not calendar.country:
        return {}
    found = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision or None, years=year)
    return dict(sorted(found.items()))


def is_closed_day(calendar: Calendar, day: dt.date) -> bool:
    """Return whether a local date is a public holiday or a company closed day."""
    if day in calendar.closed_dates:
        return True
    return bool(calendar.country) and day in _public_holidays(calendar.country, calendar.subdivision, day.year)


def _instant(day: dt.date, seconds: int, zone: ZoneInfo) -> dt.datetime:
    """Return the first instant at which the wall clock of ``zone`` reads ``seconds`` after midnight of ``day``."""
    wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    before = wall.replace(tzinfo=zone).astimezone(UTC)
    if before.astimezone(zone).replace(tzinfo=None) == wall:
        return before  # fold=0: the first of two readings in a repeated hour
    # The clock skips this reading: it happens at the jump, found to the second between the reading
    # under the offset after the jump (an instant before it) and under the offset before (after it).
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = int(before.timestamp())
    old_offset = dt.datetime.fromtimestamp(low, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, zone).utcoffset() == old_offset:
            low = middle
        else:
            high = middle
    return dt.datetime.fromtimestamp(high, UTC)


def day_intervals(calendar: Calendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return a local date's working intervals as UTC instants (none on a closed day)."""
    if is_closed_day(calendar, day):
        return []
    zone = calendar.zone
    intervals = []
    for start, end in calendar.week[day.weekday()]:
        opens, closes = _instant(day, start, zone), _instant(day, end, zone)
        if closes > opens:
            intervals.append((opens, closes))
    return intervals


def _local_date(calendar: Calendar, at: dt.datetime) -> dt.date:
    _require_aware(at)
    return at.astimezone(calendar.zone).date()


def _require_aware(at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("Business time needs aware datetimes.")


def _plain_week(calendar: Calendar, first_day: dt.date) -> bool:
    """Return whether seven days from ``first_day`` hold exactly the calendar's weekly working time."""
    zone = calendar.zone
    day_start = _instant(first_day, 0, zone)
    for index in range(WEEKDAYS):
        day = first_day + dt.timedelta(days=index)
        if is_closed_day(calendar, day):
            return False
        day_end = _instant(day + dt.timedelta(days=1), 0, zone)
        if day_end - day_start != _DAY:
            # The clock changes this day: plain only if no working interval spans the change.
            worked = sum((closes - opens for opens, closes in day_intervals(calendar, day)), _ZERO)
            if worked != dt.timedelta(seconds=sum(end - start for start, end in calendar.week[day.weekday()])):
                return False
        day_start = day_end
    return True


def _days_from(day: dt.date) -> Iterator[dt.date]:
    for index in range(_HORIZON_DAYS):
        yield day + dt.timedelta(days=index)
    raise ValueError("The calendar has no working time in the next three years.")


def is_open(calendar: Calendar, at: dt.datetime) -> bool:
    """Return whether the business is working at an instant (an interval's closing time is closed)."""
    day = _local_date(calendar, at)
    return any(opens <= at < closes for opens, closes in day_intervals(calendar, day))


def next_open(calendar: Calendar, at: dt.datetime) -> dt.datetime:
    """Return ``at`` if the business is working then, else the next opening."""
    day = _local_date(calendar, at)
    for current in _days_from(day - dt.timedelta(days=1)):
        for opens, closes in day_intervals(calendar, current):
            if closes > at:
                return max(opens, at)
    raise AssertionError("unreachable")  # pragma: no cover


def in_working_time(calendar: Calendar, at: dt.datetime) -> bool:
    """Return whether an instant lies in a working interval, its closing time included."""
    day = _local_date(calendar, at)
    days = (day - dt.timedelta(days=1), day)
    return any(opens <= at <= closes for current in days for opens, closes in day_intervals(calendar, current))


def business_add(calendar: Calendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """Return the earliest instant at which ``duration`` of working time has passed since ``start``.

    A start outside working time counts from the next opening; the result may be a closing time.
    """
    _require_aware(start)
    if duration < _ZERO:
        raise ValueError("Business time cannot be added backwards.")
    if duration == _ZERO:
        return start if in_working_time(calendar, start) else next_open(calendar, start)
    remaining = duration
    week = dt.timedelta(seconds=calendar.week_seconds)
    first_day = _local_date(calendar, start) - dt.timedelta(days=1)
    day = first_day
    horizon = first_day + dt.timedelta(days=_HORIZON_DAYS)
    while True:
        # Whole weeks after the start's own day are counted at once.
        if day > first_day + dt.timedelta(days=1) and remaining > week and _plain_week(calendar, day):
            weeks = 1
            while remaining > week * (weeks + 1) and _plain_week(calendar, day + dt.timedelta(days=7 * weeks)):
                weeks += 1
            remaining -= week * weeks
            day += dt.timedelta(days=7 * weeks)
            horizon += dt.timedelta(days=7 * weeks)
            continue
        for opens, closes in day_intervals(calendar, day):
            opens = max(opens, start)
            if closes <= opens:
                continue
            available = closes - opens
            if remaining <= available:
                return opens + remaining
            remaining -= available
        day += dt.timedelta(days=1)
        if day > horizon:
            raise ValueError("The calendar has no working time in the next three years.")


def business_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Return the working time between two instants (negative when ``end`` is before ``start``)."""
    _require_aware(start)
    _require_aware(end)
    if end < start:
        return -business_between(calendar, end, start)
    total = _ZERO
    week = dt.timedelta(seconds=calendar.week_seconds)
    first_day = _local_date(calendar, start) - dt.timedelta(days=1)
    last_day = _local_date(calendar, end) + dt.timedelta(days=1)
    day = first_day
    while day <= last_day:
        # Whole weeks strictly between the two ends' own days are counted at once.
        if day > first_day + dt.timedelta(days=1) and day + dt.timedelta(days=8) < last_day and _plain_week(calendar, day):
            total += week
            day += dt.timedelta(days=7)
            continue
        for opens, closes in day_intervals(calendar, day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > _ZERO:
                total += overlap
        day += dt.timedelta(days=1)
    return total
