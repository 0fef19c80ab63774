"""Setting technicians up: zones, languages, working hours, days off and certifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import BusinessCalendar, Language
from aftersales.fieldwork.models import Certification, ServiceZone, Technician, TechnicianAbsence, TechnicianShift

if TYPE_CHECKING:
    from aftersales.core.models import User

NAME_MAX = 120
REASON_MAX = 200
PREFIXES_MAX = 2000


# --- reads that services and slots share ----------------------------------------------------------


def category_lineage(category: Category) -> list[int]:
    """Return a category's id and its parents' ids: a certification for a family covers its sub-categories."""
    ids: list[int] = []
    current: Category | None = category
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.parent
    return ids


def certification_valid_on(certification: Certification, on: dt.date) -> bool:
    """Return whether a certification is valid on a day (its last valid day included)."""
    return certification.certified_on <= on and (certification.expires_on is None or on <= certification.expires_on)


def technician_can_do(technician: Technician, category: Category, on: dt.date) -> bool:
    """Return whether a technician is currently certified for a product category (or a family above it) on a day."""
    lineage = category_lineage(category)
    return any(
        certification_valid_on(certification, on) and certification.category_id in lineage
        for certification in technician.certifications.all()
    )


# --- zones ----------------------------------------------------------------------------------------


def _zone_clean(data: Mapping[str, Any], *, zone: ServiceZone | None) -> tuple[dict[str, Any], list[FieldError]]:
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name in ("code", "name", "name_es", "postal_prefixes"):
        if name in data and data[name] is not None:
            cleaned[name] = str(data[name]).strip()
    if "name" in cleaned or zone is None:
        name = cleaned.get("name", "")
        if not name:
            errors.append(FieldError("name", _("is required"), code="required"))
        elif len(name) > NAME_MAX:
            errors.append(FieldError("name", interpolate(_("is longer than %(limit)s characters"), limit=NAME_MAX)))
    if zone is None and not cleaned.get("code"):
        cleaned["code"] = slugify(cleaned.get("name", ""))[:40]
    if "code" in cleaned:
        code = slugify(cleaned["code"])[:40]
        if not code:
            errors.append(FieldError("code", _("is required"), code="required"))
        elif ServiceZone.objects.filter(code=code).exclude(pk=zone.pk if zone else 0).exists():
            errors.append(FieldError("code", _("another zone has this code"), code="duplicate"))
        cleaned["code"] = code
    if "postal_prefixes" in cleaned:
        prefixes = cleaned["postal_prefixes"].replace(",", " ").split()
        if len(cleaned["postal_prefixes"]) > PREFIXES_MAX:
            errors.append(
                FieldError("postal_prefixes", interpolate(_("is longer than %(limit)s characters"), limit=PREFIXES_MAX))
            )
        bad = [prefix for prefix in prefixes if not prefix.isalnum()]
        if bad:
            errors.append(
                FieldError("postal_prefixes", interpolate(_("%(values)s: use letters and digits only"), values=", ".join(bad)))
            )
        cleaned["postal_prefixes"] = " ".join(prefix.upper() for prefix in prefixes)
    return cleaned, errors


@transaction.atomic
def zone_create(*, actor: User | None, data: Mapping[str, Any]) -> ServiceZone:
    """Create a service zone; its code is unique and its postal-code prefixes letters and digits."""
    cleaned, errors = _zone_clean(data, zone=None)
    if errors:
        raise ValidationFailed(errors=errors)
    return ServiceZone.objects.create(**cleaned)


@transaction.atomic
def zone_update(*, actor: User | None, zone: ServiceZone, data: Mapping[str, Any]) -> ServiceZone:
    """Change a zone's name or postal-code prefixes (work orders already placed keep their zone)."""
    cleaned, errors = _zone_clean(data, zone=zone)
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in cleaned.items():
        setattr(zone, name, value)
    zone.save()
    return zone


# --- technicians ----------------------------------------------------------------------------------


def _technician_clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[ServiceZone] | None, list[FieldError]]:
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    zones: list[ServiceZone] | None = None
    if data.get("languages") is not None:
        languages = [str(code).strip().lower() for code in data["languages"] if str(code).strip()]
        unknown = [code for code in languages if code not in Language.values]
        if unknown:
            errors.append(FieldError("languages", one_of(Language.values), code="invalid_choice"))
        cleaned["languages"] = list(dict.fromkeys(languages))
    if data.get("zone_ids") is not None:
        ids = [int(pk) for pk in data["zone_ids"]]
        zones = list(ServiceZone.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {zone.pk for zone in zones})
        if missing:
            errors.append(
                FieldError("zone_ids", interpolate(_("no zone %(ids)s"), ids=", ".join(map(str, missing))), code="not_found")
            )
    if "home_zone_id" in data:
        home = data["home_zone_id"]
        cleaned["home_zone"] = ServiceZone.objects.filter(pk=home).first() if home else None
        if home and cleaned["home_zone"] is None:
            errors.append(FieldError("home_zone_id", _("does not exist"), code="not_found"))
    if "calendar_id" in data:
        calendar = data["calendar_id"]
        cleaned["calendar"] = BusinessCalendar.objects.filter(pk=calendar).first() if calendar else None
        if calendar and cleaned["calendar"] is None:
            errors.append(FieldError("calendar_id", _("does not exist"), code="not_found"))
    if data.get("is_active") is not None:
        cleaned["is_active"] = bool(data["is_active"])
    return cleaned, zones, errors


