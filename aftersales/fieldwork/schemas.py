"""API shapes of field-service scheduling: zones, technicians, work orders, slots and booking moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from aftersales.fieldwork.models import Technician, WorkOrder
from aftersales.fieldwork.selectors import certification_states, work_order_history


class ZoneIn(Schema):
    code: str | None = Field(None, max_length=40, description="Empty: made from the name")
    name: str | None = Field(None, max_length=120)
    name_es: str | None = Field(None, max_length=120)
    postal_prefixes: str | None = Field(None, description="Space- or comma-separated postal-code prefixes")


class ZoneOut(Schema):
    id: int
    code: str
    name: str
    name_es: str
    postal_prefixes: str


class ShiftIn(Schema):
    weekday: int = Field(description="0 (Monday) to 6 (Sunday)")
    starts_at: dt.time
    ends_at: dt.time


class ShiftOut(ShiftIn):
    id: int


class AbsenceIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    reason: str = ""


class AbsenceOut(AbsenceIn):
    id: int


class CertificationIn(Schema):
    category_id: int
    certified_on: dt.date
    expires_on: dt.date | None = Field(None, description="The last valid day; empty when it does not expire")
    reference: str = ""


class CertificationOut(Schema):
    id: int
    category_id: int
    category: str
    certified_on: dt.date
    expires_on: dt.date | None
    reference: str
    state: str = Field(description="valid, expiring (within 30 days) or expired")


class TechnicianIn(Schema):
    user_id: int | None = Field(None, description="On creation: the staff member who becomes a technician")
    zone_ids: list[int] | None = None
    home_zone_id: int | None = None
    languages: list[str] | None = Field(None, description="Language codes: en, es")
    calendar_id: int | None = Field(None, description="Business calendar for public holidays and closed days")
    is_active: bool | None = None


class TechnicianOut(Schema):
    id: int
    user_id: int
    name: str
    is_active: bool
    languages: list[str]
    zone_ids: list[int]
    home_zone_id: int | None
    calendar_id: int | None
    shifts: list[ShiftOut]
    absences: list[AbsenceOut]
    certifications: list[CertificationOut]

    @staticmethod
    def of(technician: Technician) -> dict[str, Any]:
        return {
            "id": technician.pk,
            "user_id": technician.user_id,
            "name": str(technician),
            "is_active": technician.is_active,
            "languages": technician.languages,
            "zone_ids": [zone.pk for zone in technician.zones.all()],
            "home_zone_id": technician.home_zone_id,
            "calendar_id": technician.calendar_id,
            "shifts": list(technician.shifts.all()),
            "absences": list(technician.absences.all()),
            "certifications": [
                {
                    "id": state.certification.pk,
                    "category_id": state.certification.category_id,
                    "category": state.certification.category.name,
                    "certified_on": state.certification.certified_on,
                    "expires_on": state.certification.expires_on,
                    "reference": state.certification.reference,
                    "state": state.state,
                }
                for state in certification_states(technician)
            ],
        }


class WorkOrderFilter(Schema):
    status: str = Field("", description="A status, 'open' (not finished) or 'to_schedule'")
    kind: str = ""
    assignee_id: int | None = None
    zone_id: int | None = None
    customer_id: int | None = None
    starts_from: dt.date | None = None
    starts_until: dt.date | None = None
    q: str = ""


class WorkOrderIn(Schema):
    kind: str
    customer_id: int
    unit_ids: list[int] = []
    ticket_number: int | None = None
    repair_order_id: int | None = Field(None, description="A repair order (RO-…) of the same customer this visit belongs to")
    description: str = ""
    duration_minutes: int = 60
    address: str | None = Field(None, description="Empty: the customer's address")
    postal_code: str | None = Field(None, description="Empty: the customer's postal code")


class WorkOrderOut(Schema):
    id: int
    reference: str
    kind: str
    status: str
    customer_id: int
    unit_ids: list[int]
    sale_id: int | None
    ticket_id: int | None
    repair_order_id: int | None
    assignee_id: int | None
    assignee: str | None
    zone_id: int | None
    address: str
    postal_code: str
    duration_minutes: int
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    confirmed_at: dt.datetime | None
    reschedule_requested_at: dt.datetime | None

    @staticmethod
    def resolve_unit_ids(order: WorkOrder) -> list[int]:
        return [unit.pk for unit in order.units.all()]

    @staticmethod
    def resolve_assignee(order: WorkOrder) -> str | None:
        return str(order.assignee) if order.assignee else None


class EventOut(Schema):
    kind: str
    at: dt.datetime
    actor_id: int | None
    data: dict[str, Any]


class WorkOrderDetailOut(WorkOrderOut):
    description: str
    history: list[EventOut]

    @staticmethod
    def resolve_history(order: WorkOrder) -> list[Any]:
        return list(work_order_history(order))


class SlotOut(Schema):
    assignee_id: int
    assignee: str
    start: dt.datetime
    end: dt.datetime
    speaks_language: bool
    load: int


class ScheduleIn(Schema):
    assignee_id: int
    start: dt.datetime = Field(description="With its offset, e.g. 2026-06-01T10:00:00+02:00")


class RescheduleIn(Schema):
    start: dt.datetime
    assignee_id: int | None = Field(None, description="Empty: the same person")
    requested_by: str = Field("staff", description="staff or customer")
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""
