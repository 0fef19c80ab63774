"""Hand-checked business-time cases: each row was worked out on a paper calendar.

Times are local wall times of the calendar's zone. 2025: Europe/Madrid changes to summer time on
Sunday 30 March (02:00 → 03:00) and back on Sunday 26 October (03:00 → 02:00); America/New_York on
Sunday 9 March and Sunday 2 November.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.core.business_time import (
    always_open,
    business_add,
    business_between,
    calendar_build,
    is_open,
    next_open,
)

MONDAY_TO_FRIDAY = range(5)


def office(**extra):
    """Mon–Fri 09:00–18:00 in Madrid with Spain's national holidays (the default calendar)."""
    hours = {day: [(dt.time(9), dt.time(18))] for day in MONDAY_TO_FRIDAY}
    return calendar_build(time_zone="Europe/Madrid", hours=hours, country="ES", **extra)


CALENDARS = {
    "office": office(),
    # 14 August 2025 closed by the company, the day before the Assumption (a national holiday).
    "office_closing_14_august": office(closed_dates=[dt.date(2025, 8, 14)]),
    # Split shift in Madrid, with the Community of Madrid's own holidays (2 May).
    "split_madrid": calendar_build(
        time_zone="Europe/Madrid",
        hours={day: [(dt.time(9), dt.time(13)), (dt.time(15), dt.time(18))] for day in MONDAY_TO_FRIDAY},
        country="ES",
        subdivision="MD",
    ),
    "new_york": calendar_build(
        time_zone="America/New_York", hours={day: [(dt.time(9), dt.time(17))] for day in MONDAY_TO_FRIDAY}, country="US"
    ),
    "always_madrid": always_open("Europe/Madrid"),
}

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)

# (why, calendar, start, duration, expected end), local wall times.
CASES = [
    ("within one day", "office", "2025-03-03 10:00", 2 * H, "2025-03-03 12:00"),
    ("Friday evening start runs into Monday", "office", "2025-03-07 17:00", 2 * H, "2025-03-10 10:00"),
    ("opened after hours on Friday starts on Monday", "office", "2025-03-07 19:30", 1 * H, "2025-03-10 10:00"),
    ("opened on Sunday starts on Monday", "office", "2025-03-09 12:00", 4 * H, "2025-03-10 13:00"),
    ("opened before opening time", "office", "2025-03-03 07:00", 30 * M, "2025-03-03 09:30"),
    ("ending exactly at closing time stays on Friday", "office", "2025-03-07 16:00", 2 * H, "2025-03-07 18:00"),
    ("one minute more goes to Monday", "office", "2025-03-07 16:00", 2 * H + M, "2025-03-10 09:01"),
    ("6 January (Epiphany) is a holiday in Spain", "office", "2025-01-03 17:00", 3 * H, "2025-01-07 11:00"),
    (
        "a company closed day before a national holiday",
        "office_closing_14_august",
        "2025-08-13 16:00",
        5 * H,
        "2025-08-18 12:00",
    ),
    ("split shift: the lunch break does not count", "split_madrid", "2025-03-03 12:00", 3 * H, "2025-03-03 17:00"),
    ("split shift: opened during lunch", "split_madrid", "2025-03-03 13:30", 1 * H, "2025-03-03 16:00"),
    ("1 May nationally and 2 May in Madrid", "split_madrid", "2025-04-30 17:00", 2 * H, "2025-05-05 10:00"),
    ("2 May is a working day for the national calendar", "office", "2025-04-30 17:00", 2 * H, "2025-05-02 10:00"),
    ("24×7 over the spring change: one hour more on the clock", "always_madrid", "2025-03-29 12:00", 24 * H, "2025-03-30 13:00"),
    ("24×7 over the autumn change: one hour less on the clock", "always_madrid", "2025-10-25 12:00", 24 * H, "2025-10-26 11:00"),
    ("office hours across the spring change keep wall-clock hours", "office", "2025-03-28 17:00", 2 * H, "2025-03-31 10:00"),
    ("office hours across the autumn change keep wall-clock hours", "office", "2025-10-24 16:00", 4 * H, "2025-10-27 11:00"),
    ("New York across the US spring change", "new_york", "2025-03-07 16:30", 1 * H, "2025-03-10 09:30"),
    ("Thanksgiving is a US holiday, the Friday after is not", "new_york", "2025-11-26 16:00", 2 * H, "2025-11-28 10:00"),
    ("two whole weeks", "office", "2025-02-03 09:00", 90 * H, "2025-02-14 18:00"),
    (
        "ten weeks over Good Friday, 1 May and the spring change",
        "office",
        "2025-03-24 09:00",
        450 * H,
        "2025-06-03 18:00",
    ),
]


def local(calendar_name, text):
    zone = ZoneInfo(CALENDARS[calendar_name].time_zone)
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(("why", "calendar_name", "start", "duration", "expected"), CASES, ids=[case[0] for case in CASES])
def test_reference_case(why, calendar_name, start, duration, expected):
    calendar = CALENDARS[calendar_name]

    end = business_add(calendar, local(calendar_name, start), duration)

    assert end == local(calendar_name, expected)
    assert business_between(calendar, local(calendar_name, start), end) == duration


def test_the_table_has_enough_hand_checked_cases():
    assert len(CASES) >= 15


def test_a_23_and_a_25_hour_day_in_madrid():
    calendar = CALENDARS["always_madrid"]

    spring = business_between(calendar, local("always_madrid", "2025-03-30 00:00"), local("always_madrid", "2025-03-31 00:00"))
    autumn = business_between(calendar, local("always_madrid", "2025-10-26 00:00"), local("always_madrid", "2025-10-27 00:00"))

    assert (spring, autumn) == (23 * H, 25 * H)


def test_office_hours_measured_across_the_spring_change():
    calendar = CALENDARS["office"]

    worked = business_between(calendar, local("office", "2025-03-28 09:00"), local("office", "2025-03-31 18:00"))

    assert worked == 18 * H


def test_the_same_local_opening_is_a_different_utc_time_in_summer():
    calendar = CALENDARS["office"]

    winter = next_open(calendar, dt.datetime(2025, 3, 22, 12, tzinfo=dt.UTC))
    summer = next_open(calendar, dt.datetime(2025, 4, 5, 12, tzinfo=dt.UTC))

    assert (winter.astimezone(dt.UTC).hour, summer.astimezone(dt.UTC).hour) == (8, 7)


def test_closing_time_is_closed_and_opening_time_is_open():
    calendar = CALENDARS["office"]

    assert is_open(calendar, local("office", "2025-03-03 09:00"))
    assert not is_open(calendar, local("office", "2025-03-03 18:00"))
    assert not is_open(calendar, local("office", "2025-01-06 10:00"))  # Epiphany
