"""When someone can go: working windows, busy time with travel buffers, eligibility, and slot proposals.

Working hours are wall-clock intervals (a technician's shifts; the default business calendar for a
sales rep) turned into instants day by day with :mod:`aftersales.core.business_time`, so a day that
loses or gains an hour at a daylight-saving change has its real length and a slot at 09:00 is 09:00
on the wall clock whatever the UTC offset. Public holidays and closed days come from the
technician's calendar (the default calendar when none is set); days off from their absences.

Two visits of one person never overlap. Between visits in different zones (or when either zone is
unknown) there must be at least ``FIELDWORK_TRAVEL_BUFFER_MINUTES`` of travel time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core import business_time
from aftersales.core.calendars import calendar_default, calendar_value
from aftersales.core.errors import Text, interpolate
from aftersales.core.models import BusinessCalendar, ClosedDay, User
from aftersales.fieldwork.models import (
    BOOKED_STATUSES,
    Certification,
    Technician,
    TechnicianAbsence,
    WorkOrder,
    WorkOrderKind,
)
from aftersales.fieldwork.services.technicians import category_lineage, certification_valid_on

Window = tuple[dt.datetime, dt.datetime]


def travel_buffer() -> dt.timedelta:
    """Return the travel time kept free between visits in different zones."""
    return dt.timedelta(minutes=int(getattr(settings, "FIELDWORK_TRAVEL_BUFFER_MINUTES", 30)))


def slot_step() -> dt.timedelta:
    """Return the spacing of proposed start times within a working window."""
    return dt.timedelta(minutes=max(5, int(getattr(settings, "FIELDWORK_SLOT_STEP_MINUTES", 30))))


def business_zone() -> ZoneInfo:
    """Return the time zone visits are planned and shown in."""
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at: dt.datetime) -> dt.date:
    """Return the business-time-zone date of an instant."""
    return at.astimezone(business_zone()).date()


def day_bounds(day: dt.date) -> Window:
    """Return the instants at which a business-time-zone day starts and ends."""
    zone = business_zone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def zones_need_buffer(first: int | None, second: int | None) -> bool:
    """Return whether travel time is needed between visits in two zones (an unknown zone counts as another one)."""
    return first is None or second is None or first != second


# --- working time ---------------------------------------------------------------------------------


def person_calendar(user: User) -> business_time.Calendar | None:
    """Return when a person works: a technician's shifts under their calendar, otherwise the default business hours."""
    technician = Technician.objects.filter(user=user).select_related("calendar").prefetch_related("shifts").first()
    if technician is None:
        default = calendar_default()
        return calendar_value(default) if default is not None else business_time.always_open(settings.TIME_ZONE)
    return technician_calendar(technician)


def technician_calendar(technician: Technician, closed_days: dict[int, Any] | None = None) -> business_time.Calendar | None:
    """Return a technician's working calendar (their shifts, with their calendar's holidays), or None without shifts.

    ``closed_days`` remembers each business calendar's closed days across the technicians of one proposal,
    and the default calendar under the key ``DEFAULT_CALENDAR``.
    """
    hours: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for shift in technician.shifts.all():
        hours[shift.weekday].append((shift.starts_at, shift.ends_at))
    if not hours:
        return None
    holidays_from = technician.calendar or _default_calendar(closed_days)
    if holidays_from is None:
        return business_time.calendar_build(time_zone=settings.TIME_ZONE, hours=hours)
    return business_time.calendar_build(
        time_zone=holidays_from.time_zone,
        hours=hours,
        country=holidays_from.country,
        subdivision=holidays_from.subdivision,
        closed_dates=_closed_days(holidays_from.pk, closed_days),
    )


# The key under which a proposal's memo keeps the default calendar (no calendar has id 0).
DEFAULT_CALENDAR = 0


def _default_calendar(known: dict[int, Any] | None) -> BusinessCalendar | None:
    if known is None:
        return calendar_default()
    if DEFAULT_CALENDAR not in known:
        known[DEFAULT_CALENDAR] = calendar_default()
    default: BusinessCalendar | None = known[DEFAULT_CALENDAR]
    return default


def _closed_days(calendar_id: int, known: dict[int, Any] | None) -> list[dt.date]:
    if known is not None and calendar_id in known:
        days_known: list[dt.date] = known[calendar_id]
        return days_known
    days = list(ClosedDay.objects.filter(calendar_id=calendar_id).values_list("date", flat=True))
    if known is not None:
        known[calendar_id] = days
    return days


def _absent(absences: Sequence[TechnicianAbsence], day: dt.date) -> TechnicianAbsence | None:
    return next((absence for absence in absences if absence.starts_on <= day <= absence.ends_on), None)


