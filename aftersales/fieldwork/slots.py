"""When someone can go: working windows, busy time with travel buffers, eligibility, and slot proposals.

Working hours are wall-clock intervals (a technician's shifts; the default business calendar for a
sales rep) turned into instants day by day with :mod:`aftersales.core.business_time`, so a day that
loses or gains an hour at a daylight-saving change has its real length and a slot at 09:00 is 09:00
on the wall clock whatever the UTC offset. Public holidays and closed days come from the
technician's calendar (the default calendar when none is set); days off from their absences.

Two visits of one person never overlap. Between visits in different zones (or when either zone is
unknown) there must be at least ``FIELDWORK_TRAVEL_BUFFER_MINUTES`` of travel time.

A proposal reads everyone's input in a handful of queries (plain values, not model instances) and hands
it to :mod:`aftersales.fieldwork.planning`, which does the arithmetic on plain values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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
    TechnicianShift,
    WorkOrder,
    WorkOrderKind,
)
from aftersales.fieldwork.planning import (
    Booking,
    Candidate,
    Slot,
    bookings_needed_until,
    business_zone,
    local_day,
    slots_plan,
    zones_need_buffer,
)
from aftersales.fieldwork.services.technicians import category_lineage, certification_valid_on

Window = tuple[dt.datetime, dt.datetime]


def travel_buffer() -> dt.timedelta:
    """Return the travel time kept free between visits in different zones."""
    return dt.timedelta(minutes=int(getattr(settings, "FIELDWORK_TRAVEL_BUFFER_MINUTES", 30)))


def slot_step() -> dt.timedelta:
    """Return the spacing of proposed start times within a working window."""
    return dt.timedelta(minutes=max(5, int(getattr(settings, "FIELDWORK_SLOT_STEP_MINUTES", 30))))


def day_bounds(day: dt.date) -> Window:
    """Return the instants at which a business-time-zone day starts and ends."""
    zone = business_zone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


# --- working time ---------------------------------------------------------------------------------


def person_calendar(user: User) -> business_time.Calendar | None:
    """Return when a person works: a technician's shifts under their calendar, otherwise the default business hours."""
    technician = Technician.objects.filter(user=user).select_related("calendar").prefetch_related("shifts").first()
    if technician is None:
        default = calendar_default()
        return calendar_value(default) if default is not None else business_time.always_open(settings.TIME_ZONE)
    return technician_calendar(technician)


def technician_calendar(technician: Technician) -> business_time.Calendar | None:
    """Return a technician's working calendar (their shifts, with their calendar's holidays), or None without shifts."""
    shifts = [(shift.weekday, shift.starts_at, shift.ends_at) for shift in technician.shifts.all()]
    return _shifts_calendar(shifts, technician.calendar, None)


def _shifts_calendar(
    shifts: Iterable[tuple[int, dt.time, dt.time]], calendar: BusinessCalendar | None, closed_days: dict[int, Any] | None
) -> business_time.Calendar | None:
    """Return the calendar of weekly shifts under a business calendar's holidays (the default one when None).

    ``closed_days`` remembers each business calendar's closed days across the technicians of one proposal,
    and the default calendar under the key ``DEFAULT_CALENDAR``.
    """
    hours: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for weekday, starts_at, ends_at in shifts:
        hours[weekday].append((starts_at, ends_at))
    if not hours:
        return None
    holidays_from = calendar or _default_calendar(closed_days)
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


def _calendars_read(calendar_ids: Iterable[int], known: dict[int, Any]) -> dict[int, BusinessCalendar]:
    """Return business calendars by id, and remember theirs and the default calendar's closed days, in one query.

    The default calendar is remembered under ``DEFAULT_CALENDAR`` when exactly one is marked default;
    otherwise ``_default_calendar`` looks for it as ``calendar_default`` does.
    """
    fields = ("time_zone", "country", "subdivision", "updated_at")
    calendars: dict[int, BusinessCalendar] = {}
    defaults: set[int] = set()
    for calendar_id, is_default, *values, closed_on in BusinessCalendar.objects.filter(
        Q(pk__in=calendar_ids) | Q(is_default=True)
    ).values_list("pk", "is_default", *fields, "closed_days__date"):
        if calendar_id not in calendars:
            stored = dict(zip(fields, values, strict=True))
            calendars[calendar_id] = BusinessCalendar(pk=calendar_id, is_default=is_default, **stored)
            known[calendar_id] = []
        if closed_on is not None:
            known[calendar_id].append(closed_on)
        if is_default:
            defaults.add(calendar_id)
    if len(defaults) == 1:
        known[DEFAULT_CALENDAR] = calendars[defaults.pop()]
    return calendars


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


