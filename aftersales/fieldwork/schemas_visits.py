"""API shapes for carrying out visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import get_language
from ninja import Field, Schema

from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe
from aftersales.fieldwork.models import VisitPhoto, WorkOrder, WorkOrderChecklistItem, WorkOrderPart, WorkOrderTime
from aftersales.sales.models import Unit


def _name(user: object) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


class ChecklistItemOut(Schema):
    id: int
    position: int
    text: str = Field(description="The step in the language of the request")
    done: bool
    note: str
    done_at: dt.datetime | None
    done_by: str | None

    @staticmethod
    def of(item: WorkOrderChecklistItem) -> ChecklistItemOut:
        return ChecklistItemOut(
            id=item.pk,
            position=item.position,
            text=item.display_text(get_language() or "en"),
            done=item.done,
            note=item.note,
            done_at=item.done_at,
            done_by=_name(item.done_by),
        )


class TickIn(Schema):
    done: bool
    note: str | None = Field(None, description="Kept as it was when omitted")


class PartIn(Schema):
    part_id: int
    quantity: int = 1
    unit_id: int | None = Field(None, description="The unit the part went into; the visit's first unit when omitted")


class PartUsedOut(Schema):
    id: int
    part_id: int
    sku: str
    name: str
    quantity: int
    unit_cost: Decimal
    covered: bool = Field(description="Borne by the company (warranty or contract that day); otherwise billable")
    added_at: dt.datetime

    @staticmethod
    def of(used: WorkOrderPart) -> PartUsedOut:
        return PartUsedOut(
            id=used.pk,
            part_id=used.part_id,
            sku=used.part.sku,
            name=used.part.display_name(get_language() or "en"),
            quantity=used.quantity,
            unit_cost=used.unit_cost,
            covered=used.covered,
            added_at=used.added_at,
        )


class TimeIn(Schema):
    minutes: int
    note: str = ""


class TimeOut(Schema):
    id: int
    who: str | None
    minutes: int
    note: str
    at: dt.datetime

    @staticmethod
    def of(entry: WorkOrderTime) -> TimeOut:
        return TimeOut(id=entry.pk, who=_name(entry.user), minutes=entry.minutes, note=entry.note, at=entry.at)


class PhotoIn(Schema):
    caption: str = ""


class PhotoOut(Schema):
    id: int
    content_type: str
    caption: str
    uploaded_at: dt.datetime
    url: str = Field(description="Where staff and the visit's customer fetch the photo")

    @staticmethod
    def of(photo: VisitPhoto) -> PhotoOut:
        return PhotoOut(
            id=photo.pk,
            content_type=photo.content_type,
            caption=photo.caption,
            uploaded_at=photo.uploaded_at,
            url=reverse("api:visit_photo", args=[photo.pk]),
        )


class CompleteIn(Schema):
    findings: str
    work_done: str = ""
    follow_up_needed: bool = False
    follow_up_note: str = Field("", description="Required when a follow-up is needed; becomes the ticket's text")
    signed_by_name: str = Field("", description="The name the customer typed to sign the report")
    unsigned_reason: str = Field("", description="Why nobody signed (customer not present); required without a name")


class ReportOut(Schema):
    findings: str
    work_done: str
    follow_up_needed: bool
    follow_up_note: str
    follow_up_ticket_number: int | None
    signed_by_name: str
    signed_at: dt.datetime | None
    unsigned_reason: str


class HistoryOut(Schema):
    at: dt.datetime
    kind: str
    text: str

    @staticmethod
    def of(event: TimelineEvent) -> HistoryOut:
        return HistoryOut(at=event.occurred_at, kind=event.kind, text=event_describe(event))


class UnitOut(Schema):
    id: int
    serial: str
    product: str
    history: list[HistoryOut] = Field(default_factory=list, description="The unit's latest events, newest first")

    @staticmethod
    def of(unit: Unit, history: list[TimelineEvent] | None = None) -> UnitOut:
        return UnitOut(
            id=unit.pk,
            serial=unit.serial,
            product=unit.product.display_name(get_language() or "en"),
            history=[HistoryOut.of(event) for event in history or []],
        )


class VisitOut(Schema):
    id: int
    reference: str
    kind: str
    status: str
    customer_id: int
    customer: str
    phone: str
    address: str
    postal_code: str
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    assignee: str | None
    units: list[UnitOut]

    @staticmethod
    def base(order: WorkOrder, histories: dict[int, list[TimelineEvent]] | None = None) -> dict[str, object]:
        return {
            "id": order.pk,
            "reference": order.reference,
            "kind": order.kind,
            "status": order.status,
            "customer_id": order.customer_id,
            "customer": order.customer.name,
            "phone": order.customer.phone,
            "address": order.address,
            "postal_code": order.postal_code,
            "scheduled_start": order.scheduled_start,
            "scheduled_end": order.scheduled_end,
            "started_at": order.started_at,
            "completed_at": order.completed_at,
            "assignee": _name(order.assignee),
            "units": [UnitOut.of(unit, (histories or {}).get(unit.pk)) for unit in order.units.all()],
        }

    @staticmethod
    def of(order: WorkOrder, histories: dict[int, list[TimelineEvent]] | None = None) -> VisitOut:
        return VisitOut(**VisitOut.base(order, histories))  # type: ignore[arg-type]


class VisitDetailOut(VisitOut):
    checklist: list[ChecklistItemOut]
    parts: list[PartUsedOut]
    time: list[TimeOut]
    photos: list[PhotoOut]
    report: ReportOut | None

    @staticmethod
    def of(order: WorkOrder, histories: dict[int, list[TimelineEvent]] | None = None) -> VisitDetailOut:
        report = getattr(order, "report", None)
        return VisitDetailOut(
            **VisitOut.base(order, histories),  # type: ignore[arg-type]
            checklist=[ChecklistItemOut.of(item) for item in order.checklist.all()],
            parts=[PartUsedOut.of(used) for used in order.parts_used.all()],
            time=[TimeOut.of(entry) for entry in order.time_entries.all()],
            photos=[PhotoOut.of(photo) for photo in order.photos.all()],
            report=None
            if report is None
            else ReportOut(
                findings=report.findings,
                work_done=report.work_done,
                follow_up_needed=report.follow_up_needed,
                follow_up_note=report.follow_up_note,
                follow_up_ticket_number=order.follow_up_ticket.number if order.follow_up_ticket else None,
                signed_by_name=report.signed_by_name,
                signed_at=report.signed_at,
                unsigned_reason=report.unsigned_reason,
            ),
        )