def working_windows(
    calendar: business_time.Calendar | None, day: dt.date, absences: Sequence[TechnicianAbsence] = ()
) -> list[Window]:
    """Return the working intervals of a day as instants (none on days off, holidays and closed days)."""
    if calendar is None or _absent(absences, day):
        return []
    return business_time.day_intervals(calendar, day)


# --- busy time ------------------------------------------------------------------------------------


def bookings_of(user_id: int, start: dt.datetime, end: dt.datetime, *, exclude: int | None = None) -> QuerySet[WorkOrder]:
    """Return a person's booked visits that come within a travel buffer of a period."""
    buffer = travel_buffer()
    queryset = WorkOrder.objects.filter(
        assignee_id=user_id,
        status__in=BOOKED_STATUSES,
        scheduled_start__lt=end + buffer,
        scheduled_end__gt=start - buffer,
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    return queryset.order_by("scheduled_start", "id")


def clashes(booking: WorkOrder, zone_id: int | None, start: dt.datetime, end: dt.datetime) -> bool:
    """Return whether a booked visit leaves no room for a visit from start to end in a zone."""
    assert booking.scheduled_start is not None and booking.scheduled_end is not None
    gap = travel_buffer() if zones_need_buffer(booking.zone_id, zone_id) else dt.timedelta(0)
    return booking.scheduled_start < end + gap and start < booking.scheduled_end + gap


def clash_find(
    user_id: int, zone_id: int | None, start: dt.datetime, end: dt.datetime, *, exclude: int | None = None
) -> WorkOrder | None:
    """Return the first booked visit of a person that a visit from start to end in a zone would clash with."""
    for booking in bookings_of(user_id, start, end, exclude=exclude):
        if clashes(booking, zone_id, start, end):
            return booking
    return None


def _format(at: dt.datetime) -> str:
    return at.astimezone(business_zone()).strftime("%Y-%m-%d %H:%M")


def clash_reason(person: User, booking: WorkOrder, zone_id: int | None, start: dt.datetime, end: dt.datetime) -> Text:
    """Return why a clash refuses a booking, naming the visit it clashes with."""
    assert booking.scheduled_start is not None and booking.scheduled_end is not None
    overlaps = booking.scheduled_start < end and start < booking.scheduled_end
    values = {
        "person": str(person),
        "reference": booking.reference,
        "start": _format(booking.scheduled_start),
        "end": booking.scheduled_end.astimezone(business_zone()).strftime("%H:%M"),
    }
    if overlaps:
        return interpolate(_("%(person)s is already booked on %(reference)s from %(start)s to %(end)s."), **values)
    return interpolate(
        _(
            "%(person)s is booked on %(reference)s from %(start)s to %(end)s in another zone; "
            "%(minutes)s minutes of travel are needed between the two visits."
        ),
        minutes=int(travel_buffer().total_seconds() // 60),
        **values,
    )


# --- who may go -----------------------------------------------------------------------------------


def order_categories(order: WorkOrder) -> list[tuple[int, list[int], str]]:
    """Return, per distinct category of the order's units, its id, its lineage and its name."""
    seen: dict[int, tuple[int, list[int], str]] = {}
    for unit in order.units.select_related("product__category__parent"):
        category = unit.product.category
        if category.pk not in seen:
            seen[category.pk] = (category.pk, category_lineage(category), category.name)
    return list(seen.values())


def technician_problems(
    technician: Technician,
    order: WorkOrder,
    day: dt.date,
    categories: Sequence[tuple[int, list[int], str]] | None = None,
) -> list[Text]:
    """Return why a technician may not take an order on a day (inactive, zone, missing or expired certification).

    ``categories`` is ``order_categories(order)`` when the caller already has it (a proposal asks per day and person).
    """
    problems: list[Text] = []
    if not technician.is_active or not technician.user.is_active:
        problems.append(interpolate(_("%(person)s does not take visits at the moment."), person=str(technician)))
    if order.zone_id is not None:
        covered = {zone.pk for zone in technician.zones.all()} | {technician.home_zone_id}
        if order.zone_id not in covered:
            problems.append(
                interpolate(
                    _("%(person)s does not cover the zone %(zone)s."),
                    person=str(technician),
                    zone=str(order.zone) if order.zone else order.zone_id,
                )
            )
    certifications = list(technician.certifications.all())
    for _category_id, lineage, name in categories if categories is not None else order_categories(order):
        if not any(c.category_id in lineage and certification_valid_on(c, day) for c in certifications):
            problems.append(
                interpolate(
                    _("%(person)s is not certified for %(category)s on %(day)s."),
                    person=str(technician),
                    category=name,
                    day=day.isoformat(),
                )
            )
    return problems


def _candidates(order: WorkOrder, categories: Sequence[tuple[int, list[int], str]] = ()) -> list[tuple[User, Technician | None]]:
    """Return who could go: the selling rep for a delivery visit, otherwise the active technicians.

    Technicians who cover neither the order's zone nor hold any certification for one of ``categories``
    are left out in the query: they would fail ``technician_problems`` on every day.
    """
    if order.kind == WorkOrderKind.DELIVERY:
        rep = order.sale.sales_rep if order.sale_id and order.sale else None
        person = rep or order.assignee
        if person is None or not person.is_active:
            return []
        return [(person, Technician.objects.filter(user=person).prefetch_related("shifts").first())]
    technicians = Technician.objects.filter(is_active=True, user__is_active=True)
    if order.zone_id is not None:
        covers = Technician.zones.through.objects.filter(technician_id=OuterRef("pk"), servicezone_id=order.zone_id)
        technicians = technicians.filter(Q(home_zone_id=order.zone_id) | Exists(covers))
    for _category_id, lineage, _name in categories:
        held = Certification.objects.filter(technician_id=OuterRef("pk"), category_id__in=lineage)
        technicians = technicians.filter(Exists(held))
    technicians = technicians.select_related("user", "calendar", "home_zone").prefetch_related(
        "zones", "shifts", "certifications", "absences"
    )
    return [(technician.user, technician) for technician in technicians]


# --- proposals ------------------------------------------------------------------------------------


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


def _free(windows: Iterable[Window], busy: Sequence[Window]) -> list[Window]:
    free: list[Window] = []
    for opens, closes in windows:
        cursor = opens
        for busy_start, busy_end in busy:
            if busy_end <= cursor or busy_start >= closes:
                continue
            if busy_start > cursor:
                free.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
        if cursor < closes:
            free.append((cursor, closes))
    return free


def slots_for_person(
    *,
    order: WorkOrder,
    person: User,
    technician: Technician | None,
    from_day: dt.date,
    days: int,
    per_day: int,
    not_before: dt.datetime,
    categories: Sequence[tuple[int, list[int], str]] | None = None,
    bookings: Sequence[WorkOrder] | None = None,
    closed_days: dict[int, Any] | None = None,
) -> list[Slot]:
    """Return the free starts of one person for an order over a run of days, a few per day.

    A proposal over many people passes what it has read once for all of them: the order's categories,
    everyone's bookings in the period, and the calendars' closed days.
    """
    if technician is not None:
        calendar = technician_calendar(technician, closed_days)
        absences: list[TechnicianAbsence] = list(technician.absences.all())
    else:
        default = calendar_default()
        calendar = calendar_value(default) if default is not None else None
        absences = []
    if calendar is None:
        return []
    duration = dt.timedelta(minutes=order.duration_minutes)
    step = slot_step()
    buffer = travel_buffer()
    range_start, _unused = day_bounds(from_day)
    _unused, range_end = day_bounds(from_day + dt.timedelta(days=days - 1))
    if bookings is None:
        bookings = list(bookings_of(person.pk, range_start, range_end, exclude=order.pk))
    if categories is None and technician is not None and order.kind != WorkOrderKind.DELIVERY:
        categories = order_categories(order)
    busy: list[Window] = []
    load: dict[dt.date, int] = defaultdict(int)
    for booking in bookings:
        assert booking.scheduled_start is not None and booking.scheduled_end is not None
        gap = buffer if zones_need_buffer(booking.zone_id, order.zone_id) else dt.timedelta(0)
        busy.append((booking.scheduled_start - gap, booking.scheduled_end + gap))
        load[local_day(booking.scheduled_start)] += 1
    busy.sort()
    speaks = order.customer.language in (technician.languages if technician else [person.language])
    slots: list[Slot] = []
    for offset in range(days):
        day = from_day + dt.timedelta(days=offset)
        if (
            technician is not None
            and order.kind != WorkOrderKind.DELIVERY
            and technician_problems(technician, order, day, categories)
        ):
            continue
        windows = working_windows(calendar, day, absences)
        found = 0
        for opens, closes in windows:
            for free_start, free_end in _free([(opens, closes)], busy):
                # Starts sit on a grid from the window's opening, so they read 09:00, 09:30… on the wall clock.
                steps = -(-(free_start - opens) // step)
                start = opens + steps * step
                while start + duration <= free_end and found < per_day:
                    if start >= not_before:
                        slots.append(
                            Slot(
                                assignee_id=person.pk,
                                assignee_name=str(person),
                                start=start,
                                end=start + duration,
                                speaks_language=speaks,
                                load=load[day],
                            )
                        )
                        found += 1
                    start += step
    return slots


def slots_propose(
    work_order: WorkOrder,
    from_day: dt.date | None = None,
    *,
    days: int = 14,
    limit: int = 10,
    per_day: int = 3,
    assignee: User | None = None,
) -> list[Slot]:
    """Return free slots for an order, earliest day first; per day the customer's language, then the least loaded."""
    now = timezone.now()
    from_day = max(from_day or local_day(now), local_day(now))
    days = max(1, min(days, 62))
    # Read once for every candidate: the order's categories, all their bookings in the period, closed days.
    categories = order_categories(work_order) if work_order.kind != WorkOrderKind.DELIVERY else []
    candidates = _candidates(work_order, categories)
    if assignee is not None:
        candidates = [(person, technician) for person, technician in candidates if person.pk == assignee.pk]
    range_start, _unused = day_bounds(from_day)
    _unused, range_end = day_bounds(from_day + dt.timedelta(days=days - 1))
    booked: dict[int, list[WorkOrder]] = defaultdict(list)
    buffer = travel_buffer()
    for booking in (
        WorkOrder.objects.filter(
            assignee_id__in=[person.pk for person, _technician in candidates],
            status__in=BOOKED_STATUSES,
            scheduled_start__lt=range_end + buffer,
            scheduled_end__gt=range_start - buffer,
        )
        .exclude(pk=work_order.pk)
        .order_by("scheduled_start", "id")
        .only("id", "assignee_id", "zone_id", "scheduled_start", "scheduled_end")
    ):
        assert booking.assignee_id is not None
        booked[booking.assignee_id].append(booking)
    closed_days: dict[int, Any] = {}
    slots: list[Slot] = []
    for person, technician in candidates:
        slots += slots_for_person(
            order=work_order,
            person=person,
            technician=technician,
            from_day=from_day,
            days=days,
            per_day=per_day,
            not_before=now,
            categories=categories,
            bookings=booked[person.pk],
            closed_days=closed_days,
        )
    slots.sort(key=lambda slot: (slot.day, not slot.speaks_language, slot.load, slot.start, slot.assignee_name))
    return slots[: max(1, limit)]


def assignment_problems(order: WorkOrder, person: User, start: dt.datetime, end: dt.datetime) -> list[Text]:
    """Return why a person cannot take an order at a time: eligibility, working hours, days off (clashes apart)."""
    problems: list[Text] = []
    day = local_day(start)
    technician = (
        Technician.objects.filter(user=person)
        .select_related("user", "calendar", "home_zone")
        .prefetch_related("zones", "shifts", "certifications", "absences")
        .first()
    )
    if not person.is_active or not person.has_perm("fieldwork.perform_workorder"):
        return [interpolate(_("%(person)s does not carry out visits."), person=str(person))]
    if order.kind != WorkOrderKind.DELIVERY:
        if technician is None:
            return [interpolate(_("%(person)s is not a technician."), person=str(person))]
        problems += technician_problems(technician, order, day)
    if technician is not None:
        calendar = technician_calendar(technician)
        absences: list[TechnicianAbsence] = list(technician.absences.all())
    else:
        default = calendar_default()
        calendar = calendar_value(default) if default is not None else None
        absences = []
    absence = _absent(absences, day)
    if absence is not None:
        problems.append(
            interpolate(
                _("%(person)s is off from %(first)s to %(last)s."),
                person=str(person),
                first=absence.starts_on.isoformat(),
                last=absence.ends_on.isoformat(),
            )
        )
    elif not any(opens <= start and end <= closes for opens, closes in working_windows(calendar, day)):
        if calendar is not None and business_time.is_closed_day(calendar, day):
            problems.append(interpolate(_("%(day)s is a holiday or closed day."), day=day.isoformat()))
        else:
            problems.append(
                interpolate(_("%(person)s does not work at that time (outside their working hours)."), person=str(person))
            )
    return problems


def people_for(order: WorkOrder) -> QuerySet[User]:
    """Return who a dispatcher may pick for an order: the rep and technicians for a delivery, technicians otherwise."""
    technicians = Q(technician__isnull=False, technician__is_active=True)
    if order.kind == WorkOrderKind.DELIVERY and order.sale_id and order.sale and order.sale.sales_rep_id:
        technicians |= Q(pk=order.sale.sales_rep_id)
    return User.objects.filter(technicians, is_active=True).order_by("first_name", "last_name", "id")
