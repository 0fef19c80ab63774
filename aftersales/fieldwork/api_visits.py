"""REST endpoints for carrying out visits: the day's visits, the checklist, parts, time, photos, the report.

Staff who may see work orders read any visit; only the visit's assignee or a manager acts on it. A
visit photo is served to such staff and to the customer whose visit it was (anyone else: 404).
"""

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, UploadedFile

from aftersales.catalog.models import Part
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.files import stored_file_response
from aftersales.core.models import User
from aftersales.core.permissions import require_perm
from aftersales.fieldwork import selectors_visits as selectors
from aftersales.fieldwork import services
from aftersales.fieldwork.models import WorkOrder, WorkOrderChecklistItem, WorkOrderPart
from aftersales.fieldwork.schemas_visits import (
    ChecklistItemOut,
    CompleteIn,
    PartIn,
    PartUsedOut,
    PhotoIn,
    PhotoOut,
    TickIn,
    TimeIn,
    TimeOut,
    VisitDetailOut,
    VisitOut,
)
from aftersales.sales.models import Unit

router = Router(tags=["field service: visits"])

VIEW = selectors.VIEW


def _visit(request: HttpRequest, order_id: int) -> WorkOrder:
    require_perm(request.user, VIEW)
    order = selectors.visit_visible(user=request.user, order_id=order_id)
    if order is None:
        raise NotFound(_("No such visit."))
    return order


def _detail(request: HttpRequest, order_id: int) -> VisitDetailOut:
    order = _visit(request, order_id)
    return VisitDetailOut.of(order, selectors.unit_histories(list(order.units.all())))


@router.get("/fieldwork/visits/day", response=list[VisitOut])
def visits_day(request: HttpRequest, day: dt.date | None = None, user_id: int | None = None) -> Any:
    """Return someone's visits on a day (yours, today, by default) in time order, with each unit's latest history."""
    require_perm(request.user, VIEW)
    person: Any = request.user
    if user_id is not None and user_id != request.user.pk:
        require_perm(request.user, "fieldwork.schedule_workorder")
        person = User.objects.filter(pk=user_id, is_staff=True).first()
        if person is None:
            raise NotFound(_("No such staff member."))
    orders = selectors.visits_of_day(user=person, day=day or timezone.localdate())
    return [VisitOut.of(order, selectors.unit_histories(list(order.units.all()))) for order in orders]


@router.get("/fieldwork/visits/{order_id}", response=VisitDetailOut)
def visit_detail(request: HttpRequest, order_id: int) -> Any:
    """Return a visit with its units, checklist, parts, time, photos and report."""
    return _detail(request, order_id)


@router.get("/fieldwork/visits/{order_id}/checklist", response=list[ChecklistItemOut])
def checklist_get(request: HttpRequest, order_id: int) -> Any:
    return [ChecklistItemOut.of(item) for item in _visit(request, order_id).checklist.all()]


@router.post("/fieldwork/visits/{order_id}/checklist/{item_id}", response=ChecklistItemOut)
def checklist_tick(request: HttpRequest, order_id: int, item_id: int, payload: TickIn) -> Any:
    """Tick a step off (or untick it), with an optional note; the visit must be in progress."""
    order = _visit(request, order_id)
    item = WorkOrderChecklistItem.objects.filter(work_order=order, pk=item_id).first()
    if item is None:
        raise NotFound(_("No such checklist step."))
    item = services.checklist_item_tick(actor=request.user, item=item, done=payload.done, note=payload.note)  # type: ignore[arg-type]
    return ChecklistItemOut.of(item)


@router.post("/fieldwork/visits/{order_id}/start", response=VisitDetailOut)
def visit_start(request: HttpRequest, order_id: int) -> Any:
    """Start a scheduled or confirmed visit (its assignee or a manager)."""
    services.visit_start(actor=request.user, order=_visit(request, order_id))  # type: ignore[arg-type]
    return _detail(request, order_id)


@router.post("/fieldwork/visits/{order_id}/parts", response={201: PartUsedOut})
def part_add(request: HttpRequest, order_id: int, payload: PartIn) -> Any:
    """Fit spare parts from stock; refused with nothing written when stock is short."""
    order = _visit(request, order_id)
    part = Part.objects.filter(pk=payload.part_id).first()
    if part is None:
        raise ValidationFailed(errors=[FieldError("part_id", _("no such part"), code="not_found")])
    unit = None
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise ValidationFailed(errors=[FieldError("unit_id", _("is not one of this visit's units"), code="not_on_visit")])
    used = services.visit_part_add(actor=request.user, order=order, part=part, quantity=payload.quantity, unit=unit)  # type: ignore[arg-type]
    return 201, PartUsedOut.of(used)


@router.delete("/fieldwork/visits/{order_id}/parts/{row_id}", response={204: None})
def part_remove(request: HttpRequest, order_id: int, row_id: int) -> Any:
    """Take a part off the visit: back to stock, cost reversed."""
    order = _visit(request, order_id)
    used = WorkOrderPart.objects.filter(work_order=order, pk=row_id).first()
    if used is None:
        raise NotFound(_("No such part on this visit."))
    services.visit_part_remove(actor=request.user, used=used)  # type: ignore[arg-type]
    return 204, None


@router.post("/fieldwork/visits/{order_id}/time", response={201: TimeOut})
def time_add(request: HttpRequest, order_id: int, payload: TimeIn) -> Any:
    """Record minutes worked on site; the labour cost goes to the ledger."""
    order = _visit(request, order_id)
    entry = services.visit_time_add(actor=request.user, order=order, minutes=payload.minutes, note=payload.note)  # type: ignore[arg-type]
    return 201, TimeOut.of(entry)


@router.post("/fieldwork/visits/{order_id}/photos", response={201: PhotoOut})
def photo_add(request: HttpRequest, order_id: int, photo: File[UploadedFile], payload: Form[PhotoIn]) -> Any:
    """Upload a photo (multipart field ``photo``): JPEG, PNG, WebP or GIF, checked by content."""
    order = _visit(request, order_id)
    saved = services.visit_photo_add(actor=request.user, order=order, upload=photo, caption=payload.caption)  # type: ignore[arg-type]
    return 201, PhotoOut.of(saved)


@router.get("/fieldwork/visits/photos/{photo_id}", url_name="visit_photo")
def photo_file(request: HttpRequest, photo_id: int) -> FileResponse:
    """Send a visit photo to staff who may see visits, or to the customer whose visit it was."""
    photo = selectors.photo_visible(user=request.user, photo_id=photo_id)
    if photo is None:
        raise NotFound(_("No such photo."))
    return stored_file_response(photo.file, filename=f"{photo.work_order.reference}-{photo.pk}", content_type=photo.content_type)


@router.post("/fieldwork/visits/{order_id}/complete", response=VisitDetailOut)
def visit_complete(request: HttpRequest, order_id: int, payload: CompleteIn) -> Any:
    """Complete the visit with its report and the customer's sign-off; a retry returns the same report."""
    order = _visit(request, order_id)
    services.visit_complete(actor=request.user, order=order, **payload.dict())  # type: ignore[arg-type]
    return _detail(request, order_id)