@dataclass(frozen=True)
class _Person:
    """Someone a proposal may offer, as read for it: who, the languages they speak, whose shifts and holidays."""

    user_id: int
    name: str
    languages: list[str]
    # Their technician record (None for a sales rep without one: the default calendar's hours, no days off).
    technician_id: int | None = None
    # The business calendar whose holidays they keep (None: the default calendar).
    calendar_id: int | None = None
    # Whether they may have days off in the period, and whether each category is covered by one certification
    # valid on every day of it (then none is read); the safe answers when not known.
    away: bool = True
    certified_throughout: bool = False


def _candidates(
    order: WorkOrder, categories: Sequence[tuple[int, list[int], str]] = (), *, first_day: dt.date, last_day: dt.date
) -> list[_Person]:
    """Return who could go from ``first_day`` to ``last_day``: the selling rep for a delivery, otherwise technicians.

    Technicians who are inactive, cover not the order's zone or hold, for one of ``categories``, no
    certification valid on any day of the period are left out in the query: they would fail
    ``technician_problems`` on every day, and those left pass it on every day on which they hold a valid
    certification for each category.
    """
    if order.kind == WorkOrderKind.DELIVERY:
        rep = order.sale.sales_rep if order.sale_id and order.sale else None
        person = rep or order.assignee
        if person is None or not person.is_active:
            return []
        technician = Technician.objects.filter(user=person).first()
        if technician is None:
            return [_Person(user_id=person.pk, name=str(person), languages=[person.language])]
        return [_Person(person.pk, str(person), technician.languages, technician.pk, technician.calendar_id)]
    technicians = Technician.objects.filter(is_active=True, user__is_active=True)
    if order.zone_id is not None:
        covers = Technician.zones.through.objects.filter(technician_id=OuterRef("pk"), servicezone_id=order.zone_id)
        technicians = technicians.filter(Q(home_zone_id=order.zone_id) | Exists(covers))
    throughout = []
    for index, (_category_id, lineage, _name) in enumerate(categories):
        held = Certification.objects.filter(technician_id=OuterRef("pk"), category_id__in=lineage)
        technicians = technicians.filter(
            Exists(held.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=first_day), certified_on__lte=last_day))
        )
        throughout.append(f"certified_{index}")
        technicians = technicians.annotate(
            **{
                throughout[-1]: Exists(
                    held.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=last_day), certified_on__lte=first_day)
                )
            }
        )
    away = TechnicianAbsence.objects.filter(technician_id=OuterRef("pk"), starts_on__lte=last_day, ends_on__gte=first_day)
    # Plain values, not model instances: a proposal reads a few dozen technicians and keeps nothing else of them.
    rows = technicians.annotate(away=Exists(away)).values_list(
        "pk", "languages", "calendar_id", "user_id", "user__username", "user__first_name", "user__last_name", "away", *throughout
    )
    people = []
    for technician_id, languages, calendar_id, user_id, username, first_name, last_name, absent, *certified in rows:
        name = str(User(pk=user_id, username=username, first_name=first_name, last_name=last_name))
        people.append(_Person(user_id, name, languages, technician_id, calendar_id, absent, all(certified)))
    return people


