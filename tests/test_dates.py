"""Property tests for calendar arithmetic: ``add_months`` never raises and clamps to the month's end."""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.dates import add_months

# Keep results inside the years a date can hold.
days = st.dates(min_value=dt.date(100, 1, 1), max_value=dt.date(9000, 12, 31))
months = st.integers(min_value=-1000, max_value=1000)


@given(days, months)
def test_add_months_never_raises_and_lands_in_the_right_month(day, count):
    result = add_months(day, count)

    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == count


@given(days, months)
def test_day_is_kept_or_clamped_to_the_last_day_of_the_month(day, count):
    result = add_months(day, count)
    last_day = calendar.monthrange(result.year, result.month)[1]

    assert result.day == min(day.day, last_day)


@given(days, st.integers(min_value=-50, max_value=50))
def test_adding_whole_years_keeps_the_month(day, years):
    result = add_months(day, 12 * years)

    assert result.month == day.month
    assert result.year == day.year + years
    assert result.day == day.day or (day.month, day.day, result.day) == (2, 29, 28)


@given(days, days, st.integers(min_value=0, max_value=600))
def test_later_start_never_ends_earlier(first, second, count):
    earlier, later = sorted([first, second])

    assert add_months(earlier, count) <= add_months(later, count)


@given(days, st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=600))
def test_more_months_never_end_earlier(day, first, second):
    fewer, more = sorted([first, second])

    assert add_months(day, fewer) <= add_months(day, more)


@given(days)
def test_zero_months_is_the_same_day(day):
    assert add_months(day, 0) == day


def test_known_month_ends():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)
    assert add_months(dt.date(2025, 1, 15), -1) == dt.date(2024, 12, 15)