@transaction.atomic
def technician_create(*, actor: User | None, user: User, data: Mapping[str, Any] | None = None) -> Technician:
    """Make an active staff member a technician (once), with zones, languages and calendar."""
    errors: list[FieldError] = []
    if not user.is_staff or not user.is_active:
        errors.append(FieldError("user", _("must be an active staff member"), code="not_staff"))
    elif Technician.objects.filter(user=user).exists():
        errors.append(FieldError("user", _("is already a technician"), code="duplicate"))
    cleaned, zones, more = _technician_clean(data or {})
    errors += more
    if errors:
        raise ValidationFailed(errors=errors)
    cleaned.setdefault("languages", [user.language] if user.language else [])
    technician = Technician.objects.create(user=user, **cleaned)
    if zones is not None:
        technician.zones.set(zones)
    if technician.home_zone_id and not technician.zones.filter(pk=technician.home_zone_id).exists():
        technician.zones.add(technician.home_zone_id)
    return technician


@transaction.atomic
def technician_update(*, actor: User | None, technician: Technician, data: Mapping[str, Any]) -> Technician:
    """Change a technician's zones, home zone, languages, calendar or whether they take visits."""
    cleaned, zones, errors = _technician_clean(data)
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in cleaned.items():
        setattr(technician, name, value)
    technician.save()
    if zones is not None:
        technician.zones.set(zones)
    if technician.home_zone_id and not technician.zones.filter(pk=technician.home_zone_id).exists():
        technician.zones.add(technician.home_zone_id)
    return technician


@transaction.atomic
def technician_shifts_set(
    *, actor: User | None, technician: Technician, rows: Iterable[Mapping[str, Any]]
) -> list[TechnicianShift]:
    """Replace a technician's weekly hours; intervals of one day must not overlap."""
    from aftersales.core.calendars import hours_clean

    rows = list(rows)
    hours, errors = hours_clean(rows)
    errors = [FieldError(error.field.replace("hours", "shifts", 1), error.reason, code=error.code) for error in errors]
    if errors:
        raise ValidationFailed(errors=errors)
    technician.shifts.all().delete()
    shifts = TechnicianShift.objects.bulk_create(
        TechnicianShift(technician=technician, weekday=row.weekday, starts_at=row.starts_at, ends_at=row.ends_at) for row in hours
    )
    return shifts


@transaction.atomic
def technician_shift_add(
    *, actor: User | None, technician: Technician, weekday: int, starts_at: dt.time, ends_at: dt.time
) -> TechnicianShift:
    """Add working hours on a weekday; they must not overlap the day's other hours."""
    existing = [
        {"weekday": shift.weekday, "starts_at": shift.starts_at, "ends_at": shift.ends_at} for shift in technician.shifts.all()
    ]
    shifts = technician_shifts_set(
        actor=actor, technician=technician, rows=[*existing, {"weekday": weekday, "starts_at": starts_at, "ends_at": ends_at}]
    )
    return next(s for s in shifts if s.weekday == weekday and s.starts_at == starts_at and s.ends_at == ends_at)


@transaction.atomic
def technician_shift_remove(*, actor: User | None, shift: TechnicianShift) -> None:
    """Remove one interval of a technician's weekly hours (visits already booked stay)."""
    shift.delete()


@transaction.atomic
def technician_absence_add(
    *, actor: User | None, technician: Technician, starts_on: dt.date, ends_on: dt.date, reason: str = ""
) -> TechnicianAbsence:
    """Record days off (both days included); visits booked on them are listed for rebooking, not moved."""
    reason = (reason or "").strip()
    errors: list[FieldError] = []
    if ends_on < starts_on:
        errors.append(FieldError("ends_on", _("must be on or after the first day"), code="order"))
    if len(reason) > REASON_MAX:
        errors.append(FieldError("reason", interpolate(_("is longer than %(limit)s characters"), limit=REASON_MAX)))
    if errors:
        raise ValidationFailed(errors=errors)
    return TechnicianAbsence.objects.create(technician=technician, starts_on=starts_on, ends_on=ends_on, reason=reason)


@transaction.atomic
def technician_absence_remove(*, actor: User | None, absence: TechnicianAbsence) -> None:
    """Take back days off."""
    absence.delete()


@transaction.atomic
def certification_add(
    *,
    actor: User | None,
    technician: Technician,
    category: Category,
    certified_on: dt.date,
    expires_on: dt.date | None = None,
    reference: str = "",
) -> Certification:
    """Certify a technician for a product category from a day until its last valid day (or without end)."""
    reference = (reference or "").strip()
    errors: list[FieldError] = []
    if expires_on is not None and expires_on < certified_on:
        errors.append(FieldError("expires_on", _("must be on or after the certification day"), code="order"))
    if len(reference) > 100:
        errors.append(FieldError("reference", interpolate(_("is longer than %(limit)s characters"), limit=100)))
    if errors:
        raise ValidationFailed(errors=errors)
    return Certification.objects.create(
        technician=technician, category=category, certified_on=certified_on, expires_on=expires_on, reference=reference
    )


@transaction.atomic
def certification_remove(*, actor: User | None, certification: Certification) -> None:
    """Withdraw a certification; visits already booked are not moved but can no longer be rebooked with it."""
    if certification.pk is None:
        raise Conflict(_("This certification was already removed."))
    certification.delete()