def _planning_candidates(
    order: WorkOrder,
    people: Sequence[_Person],
    categories: Sequence[tuple[int, list[int], str]],
    *,
    first_day: dt.date,
    last_day: dt.date,
) -> list[Candidate]:
    """Return what the slot arithmetic needs about each person, read in one query per kind of row for all of them.

    Technicians work their shifts under their calendar's holidays; anyone else the default calendar. Each
    distinct calendar is built once; certifications are checked per day for a visit (not for a delivery).
    """
    ids = [person.technician_id for person in people if person.technician_id is not None]
    shifts: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    held: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    if ids:
        for technician_id, weekday, starts_at, ends_at in TechnicianShift.objects.filter(technician_id__in=ids).values_list(
            "technician_id", "weekday", "starts_at", "ends_at"
        ):
            shifts[technician_id].append((weekday, starts_at, ends_at))
    away = [person.technician_id for person in people if person.technician_id is not None and person.away]
    if away:
        for technician_id, starts_on, ends_on in TechnicianAbsence.objects.filter(
            technician_id__in=away, starts_on__lte=last_day, ends_on__gte=first_day
        ).values_list("technician_id", "starts_on", "ends_on"):
            absences[technician_id].append((starts_on, ends_on))
    certified = bool(categories and order.kind != WorkOrderKind.DELIVERY)
    # Only those whose certifications start or end within the period are checked day by day.
    checked = [person.technician_id for person in people if person.technician_id is not None and not person.certified_throughout]
    if certified and checked:
        lineages = {category_id for _category, lineage, _name in categories for category_id in lineage}
        for technician_id, category_id, certified_on, expires_on in Certification.objects.filter(
            technician_id__in=checked, category_id__in=lineages
        ).values_list("technician_id", "category_id", "certified_on", "expires_on"):
            held[technician_id].append((category_id, certified_on, expires_on))
    closed_days: dict[int, Any] = {}
    holidays_from = _calendars_read({person.calendar_id for person in people if person.calendar_id is not None}, closed_days)
    calendars: dict[tuple[Any, ...], business_time.Calendar | None] = {}
    default: business_time.Calendar | None = None
    candidates: list[Candidate] = []
    for person in people:
        technician = person.technician_id
        if technician is None:
            if default is None:
                stored = _default_calendar(closed_days)
                default = calendar_value(stored) if stored is not None else None
            calendar = default
        else:
            pattern = sorted(shifts[technician])
            key = (person.calendar_id, *pattern)
            if key not in calendars:
                own = holidays_from.get(person.calendar_id) if person.calendar_id is not None else None
                calendars[key] = _shifts_calendar(pattern, own, closed_days)
            calendar = calendars[key]
        covering = (
            [
                [(on, until) for category_id, on, until in held[technician] if category_id in lineage]
                for _category, lineage, _name in categories
            ]
            if certified and technician is not None and not person.certified_throughout
            else []
        )
        candidates.append(
            Candidate(
                person_id=person.user_id,
                name=person.name,
                calendar=calendar,
                speaks_language=order.customer.language in person.languages,
                absences=absences[technician] if technician is not None else [],
                certifications=covering,
            )
        )
    return candidates


# --- proposals ------------------------------------------------------------------------------------

# Bookings are read first for the first days a proposal plans, which usually hold enough slots; the
# rest only when planning goes further.
FIRST_DAYS_READ = 2


def _bookings(
    order: WorkOrder,
    people: Sequence[_Person],
    start: dt.datetime,
    end: dt.datetime,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> dict[int, list[Booking]]:
    """Return, per person, their booked visits that come within a travel buffer of a period (starting in a part of it)."""
    buffer = travel_buffer()
    visits = WorkOrder.objects.filter(
        assignee_id__in=[person.user_id for person in people],
        status__in=BOOKED_STATUSES,
        scheduled_start__lt=end + buffer,
        scheduled_end__gt=start - buffer,
    ).exclude(pk=order.pk)
    if since is not None:
        visits = visits.filter(scheduled_start__gte=since)
    if until is not None:
        visits = visits.filter(scheduled_start__lt=until)
    booked: dict[int, list[Booking]] = defaultdict(list)
    for assignee_id, zone_id, scheduled_start, scheduled_end in visits.values_list(
        "assignee_id", "zone_id", "scheduled_start", "scheduled_end"
    ):
        assert scheduled_start is not None and scheduled_end is not None  # booked visits have their times
        booked[assignee_id].append(Booking(zone_id=zone_id, start=scheduled_start, end=scheduled_end))
    return booked


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
    last_day = from_day + dt.timedelta(days=days - 1)
    # Read once for every candidate: the order's categories, their shifts, certifications, days off and bookings.
    categories = order_categories(work_order) if work_order.kind != WorkOrderKind.DELIVERY else []
    people = _candidates(work_order, categories, first_day=from_day, last_day=last_day)
    if assignee is not None:
        people = [person for person in people if person.user_id == assignee.pk]
    if not people:
        return []
    candidates = _planning_candidates(work_order, people, categories, first_day=from_day, last_day=last_day)
    range_start, _unused = day_bounds(from_day)
    _unused, range_end = day_bounds(last_day)
    buffer = travel_buffer()
    first_read = bookings_needed_until(candidates, from_day + dt.timedelta(days=FIRST_DAYS_READ - 1), buffer)
    if first_read >= range_end + buffer:
        booked, first_read_until = _bookings(work_order, people, range_start, range_end), None
    else:
        booked, first_read_until = _bookings(work_order, people, range_start, range_end, until=first_read), first_read
    return slots_plan(
        candidates,
        from_day=from_day,
        days=days,
        limit=limit,
        per_day=per_day,
        duration=dt.timedelta(minutes=work_order.duration_minutes),
        step=slot_step(),
        travel_buffer=buffer,
        zone_id=work_order.zone_id,
        not_before=now,
        bookings=booked,
        bookings_until=first_read_until,
        later_bookings=lambda: _bookings(work_order, people, range_start, range_end, since=first_read),
    )


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
