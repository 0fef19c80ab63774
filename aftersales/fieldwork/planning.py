"""Slot arithmetic on plain values: working windows, free gaps with travel buffers, the start-time grid, ranking.

:mod:`aftersales.fieldwork.slots` reads who could go from the database and hands each person to
:func:`slots_plan` as a :class:`Candidate`; nothing here touches the database.

Inside a day everything is whole microseconds since the epoch (UTC): a working window comes from
:func:`aftersales.core.business_time.day_intervals` once per calendar and day of a proposal, however many
people share that calendar, and only the proposed starts become datetimes again. Days are planned in
order for everyone at once, and planning stops as soon as the slots found so far are sure to be the
first ones of the ranking: the ranking puts the earlier day first, so once enough slots lie on days that
no later working day can reach, later days cannot change the answer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from aftersales.core import business_time

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)

# An interval in whole microseconds since the epoch: (start, end).
Span = tuple[int, int]
# Dates from (inclusive) and until (inclusive or open when None): an absence, a certification's validity.
DateRange = tuple[dt.date, dt.date | None]


def microseconds(at: dt.datetime) -> int:
    """Return an aware instant as whole microseconds since the epoch."""
    return (at - EPOCH) // MICROSECOND


def instant(micros: int) -> dt.datetime:
    """Return the UTC instant that lies a number of microseconds after the epoch."""
    return EPOCH + dt.timedelta(microseconds=micros)


def business_zone() -> ZoneInfo:
    """Return the time zone visits are planned and shown in."""
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at: dt.datetime) -> dt.date:
    """Return the business-time-zone date of an instant."""
    return at.astimezone(business_zone()).date()


def zones_need_buffer(first: int | None, second: int | None) -> bool:
    """Return whether travel time is needed between visits in two zones (an unknown zone counts as another one)."""
    return first is None or second is None or first != second


@dataclass(frozen=True)
class Slot:
    """A time someone could go: who, from when to when, and how it ranks."""

    assignee_id: int
    assignee_name: str
    start: dt.datetime
    end: dt.datetime
    # The person speaks the customer's language (ranked first, never required).
    speaks_language: bool
    # Visits the person already has that day (the less loaded ranks first).
    load: int

    @property
    def day(self) -> dt.date:
        return local_day(self.start)


@dataclass(frozen=True)
class Booking:
    """A visit a person already has: its zone (None when unknown) and when it runs."""

    zone_id: int | None
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Candidate:
    """One person a proposal may offer, with what the arithmetic needs to know about them."""

    person_id: int
    name: str
    # When they work (their shifts under a calendar's time zone and holidays); None: never.
    calendar: business_time.Calendar | None
    speaks_language: bool
    # Their days off (first and last day, both included).
    absences: Sequence[tuple[dt.date, dt.date]] = ()
    # Per category the order needs, the validity of each of their certifications covering it; a day on
    # which some category has no valid one is not offered. Empty: no certification needed.
    certifications: Sequence[Sequence[DateRange]] = ()

    def certified_on(self, day: dt.date) -> bool:
        """Return whether every category of the order is covered by a certification valid on a day."""
        return all(
            any(certified_on <= day and (expires_on is None or day <= expires_on) for certified_on, expires_on in covering)
            for covering in self.certifications
        )

    def absent_on(self, day: dt.date) -> bool:
        """Return whether a day is one of the person's days off."""
        return any(first <= day <= last for first, last in self.absences)


