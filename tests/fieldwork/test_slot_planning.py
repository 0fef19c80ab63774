"""The slot arithmetic gives what the straightforward per-person, per-day computation gives.

``planning.slots_plan`` shares working windows between people on one calendar, works in integer
microseconds, reads later bookings only when a day needs them and stops at the first days that settle the
ranking. The reference below does none of that: for every person and every day it asks
``business_time.day_intervals`` for the windows, cuts the free gaps around the bookings and walks the
start-time grid in datetimes, then ranks everything. Random shifts, bookings, days off, certifications,
holidays and closed days, around Madrid's spring and autumn clock changes, must give identical slots.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core import business_time
from aftersales.fieldwork import planning
from aftersales.fieldwork.planning import Booking, Candidate, Slot, bookings_needed_until, local_day, slots_plan

MADRID = ZoneInfo("Europe/Madrid")
QUARTER = 900
# Days around the clock changes of 2026 (29 March, 25 October) and a few ordinary ones.
FIRST_DAYS = [dt.date(2026, 3, 25) + dt.timedelta(days=n) for n in range(7)] + [
    dt.date(2026, 10, 21) + dt.timedelta(days=n) for n in range(7)
]
FIRST_DAYS += [dt.date(2026, 1, 5), dt.date(2026, 6, 1), dt.date(2026, 12, 24)]
# Mostly the business time zone; sometimes a calendar elsewhere, whose days straddle Madrid's.
ZONES = ["Europe/Madrid", "Europe/Madrid", "Europe/Madrid", "Atlantic/Canary", "America/New_York", "Asia/Tokyo"]


def reference(
    candidates, *, from_day, days, limit, per_day, duration, step, travel_buffer, zone_id, not_before, bookings
) -> list[Slot]:
    """Return the slots the plain way: every person, every day, datetimes throughout, then rank them all."""
    slots = []
    for candidate in candidates:
        if candidate.calendar is None:
            continue
        busy, load = [], defaultdict(int)
        for booking in bookings.get(candidate.person_id, ()):
            other_zone = booking.zone_id is None or zone_id is None or booking.zone_id != zone_id
            gap = travel_buffer if other_zone else dt.timedelta(0)
            # In UTC: arithmetic on datetimes in one zone is wall-clock arithmetic, an hour off across a change.
            start, end = booking.start.astimezone(dt.UTC), booking.end.astimezone(dt.UTC)
            busy.append((start - gap, end + gap))
            load[local_day(booking.start)] += 1
        busy.sort()
        for offset in range(days):
            day = from_day + dt.timedelta(days=offset)
            certified = all(
                any(on <= day and (until is None or day <= until) for on, until in covering)
                for covering in candidate.certifications
            )
            if not certified or any(first <= day <= last for first, last in candidate.absences):
                continue
            found = 0
            for opens, closes in business_time.day_intervals(candidate.calendar, day):
                free, cursor = [], opens
                for busy_start, busy_end in busy:
                    if busy_end <= cursor or busy_start >= closes:
                        continue
                    if busy_start > cursor:
                        free.append((cursor, busy_start))
                    cursor = max(cursor, busy_end)
                if cursor < closes:
                    free.append((cursor, closes))
                for free_start, free_end in free:
                    start = opens + -(-(free_start - opens) // step) * step
                    while start + duration <= free_end and found < per_day:
                        if start >= not_before:
                            slots.append(
                                Slot(
                                    assignee_id=candidate.person_id,
                                    assignee_name=candidate.name,
                                    start=start,
                                    end=start + duration,
                                    speaks_language=candidate.speaks_language,
                                    load=load[day],
                                )
                            )
                            found += 1
                        start += step
    slots.sort(key=lambda slot: (slot.day, not slot.speaks_language, slot.load, slot.start, slot.assignee_name))
    return slots[: max(1, limit)]


@st.composite
def calendars(draw: st.DrawFn, first_day: dt.date) -> business_time.Calendar:
    week = []
    for _weekday in range(7):
        # A day off, one shift or a split shift on a quarter-hour grid (some across the 02:00–03:00 change).
        count = draw(st.sampled_from([0, 2, 2, 4]))
        points = sorted(draw(st.sets(st.integers(min_value=0, max_value=96), min_size=count, max_size=count)))
        week.append(tuple((points[i] * QUARTER, points[i + 1] * QUARTER) for i in range(0, count, 2)))
    if not any(week):
        week[0] = ((9 * 3600, 18 * 3600),)
    country, subdivision = draw(st.sampled_from([("", ""), ("ES", ""), ("ES", "MD")]))
    closed = draw(st.frozensets(st.integers(min_value=-2, max_value=12), max_size=3))
    return business_time.Calendar(
        time_zone=draw(st.sampled_from(ZONES)),
        week=tuple(week),
        country=country,
        subdivision=subdivision,
        closed_dates=frozenset(first_day + dt.timedelta(days=n) for n in closed),
    )


@st.composite
def proposals(draw: st.DrawFn) -> tuple[list[Candidate], dict, dict]:
    from_day = draw(st.sampled_from(FIRST_DAYS))
    midnight = dt.datetime.combine(from_day, dt.time(), tzinfo=MADRID)
    days = draw(st.integers(min_value=1, max_value=9))
    shared = [draw(calendars(from_day)) for _ in range(2)]
    candidates, bookings = [], {}
    for person_id in range(1, draw(st.integers(min_value=1, max_value=5)) + 1):
        calendar = draw(st.one_of(st.sampled_from(shared), calendars(from_day), st.none()))
        day_offsets = st.integers(min_value=-2, max_value=days + 1)
        absences = [
            (from_day + dt.timedelta(days=first), from_day + dt.timedelta(days=first + length))
            for first, length in draw(st.lists(st.tuples(day_offsets, st.integers(0, 3)), max_size=2))
        ]
        certifications = [
            [
                (from_day + dt.timedelta(days=on), None if until is None else from_day + dt.timedelta(days=until))
                for on, until in draw(st.lists(st.tuples(day_offsets, st.none() | day_offsets), max_size=2))
            ]
            for _category in range(draw(st.integers(min_value=0, max_value=2)))
        ]
        candidates.append(
            Candidate(
                person_id=person_id,
                name=draw(st.sampled_from(["Ana Ruiz", "Ana Ruiz", "Luis Tech"])),  # equal names: full ties
                calendar=calendar,
                speaks_language=draw(st.booleans()),
                absences=absences,
                certifications=certifications,
            )
        )
        visits = []
        for _visit in range(draw(st.integers(min_value=0, max_value=8))):
            start = midnight + dt.timedelta(
                minutes=draw(st.integers(min_value=-24 * 60, max_value=(days + 1) * 24 * 60)),
                microseconds=draw(st.sampled_from([0, 0, 0, 1, 999_999])),
            )
            length = dt.timedelta(minutes=draw(st.integers(min_value=1, max_value=300)))
            visits.append(Booking(zone_id=draw(st.sampled_from([None, 1, 2])), start=start, end=start + length))
        bookings[person_id] = visits
    arguments = {
        "from_day": from_day,
        "days": days,
        "limit": draw(st.integers(min_value=-1, max_value=15)),
        "per_day": draw(st.integers(min_value=0, max_value=5)),
        "duration": dt.timedelta(minutes=draw(st.sampled_from([15, 30, 60, 90, 120, 240]))),
        "step": dt.timedelta(minutes=draw(st.sampled_from([5, 15, 30, 45, 60]))),
        "travel_buffer": dt.timedelta(minutes=draw(st.sampled_from([0, 30, 45]))),
        "zone_id": draw(st.sampled_from([None, 1, 2])),
        "not_before": midnight
        + dt.timedelta(minutes=draw(st.integers(min_value=-600, max_value=2 * 24 * 60)), microseconds=draw(st.integers(0, 10))),
    }
    return candidates, bookings, arguments


common = settings(deadline=None, max_examples=200)


@common
@given(proposals())
def test_the_plan_gives_the_reference_slots(proposal):
    candidates, bookings, arguments = proposal

    assert slots_plan(candidates, bookings=bookings, **arguments) == reference(candidates, bookings=bookings, **arguments)


@common
@given(proposals(), st.integers(min_value=0, max_value=3))
def test_reading_later_bookings_only_when_needed_gives_the_same_slots(proposal, first_days):
    candidates, bookings, arguments = proposal
    until = bookings_needed_until(candidates, arguments["from_day"] + dt.timedelta(days=first_days), arguments["travel_buffer"])
    early = {person: [b for b in visits if b.start < until] for person, visits in bookings.items()}
    later = {person: [b for b in visits if b.start >= until] for person, visits in bookings.items()}
    asked = []

    def later_bookings():
        asked.append(True)
        return later

    slots = slots_plan(candidates, bookings=early, bookings_until=until, later_bookings=later_bookings, **arguments)

    assert slots == reference(candidates, bookings=bookings, **arguments)
    assert len(asked) <= 1


def three_hourly_slots_from_monday(candidates: list[Candidate], *, days: int) -> list[Slot]:
    """Return the first three one-hour slots (three a day at most) from Monday 1 June 2026, without bookings."""
    return slots_plan(
        candidates,
        from_day=dt.date(2026, 6, 1),
        days=days,
        limit=3,
        per_day=3,
        duration=dt.timedelta(hours=1),
        step=dt.timedelta(minutes=30),
        travel_buffer=dt.timedelta(minutes=30),
        zone_id=None,
        not_before=dt.datetime(2026, 5, 31, tzinfo=MADRID),
        bookings={},
    )


def test_planning_stops_at_the_first_day_that_settles_the_ranking(monkeypatch):
    # given: one person working 09:00–13:00 every day, no bookings
    calendar = business_time.calendar_build(
        time_zone="Europe/Madrid", hours={day: [(dt.time(9), dt.time(13))] for day in range(7)}
    )
    asked: list[dt.date] = []
    day_intervals = business_time.day_intervals

    def counted(calendar, day):
        asked.append(day)
        return day_intervals(calendar, day)

    monkeypatch.setattr(planning.business_time, "day_intervals", counted)
    candidate = Candidate(person_id=1, name="Ana Ruiz", calendar=calendar, speaks_language=True)

    # when: three slots are asked for over two weeks, three a day
    slots = three_hourly_slots_from_monday([candidate], days=14)

    # then: the first day gives them, and no later day is worked out
    assert [slot.start.astimezone(MADRID).strftime("%d %H:%M") for slot in slots] == ["01 09:00", "01 09:30", "01 10:00"]
    assert asked == [dt.date(2026, 6, 1)]


@pytest.mark.parametrize(
    ("from_day", "zone", "ends_before"),
    [
        # Madrid's own days: the next midnight there, plus the buffer.
        (dt.date(2026, 3, 28), "Europe/Madrid", dt.datetime(2026, 3, 29, 0, 30, tzinfo=MADRID)),
        # A calendar in New York works until its own midnight, six hours after Madrid's.
        (dt.date(2026, 6, 1), "America/New_York", dt.datetime(2026, 6, 2, 0, 30, tzinfo=ZoneInfo("America/New_York"))),
    ],
)
def test_bookings_matter_until_the_last_calendar_ends_its_day(from_day, zone, ends_before):
    calendar = business_time.calendar_build(time_zone=zone, hours={0: [(dt.time(9), dt.time(17))]})
    candidates = [Candidate(person_id=1, name="Ana Ruiz", calendar=calendar, speaks_language=True)]

    assert bookings_needed_until(candidates, from_day, dt.timedelta(minutes=30)) == ends_before


@pytest.mark.parametrize(
    ("zone", "weekday", "hours"),
    [
        # Tuesday 00:00–07:00 in Tokyo is Monday 17:00–24:00 in Madrid: planned with Tuesday, ranked on Monday.
        ("Asia/Tokyo", 1, (dt.time(0), dt.time(7))),
        # Monday 18:00–24:00 in New York is Tuesday 00:00–06:00 in Madrid, as is a Madrid shift planned with Tuesday.
        ("Europe/Madrid", 1, (dt.time(0), dt.time(6))),
    ],
)
def test_slots_from_a_later_day_of_another_zone_still_rank_first(zone, weekday, hours):
    # given: someone who does not speak the customer's language with three slots on the first day planned,
    # and someone who does, whose slots fall on the same Madrid day but come from a later day of their calendar
    madrid_monday = business_time.calendar_build(time_zone="Europe/Madrid", hours={0: [(dt.time(9), dt.time(13))]})
    new_york_monday = business_time.calendar_build(time_zone="America/New_York", hours={0: [(dt.time(18), dt.time(0))]})
    first = madrid_monday if zone == "Asia/Tokyo" else new_york_monday
    speaker = business_time.calendar_build(time_zone=zone, hours={weekday: [hours]})
    candidates = [
        Candidate(person_id=1, name="Luis Tech", calendar=first, speaks_language=False),
        Candidate(person_id=2, name="Ana Ruiz", calendar=speaker, speaks_language=True),
    ]

    # when
    slots = three_hourly_slots_from_monday(candidates, days=3)

    # then: the speaker's slots, found on the second day planned, come first
    assert [slot.assignee_id for slot in slots] == [2, 2, 2]
    assert len({slot.day for slot in slots}) == 1


def test_the_travel_buffer_counts_real_minutes_across_the_autumn_change():
    # given: Sunday 25 October 2026 in Madrid, when 03:00 summer time becomes 02:00 winter time; a shift
    # from 00:00 to 03:00 local (four real hours) and a visit from 00:00 to 02:15 summer time (00:15 UTC)
    calendar = business_time.calendar_build(time_zone="Europe/Madrid", hours={6: [(dt.time(0), dt.time(3))]})
    candidate = Candidate(person_id=1, name="Ana Ruiz", calendar=calendar, speaks_language=False)
    visit = Booking(
        zone_id=None,
        start=dt.datetime(2026, 10, 25, 0, 0, tzinfo=MADRID),
        end=dt.datetime(2026, 10, 25, 2, 15, tzinfo=MADRID),
    )

    # when: a quarter-hour slot is asked for with 45 minutes of travel after the visit
    slots = slots_plan(
        [candidate],
        from_day=dt.date(2026, 10, 25),
        days=1,
        limit=1,
        per_day=1,
        duration=dt.timedelta(minutes=15),
        step=dt.timedelta(minutes=5),
        travel_buffer=dt.timedelta(minutes=45),
        zone_id=None,
        not_before=dt.datetime(2026, 10, 25, tzinfo=MADRID),
        bookings={1: [visit]},
    )

    # then: the slot starts 45 real minutes after the visit, at 02:00 winter time, inside the shift
    assert [(slot.start, slot.end) for slot in slots] == [
        (dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 1, 15, tzinfo=dt.UTC))
    ]
    assert slots == reference(
        [candidate],
        bookings={1: [visit]},
        **{
            "from_day": dt.date(2026, 10, 25),
            "days": 1,
            "limit": 1,
            "per_day": 1,
            "duration": dt.timedelta(minutes=15),
            "step": dt.timedelta(minutes=5),
            "travel_buffer": dt.timedelta(minutes=45),
            "zone_id": None,
            "not_before": dt.datetime(2026, 10, 25, tzinfo=MADRID),
        },
    )
