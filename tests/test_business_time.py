"""Property tests for business time: adding and measuring agree, results lie in working time, order is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.business_time import (
    DAY_SECONDS,
    Calendar,
    always_open,
    business_add,
    business_between,
    calendar_build,
    day_intervals,
    in_working_time,
    is_open,
    next_open,
)

UTC = dt.UTC
# Zones with both hemispheres' daylight saving, half- and quarter-hour offsets and changes at midnight.
ZONES = [
    "Europe/Madrid",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
    "UTC",
]
QUARTERS = DAY_SECONDS // 900


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    week = []
    for _weekday in range(7):
        # 0, 2 or 4 boundaries on a quarter-hour grid: a closed day, one interval or a split shift.
        count = draw(st.sampled_from([0, 0, 2, 2, 4]))
        points = sorted(draw(st.sets(st.integers(min_value=0, max_value=QUARTERS), min_size=count, max_size=count)))
        week.append(tuple((points[i] * 900, points[i + 1] * 900) for i in range(0, count, 2)))
    if not any(week):
        week[0] = ((9 * 3600, 18 * 3600),)
    country, subdivision = draw(st.sampled_from([("", ""), ("ES", ""), ("ES", "MD"), ("US", "NY")]))
    closed = draw(st.frozensets(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)), max_size=12))
    return Calendar(
        time_zone=draw(st.sampled_from(ZONES)), week=tuple(week), country=country, subdivision=subdivision, closed_dates=closed
    )


instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31), timezones=st.just(UTC))


@st.composite
def durations(draw: st.DrawFn, calendar: Calendar, weeks: int = 12) -> dt.timedelta:
    # Up to a number of weeks' working time, to the microsecond, so every case ends within the horizon.
    seconds = draw(st.integers(min_value=0, max_value=calendar.week_seconds * weeks))
    return dt.timedelta(seconds=seconds, microseconds=draw(st.integers(min_value=0, max_value=999_999)))


def between_day_by_day(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Measure without skipping weeks: the slow reference for the fast path."""
    total = dt.timedelta(0)
    day = start.astimezone(calendar.zone).date() - dt.timedelta(days=1)
    while day <= end.astimezone(calendar.zone).date():
        for opens, closes in day_intervals(calendar, day):
            total += max(dt.timedelta(0), min(closes, end) - max(opens, start))
        day += dt.timedelta(days=1)
    return total


common = settings(deadline=None, max_examples=150)


@common
@given(st.data())
def test_measuring_what_was_added_gives_the_duration_back(data):
    calendar = data.draw(calendars())
    start = data.draw(instants)
    duration = data.draw(durations(calendar))

    end = business_add(calendar, start, duration)

    assert business_between(calendar, start, end) == duration


@common
@given(st.data())
def test_the_result_always_lies_in_working_time(data):
    calendar = data.draw(calendars())
    start = data.draw(instants)

    end = business_add(calendar, start, data.draw(durations(calendar)))

    assert in_working_time(calendar, end)
    assert end >= start


@common
@given(st.data())
def test_more_time_never_ends_earlier(data):
    calendar = data.draw(calendars())
    start = data.draw(instants)
    shorter, longer = sorted([data.draw(durations(calendar)), data.draw(durations(calendar))])

    assert business_add(calendar, start, shorter) <= business_add(calendar, start, longer)


@common
@given(st.data())
def test_a_later_start_never_ends_earlier(data):
    calendar = data.draw(calendars())
    earlier, later = sorted([data.draw(instants), data.draw(instants)])
    duration = data.draw(durations(calendar, weeks=4))

    assert business_add(calendar, earlier, duration) <= business_add(calendar, later, duration)


@common
@given(st.data())
def test_adding_a_then_b_is_adding_a_plus_b(data):
    calendar = data.draw(calendars())
    start = data.draw(instants)
    first, second = data.draw(durations(calendar, weeks=6)), data.draw(durations(calendar, weeks=6))

    assert business_add(calendar, business_add(calendar, start, first), second) == business_add(calendar, start, first + second)


@common
@given(st.data())
def test_measuring_is_additive_and_matches_the_day_by_day_count(data):
    calendar = data.draw(calendars())
    first, middle, last = sorted([data.draw(instants), data.draw(instants), data.draw(instants)])

    whole = business_between(calendar, first, last)

    assert whole == business_between(calendar, first, middle) + business_between(calendar, middle, last)
    assert whole == between_day_by_day(calendar, first, last)
    assert dt.timedelta(0) <= whole <= last - first
    assert business_between(calendar, last, first) == -whole


@common
@given(st.sampled_from(ZONES), instants, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=800)))
def test_a_24x7_calendar_is_plain_clock_arithmetic(zone, start, duration):
    calendar = always_open(zone)

    assert business_add(calendar, start, duration) == start + duration
    assert business_between(calendar, start, start + duration) == duration
    assert is_open(calendar, start)


@common
@given(st.data())
def test_next_open_is_open_and_nothing_opens_before_it(data):
    calendar = data.draw(calendars())
    at = data.draw(instants)

    opening = next_open(calendar, at)

    assert opening >= at
    assert is_open(calendar, opening)
    assert business_between(calendar, at, opening) == dt.timedelta(0)


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(ValueError, match="at least one working interval"):
        Calendar(time_zone="Europe/Madrid")


def test_an_unknown_time_zone_or_region_is_refused():
    hours = {0: [(dt.time(9), dt.time(17))]}
    with pytest.raises(ValueError):
        calendar_build(time_zone="Europe/Atlantis", hours=hours)
    with pytest.raises(ValueError, match="country"):
        calendar_build(time_zone="UTC", hours=hours, country="XX")
    with pytest.raises(ValueError, match="subdivision"):
        calendar_build(time_zone="UTC", hours=hours, country="ES", subdivision="ZZ")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        business_add(always_open(), dt.datetime(2025, 1, 1, 9), dt.timedelta(hours=1))


def test_a_long_duration_counts_whole_weeks_instead_of_days(monkeypatch):
    # given a week-day calendar and five years of working time
    calendar = calendar_build(time_zone="Europe/Madrid", hours={d: [(dt.time(9), dt.time(18))] for d in range(5)})
    start = dt.datetime(2025, 1, 6, 8, tzinfo=UTC)
    looked_at: list[dt.date] = []
    from aftersales.core import business_time

    original = business_time.day_intervals

    def counting(calendar, day):
        looked_at.append(day)
        return original(calendar, day)

    monkeypatch.setattr(business_time, "day_intervals", counting)

    # when 250 weeks are added
    end = business_add(calendar, start, dt.timedelta(hours=45 * 250))

    # then the answer is right and far fewer than 1,750 days were walked through
    assert end.astimezone(calendar.zone) == dt.datetime(2029, 10, 19, 18, tzinfo=calendar.zone)
    assert len(looked_at) < 40
