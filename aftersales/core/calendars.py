"""Business calendars: their writes, the default one, and the value the business-time functions work on.

The arithmetic itself is in :mod:`aftersales.core.business_time`; this module keeps the stored calendars
(``BusinessCalendar`` with its ``WorkingHours`` and ``ClosedDay`` rows) and turns one into a
:class:`~aftersales.core.business_time.Calendar`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core import business_time
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import BusinessCalendar, ClosedDay, User, WorkingHours

CALENDAR_FIELDS = ("name", "name_es", "time_zone", "country", "subdivision", "is_default")
MIDNIGHT = dt.time(0, 0)


# --- reads ----------------------------------------------------------------------------------------


def calendars_all() -> QuerySet[BusinessCalendar]:
    """Return every calendar with its hours and closed days."""
    return BusinessCalendar.objects.prefetch_related("hours", "closed_days")


def calendar_default() -> BusinessCalendar | None:
    """Return the calendar used where none is named (the data migration creates "Office hours")."""
    return BusinessCalendar.objects.filter(is_default=True).first() or BusinessCalendar.objects.order_by("pk").first()


def calendar_value(calendar: BusinessCalendar) -> business_time.Calendar:
    """Return the business-time value of a stored calendar (cached until the calendar changes)."""
    return _calendar_value(calendar.pk, calendar.updated_at)


@functools.lru_cache(maxsize=64)
def _calendar_value(calendar_id: int, updated_at: dt.datetime) -> business_time.Calendar:
    calendar = BusinessCalendar.objects.get(pk=calendar_id)
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in WorkingHours.objects.filter(calendar_id=calendar_id):
        hours.setdefault(row.weekday, []).append((row.starts_at, row.ends_at))
    if not hours:
        # A calendar whose hours were all removed never opens; count all time rather than none.
        return business_time.always_open(calendar.time_zone)
    return business_time.calendar_build(
        time_zone=calendar.time_zone,
        hours=hours,
        country=calendar.country,
        subdivision=calendar.subdivision,
        closed_dates=ClosedDay.objects.filter(calendar_id=calendar_id).values_list("date", flat=True),
    )


def calendar_closed_dates(*, calendar: BusinessCalendar, year: int) -> list[dict[str, Any]]:
    """Return the dates a calendar is closed in a year: public holidays and company closed days, in date order."""
    days: list[dict[str, Any]] = [
        {"date": day, "name": name, "source": "public"}
        for day, name in business_time.public_holidays(calendar_value(calendar), year).items()
    ]
    days += [
        {"date": closed.date, "name": closed.name, "source": "company"}
        for closed in ClosedDay.objects.filter(calendar=calendar, date__year=year)
    ]
    return sorted(days, key=lambda day: (day["date"], day["source"]))


# --- writes ---------------------------------------------------------------------------------------


def _clean(data: Mapping[str, Any], *, calendar: BusinessCalendar | None) -> tuple[dict[str, Any], list[FieldError]]:
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name in CALENDAR_FIELDS:
        if name not in data or data[name] is None:
            continue
        cleaned[name] = bool(data[name]) if name == "is_default" else str(data[name]).strip()
    if "name" in cleaned:
        if not cleaned["name"]:
            errors.append(FieldError(field="name", reason=_("is required")))
        elif len(cleaned["name"]) > 120:
            errors.append(FieldError(field="name", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
        else:
            clash = BusinessCalendar.objects.filter(name__iexact=cleaned["name"])
            if calendar is not None:
                clash = clash.exclude(pk=calendar.pk)
            if clash.exists():
                errors.append(FieldError(field="name", reason=_("another calendar has this name"), code="duplicate"))
    if len(cleaned.get("name_es", "")) > 120:
        errors.append(FieldError(field="name_es", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
    if "time_zone" in cleaned and not business_time.time_zone_is_known(cleaned["time_zone"]):
        errors.append(
            FieldError(field="time_zone", reason=_("is not a known time zone (use an IANA name such as Europe/Madrid)"))
        )
    country = cleaned.get("country", calendar.country if calendar else "").upper()
    subdivision = cleaned.get("subdivision", calendar.subdivision if calendar else "")
    if "country" in cleaned:
        cleaned["country"] = country
    regions = business_time.holiday_regions()
    if country and country not in regions:
        errors.append(
            FieldError(field="country", reason=_("has no public holidays we know of (use an ISO 3166 code such as ES)"))
        )
    elif subdivision and not country:
        errors.append(FieldError(field="subdivision", reason=_("needs a country")))
    elif subdivision and subdivision not in regions[country]:
        errors.append(FieldError(field="subdivision", reason=one_of(regions[country])))
    return cleaned, errors


def hours_clean(rows: Iterable[Mapping[str, Any]]) -> tuple[list[WorkingHours], list[FieldError]]:
    """Return working-hours rows from input and the reasons any of them is refused."""
    result: list[WorkingHours] = []
    errors: list[FieldError] = []
    by_day: dict[int, list[tuple[int, int, int]]] = {}
    for index, row in enumerate(rows):
        field = f"hours[{index}]"
        weekday, starts_at, ends_at = row.get("weekday"), row.get("starts_at"), row.get("ends_at")
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors.append(FieldError(field=f"{field}.weekday", reason=_("must be 0 (Monday) to 6 (Sunday)")))
            continue
        if not isinstance(starts_at, dt.time) or not isinstance(ends_at, dt.time):
            errors.append(FieldError(field=field, reason=_("needs a start and an end time")))
            continue
        start = starts_at.hour * 60 + starts_at.minute
        end = 24 * 60 if ends_at == MIDNIGHT else ends_at.hour * 60 + ends_at.minute
        if end <= start:
            errors.append(
                FieldError(
                    field=f"{field}.ends_at",
                    reason=_("must be after the start (00:00 means midnight; split a night shift over two days)"),
                )
            )
            continue
        by_day.setdefault(weekday, []).append((start, end, index))
        result.append(WorkingHours(weekday=weekday, starts_at=starts_at, ends_at=ends_at))
    for intervals in by_day.values():
        intervals.sort()
        for (_start, previous_end, _index), (start, _end, index) in itertools.pairwise(intervals):
            if start < previous_end:
                errors.append(FieldError(field=f"hours[{index}]", reason=_("overlaps another interval of the same day")))
    return result, errors


def _changed(calendar: BusinessCalendar) -> None:
    """Give a changed calendar a new ``updated_at`` (other processes' caches key on it) and forget this one's."""
    calendar.save(update_fields=["updated_at"])
    transaction.on_commit(_calendar_value.cache_clear)


def _default_exclusive(calendar: BusinessCalendar) -> None:
    if calendar.is_default:
        BusinessCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)


@transaction.atomic
def calendar_create(
    *, actor: User | None, data: Mapping[str, Any], hours: Iterable[Mapping[str, Any]] | None = None
) -> BusinessCalendar:
    """Create a business calendar; its name must be new and its time zone, country and region known."""
    cleaned, errors = _clean({"name": "", **data}, calendar=None)
    rows, hour_errors = hours_clean(hours or ())
    errors.extend(hour_errors)
    if hours is not None and not rows and not hour_errors:
        errors.append(FieldError(field="hours", reason=_("needs at least one working interval")))
    if errors:
        raise ValidationFailed(errors=errors)
    calendar = BusinessCalendar.objects.create(**cleaned)
    _default_exclusive(calendar)
    for row in rows:
        row.calendar = calendar
    WorkingHours.objects.bulk_create(rows)
    return calendar


@transaction.atomic
def calendar_update(
    *, actor: User | None, calendar: BusinessCalendar, data: Mapping[str, Any], hours: Iterable[Mapping[str, Any]] | None = None
) -> BusinessCalendar:
    """Change a calendar; given hours replace all of its working hours. Targets already due keep their times."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    cleaned, errors = _clean(data, calendar=calendar)
    rows: list[WorkingHours] = []
    if hours is not None:
        rows, hour_errors = hours_clean(hours)
        errors.extend(hour_errors)
        if not rows and not hour_errors:
            errors.append(FieldError(field="hours", reason=_("needs at least one working interval")))
    if calendar.is_default and cleaned.get("is_default") is False:
        errors.append(FieldError(field="is_default", reason=_("make another calendar the default instead")))
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in cleaned.items():
        setattr(calendar, name, value)
    calendar.save()
    _default_exclusive(calendar)
    if hours is not None:
        calendar.hours.all().delete()
        for row in rows:
            row.calendar = calendar
        WorkingHours.objects.bulk_create(rows)
    _changed(calendar)
    return calendar


@transaction.atomic
def calendar_delete(*, actor: User | None, calendar: BusinessCalendar) -> None:
    """Delete a calendar that is not the default; policies that used it fall back to the default."""
    if calendar.is_default:
        raise Conflict(_("The default calendar cannot be deleted; make another one the default first."))
    calendar.delete()


@transaction.atomic
def closed_day_add(*, actor: User | None, calendar: BusinessCalendar, date: dt.date, name: str = "") -> ClosedDay:
    """Close the company on a date of a calendar (once per date)."""
    name = (name or "").strip()
    errors = []
    if len(name) > 120:
        errors.append(FieldError(field="name", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
    if ClosedDay.objects.filter(calendar=calendar, date=date).exists():
        errors.append(FieldError(field="date", reason=_("is already a closed day of this calendar"), code="duplicate"))
    if errors:
        raise ValidationFailed(errors=errors)
    closed = ClosedDay.objects.create(calendar=calendar, date=date, name=name)
    _changed(calendar)
    return closed


@transaction.atomic
def closed_day_remove(*, actor: User | None, closed_day: ClosedDay) -> None:
    """Open the company again on a date it had closed."""
    calendar = closed_day.calendar
    closed_day.delete()
    _changed(calendar)
