"""Slot proposals: shifts, days off, holidays, daylight-saving days, travel buffers, certifications and languages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.fieldwork.models import TechnicianAbsence, TechnicianShift
from aftersales.fieldwork.services.scheduling import work_order_schedule
from aftersales.fieldwork.services.technicians import technician_can_do
from aftersales.fieldwork.slots import slots_propose
from tests.factories import CategoryFactory
from tests.fieldwork.scheduling_helpers import MADRID, madrid, order, technician, zone

pytestmark = pytest.mark.django_db

SUNDAY_EVENING = madrid(2026, 5, 31, 20)
MONDAY = dt.date(2026, 6, 1)


def local_times(slots):
    return [slot.start.astimezone(MADRID).strftime("%a %H:%M") for slot in slots]


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_slots_lie_inside_the_shifts_and_leave_the_lunch_break_free():
    category = CategoryFactory()
    technician(categories=[category])
    work = order(category=category)

    slots = slots_propose(work, MONDAY, days=1, limit=50, per_day=50)

    times = local_times(slots)
    assert times[0] == "Mon 09:00"
    assert "Mon 12:00" in times and "Mon 12:30" not in times  # 12:30 + 1 h runs into the break
    assert "Mon 13:00" not in times and "Mon 14:00" in times
    assert times[-1] == "Mon 17:00"  # the last hour that ends by 18:00


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_day_off_moves_the_first_slot_to_the_next_working_day():
    category = CategoryFactory()
    tech = technician(categories=[category])
    TechnicianAbsence.objects.create(technician=tech, starts_on=MONDAY, ends_on=MONDAY, reason="Dentist")

    slots = slots_propose(order(category=category), MONDAY, days=3)

    assert local_times(slots)[0] == "Tue 09:00"


@time_machine.travel(madrid(2026, 10, 9, 20), tick=False)
def test_a_public_holiday_of_the_technicians_calendar_has_no_slots():
    category = CategoryFactory()
    technician(categories=[category])  # no calendar of their own: the default one, with Spain's holidays

    slots = slots_propose(order(category=category), dt.date(2026, 10, 12), days=2)  # 12 October: Fiesta Nacional

    assert {slot.day for slot in slots} == {dt.date(2026, 10, 13)}


@pytest.mark.parametrize(
    ("day", "utc_hour_of_nine"),
    [(dt.date(2026, 3, 28), 8), (dt.date(2026, 3, 29), 7), (dt.date(2026, 10, 24), 7), (dt.date(2026, 10, 25), 8)],
)
def test_slots_keep_their_wall_clock_time_across_daylight_saving_changes(day, utc_hour_of_nine):
    category = CategoryFactory()
    technician(categories=[category], hours=[(dt.time(9), dt.time(13))], weekdays=range(7))
    work = order(category=category)

    with time_machine.travel(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12), tzinfo=MADRID), tick=False):
        slots = slots_propose(work, day, days=1, limit=50, per_day=50)

    assert slots[0].start.astimezone(MADRID).time() == dt.time(9)
    assert slots[0].start.astimezone(dt.UTC).hour == utc_hour_of_nine
    assert slots[-1].end.astimezone(MADRID).time() == dt.time(13)
    assert len(slots) == 7  # 09:00 … 12:00 every half hour: four real hours whatever the offset


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_visit_in_another_zone_keeps_a_travel_buffer_around_it(settings, agent):
    settings.FIELDWORK_TRAVEL_BUFFER_MINUTES = 30
    category = CategoryFactory()
    madrid_zone, toledo_zone = zone("madrid", "28"), zone("toledo", "45")
    tech = technician(categories=[category], zones=[madrid_zone, toledo_zone])
    work_order_schedule(
        actor=agent, work_order=order(category=category, postal_code="45001"), assignee=tech.user, start=madrid(2026, 6, 1, 10)
    )

    elsewhere = local_times(slots_propose(order(category=category, postal_code="28001"), MONDAY, days=1, limit=50, per_day=50))
    same_zone = local_times(slots_propose(order(category=category, postal_code="45002"), MONDAY, days=1, limit=50, per_day=50))

    assert "Mon 09:00" not in elsewhere and "Mon 11:00" not in elsewhere  # 30 minutes to travel each way
    assert "Mon 11:30" in elsewhere
    assert "Mon 09:00" in same_zone and "Mon 11:00" in same_zone
    assert "Mon 10:00" not in same_zone and "Mon 10:30" not in same_zone


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_the_technician_who_speaks_the_customers_language_ranks_first_on_a_day():
    category = CategoryFactory()
    technician(categories=[category], languages=["en"], first_name="Adam")
    spanish = technician(categories=[category], languages=["es"], first_name="Zoe")

    slots = slots_propose(order(category=category, language="es"), MONDAY, days=1, limit=6)

    assert slots[0].assignee_id == spanish.user_id
    assert {slot.speaks_language for slot in slots} == {True, False}  # the other one is offered too, after


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_the_less_loaded_technician_ranks_first_among_equals(agent):
    category = CategoryFactory()
    busy = technician(categories=[category], first_name="Adam")
    free = technician(categories=[category], first_name="Zoe")
    work_order_schedule(actor=agent, work_order=order(category=category), assignee=busy.user, start=madrid(2026, 6, 1, 16))

    slots = slots_propose(order(category=category), MONDAY, days=1, limit=3)

    assert slots[0].assignee_id == free.user_id


def test_a_certification_is_valid_on_its_last_day_and_not_the_next():
    category = CategoryFactory()
    tech = technician(categories=[category], certified_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 6, 1))

    assert technician_can_do(tech, category, dt.date(2026, 6, 1))
    assert not technician_can_do(tech, category, dt.date(2026, 6, 2))
    assert not technician_can_do(tech, category, dt.date(2024, 12, 31))


def test_a_certification_for_a_family_covers_its_sub_categories():
    family = CategoryFactory(slug="appliances")
    washers = CategoryFactory(slug="washers", parent=family)
    tech = technician(categories=[family])

    assert technician_can_do(tech, washers, dt.date(2026, 6, 1))
    assert not technician_can_do(technician(categories=[washers]), family, dt.date(2026, 6, 1))


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_slots_stop_when_the_certification_expires():
    category = CategoryFactory()
    technician(categories=[category], expires_on=MONDAY)

    slots = slots_propose(order(category=category), MONDAY, days=3, limit=50)

    assert {slot.day for slot in slots} == {MONDAY}


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_only_technicians_covering_the_zone_and_certified_are_proposed():
    category = CategoryFactory()
    madrid_zone, toledo_zone = zone("madrid", "28"), zone("toledo", "45")
    right = technician(categories=[category], zones=[madrid_zone], first_name="Zoe")
    technician(categories=[category], zones=[toledo_zone], first_name="Adam")  # wrong zone
    technician(categories=[CategoryFactory()], zones=[madrid_zone], first_name="Bea")  # wrong category

    slots = slots_propose(order(category=category, postal_code="28001"), MONDAY, days=2, limit=50)

    assert slots and {slot.assignee_id for slot in slots} == {right.user_id}


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_technician_without_shifts_has_no_slots():
    category = CategoryFactory()
    tech = technician(categories=[category])
    TechnicianShift.objects.filter(technician=tech).delete()

    assert slots_propose(order(category=category), MONDAY, days=5) == []


@time_machine.travel(madrid(2026, 6, 1, 10, 10), tick=False)
def test_no_slot_is_offered_in_the_past():
    category = CategoryFactory()
    technician(categories=[category])

    slots = slots_propose(order(category=category), MONDAY, days=1, limit=1)

    assert local_times(slots) == ["Mon 10:30"]


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_slots_begin_on_the_day_the_certification_begins():
    category = CategoryFactory()
    technician(categories=[category], certified_on=MONDAY + dt.timedelta(days=1))

    slots = slots_propose(order(category=category), MONDAY, days=3, limit=50)

    assert {slot.day for slot in slots} == {MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)}


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_certification_that_ended_before_the_period_offers_nothing_and_a_lasting_one_every_day():
    category = CategoryFactory()
    technician(categories=[category], expires_on=MONDAY - dt.timedelta(days=1), first_name="Adam")
    lasting = technician(categories=[category], expires_on=MONDAY + dt.timedelta(days=30), first_name="Zoe")

    slots = slots_propose(order(category=category), MONDAY, days=3, limit=50)

    assert {slot.assignee_id for slot in slots} == {lasting.user_id}
    assert {slot.day for slot in slots} == {MONDAY + dt.timedelta(days=n) for n in range(3)}


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_proposal_reads_a_few_queries_whatever_the_number_of_technicians(django_assert_max_num_queries):
    category = CategoryFactory()
    for name in ("Adam", "Bea", "Carla", "Dario", "Eva"):
        technician(categories=[category], first_name=name)
    tech = technician(categories=[category], first_name="Zoe")
    TechnicianAbsence.objects.create(technician=tech, starts_on=MONDAY, ends_on=MONDAY, reason="Dentist")
    work = order(category=category)

    # categories, technicians, shifts, days off, calendars, bookings (no certification ends in the period)
    with django_assert_max_num_queries(6):
        slots = slots_propose(work, MONDAY, days=14, limit=10)

    assert len(slots) == 10