def free_starts(
    windows: Sequence[Span], busy: Sequence[Span], *, duration: int, step: int, not_before: int, limit: int
) -> list[int]:
    """Return up to ``limit`` starts, earliest first, of a visit that fits a day's working windows around busy time.

    Starts sit on a grid from each window's opening (so they read 09:00, 09:30… on the wall clock), at or
    after ``not_before``; ``busy`` is sorted by start.
    """
    starts: list[int] = []
    if limit <= 0:
        return starts
    for opens, closes in windows:
        cursor = opens
        gaps: list[Span] = []
        for busy_start, busy_end in busy:
            if busy_start >= closes:
                break  # sorted by start: nothing later reaches into this window
            if busy_end <= cursor:
                continue
            if busy_start > cursor:
                gaps.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
        if cursor < closes:
            gaps.append((cursor, closes))
        for free_start, free_end in gaps:
            earliest = max(free_start, not_before)
            start = opens - ((opens - earliest) // step) * step  # the first grid point at or after ``earliest``
            last = free_end - duration
            while start <= last:
                starts.append(start)
                if len(starts) == limit:
                    return starts
                start += step
    return starts


def _first_instant_of(day: dt.date, time_zone: str) -> dt.datetime:
    """Return the first instant at which a zone's local date is ``day`` (midnight, or the jump when the clock skips it)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(time_zone))


def _dates_only_advance(first: dt.date, last: dt.date) -> bool:
    """Return whether the business date never goes back between two dates (no clock set back across midnight)."""
    zone = business_zone()
    day = first
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        offset, offset_later = midnight.utcoffset(), midnight.replace(fold=1).utcoffset()
        assert offset is not None and offset_later is not None
        if offset > offset_later:  # this midnight happens twice: the date goes back for a while
            return False
        day += dt.timedelta(days=1)
    return True


def bookings_needed_until(candidates: Sequence[Candidate], day: dt.date, travel_buffer: dt.timedelta) -> dt.datetime:
    """Return the instant before which a booking must start to matter for planning the days up to ``day``.

    A day's working windows close by the next midnight of their calendar's zone, and its load counts the
    visits starting on that business day; a visit that starts a travel buffer after both touches neither.
    """
    zones = {candidate.calendar.time_zone for candidate in candidates if candidate.calendar is not None}
    zones.add(settings.TIME_ZONE)
    return max(_first_instant_of(day + dt.timedelta(days=1), zone) for zone in zones) + travel_buffer


def slots_plan(
    candidates: Sequence[Candidate],
    *,
    from_day: dt.date,
    days: int,
    limit: int,
    per_day: int,
    duration: dt.timedelta,
    step: dt.timedelta,
    travel_buffer: dt.timedelta,
    zone_id: int | None,
    not_before: dt.datetime,
    bookings: Mapping[int, Sequence[Booking]],
    bookings_until: dt.datetime | None = None,
    later_bookings: Callable[[], Mapping[int, Sequence[Booking]]] | None = None,
) -> list[Slot]:
    """Return the first ``limit`` slots: earliest day first; per day the customer's language, then the least loaded.

    Each person offers at most ``per_day`` starts for each day of their calendar, for a visit of
    ``duration`` in the zone ``zone_id``, keeping ``travel_buffer`` free around their ``bookings`` (by
    person id) in other zones. When ``bookings`` holds only the visits starting before ``bookings_until``,
    ``later_bookings`` returns the others, and is called once, if planning reaches a day they can touch.
    """
    limit = max(1, limit)
    duration_us, step_us, not_before_us = duration // MICROSECOND, step // MICROSECOND, microseconds(not_before)
    buffer_us = travel_buffer // MICROSECOND
    busy: list[list[Span]] = [[] for _candidate in candidates]
    loads: list[dict[dt.date, int]] = [defaultdict(int) for _candidate in candidates]

    def book(known: Mapping[int, Sequence[Booking]]) -> None:
        for index, candidate in enumerate(candidates):
            for booking in known.get(candidate.person_id, ()):
                gap = buffer_us if zones_need_buffer(booking.zone_id, zone_id) else 0
                busy[index].append((microseconds(booking.start) - gap, microseconds(booking.end) + gap))
                loads[index][local_day(booking.start)] += 1
            busy[index].sort()

    book(bookings)
    time_zones = {candidate.calendar.time_zone for candidate in candidates if candidate.calendar is not None}
    # Stopping early, and reading later bookings only when needed, rely on a later instant never falling on
    # an earlier business date (asked once, when needed).
    dates_advance: bool | None = None

    def advancing() -> bool:
        nonlocal dates_advance
        if dates_advance is None:
            dates_advance = _dates_only_advance(from_day - dt.timedelta(days=2), from_day + dt.timedelta(days=days + 2))
        return dates_advance

    # Working windows of a calendar on a day, shared by everyone on that calendar.
    windows_known: dict[tuple[business_time.Calendar, dt.date], list[Span]] = {}
    ranked: list[tuple[tuple[dt.date, bool, int, dt.datetime, str, int], Slot]] = []
    for offset in range(days):
        day = from_day + dt.timedelta(days=offset)
        if (
            later_bookings is not None
            and bookings_until is not None
            and (not advancing() or bookings_needed_until(candidates, day, travel_buffer) > bookings_until)
        ):
            book(later_bookings())
            later_bookings = None
        for index, candidate in enumerate(candidates):
            calendar = candidate.calendar
            if calendar is None or not candidate.certified_on(day) or candidate.absent_on(day):
                continue
            windows = windows_known.get((calendar, day))
            if windows is None:
                intervals = business_time.day_intervals(calendar, day)
                windows = [(microseconds(opens), microseconds(closes)) for opens, closes in intervals]
                windows_known[calendar, day] = windows
            if not windows:
                continue
            starts = free_starts(
                windows, busy[index], duration=duration_us, step=step_us, not_before=not_before_us, limit=per_day
            )
            load = loads[index].get(day, 0)
            for start in starts:
                slot = Slot(
                    assignee_id=candidate.person_id,
                    assignee_name=candidate.name,
                    start=instant(start),
                    end=instant(start + duration_us),
                    speaks_language=candidate.speaks_language,
                    load=load,
                )
                # The position among the candidates settles full ties as the order of the candidates.
                ranked.append(((slot.day, not slot.speaks_language, slot.load, slot.start, slot.assignee_name, index), slot))
        if time_zones and len(ranked) >= limit and advancing():
            # Every later day of every calendar starts on or after this business day: slots before it are final.
            reachable = min(local_day(_first_instant_of(day + dt.timedelta(days=1), zone)) for zone in time_zones)
            if sum(1 for key, _slot in ranked if key[0] < reachable) >= limit:
                break
    ranked.sort(key=lambda pair: pair[0])
    return [slot for _key, slot in ranked[:limit]]
