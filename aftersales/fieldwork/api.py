"""REST endpoints of field-service scheduling, mounted at ``/api/v1/fieldwork/``.

Staff act as their role allows (technicians and reps without the scheduling permission see only their
own work orders); a portal customer signed in by session sees and confirms only their own visits
(anything else is 404).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.catalog.models import Category
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.models import User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.customers.models import Customer
from aftersales.fieldwork import selectors, slots
from aftersales.fieldwork.models import ServiceZone, Technician, WorkOrder
from aftersales.fieldwork.schemas import (
    AbsenceIn,
    AbsenceOut,
    CertificationIn,
    ReasonIn,
    RescheduleIn,
    ScheduleIn,
    ShiftIn,
    ShiftOut,
    SlotOut,
    TechnicianIn,
    TechnicianOut,
    WorkOrderDetailOut,
    WorkOrderFilter,
    WorkOrderIn,
    WorkOrderOut,
    ZoneIn,
    ZoneOut,
)
from aftersales.fieldwork.services import scheduling, technicians
from aftersales.fieldwork.services.orders import work_order_create
from aftersales.sales.models import Unit
from aftersales.service.selectors import tickets_visible_to
from aftersales.warranty.models import RepairOrder

router = Router(tags=["field service"])

SCHEDULE = "fieldwork.schedule_workorder"


def _order(request: HttpRequest, work_order_id: int) -> WorkOrder:
    order = selectors.work_orders_visible_to(request.user).filter(pk=work_order_id).first()
    if order is None:
        raise NotFound(_("No such work order."))
    return order


def _technician(technician_id: int) -> Technician:
    technician = selectors.technicians_all().filter(pk=technician_id).first()
    if technician is None:
        raise NotFound(_("No such technician."))
    return technician


def _person(field: str, user_id: int) -> User:
    person = User.objects.filter(pk=user_id, is_staff=True).first()
    if person is None:
        raise ValidationFailed(errors=[FieldError(field, _("is not a staff member"), code="not_found")])
    return person


# --- zones ----------------------------------------------------------------------------------------


@router.get("/zones", response=list[ZoneOut])
def zone_list(request: HttpRequest) -> Any:
    require_perm(request.user, "fieldwork.view_servicezone")
    return ServiceZone.objects.all()


@router.post("/zones", response={201: ZoneOut})
def zone_create(request: HttpRequest, payload: ZoneIn) -> Any:
    require_perm(request.user, "fieldwork.add_servicezone")
    return 201, technicians.zone_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]


@router.patch("/zones/{zone_id}", response=ZoneOut)
def zone_update(request: HttpRequest, zone_id: int, payload: ZoneIn) -> Any:
    require_perm(request.user, "fieldwork.change_servicezone")
    zone = ServiceZone.objects.filter(pk=zone_id).first()
    if zone is None:
        raise NotFound(_("No such zone."))
    return technicians.zone_update(actor=request.user, zone=zone, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]


# --- technicians ----------------------------------------------------------------------------------


@router.get("/technicians", response=list[TechnicianOut])
def technician_list(request: HttpRequest) -> Any:
    require_perm(request.user, "fieldwork.view_technician")
    return [TechnicianOut.of(technician) for technician in selectors.technicians_all()]


@router.post("/technicians", response={201: TechnicianOut})
def technician_create(request: HttpRequest, payload: TechnicianIn) -> Any:
    require_perm(request.user, "fieldwork.add_technician")
    if payload.user_id is None:
        raise ValidationFailed(errors=[FieldError("user_id", _("is required"), code="required")])
    user = _person("user_id", payload.user_id)
    technician = technicians.technician_create(
        actor=request.user,  # type: ignore[arg-type]
        user=user,
        data=payload.dict(exclude={"user_id"}, exclude_unset=True),
    )
    return 201, TechnicianOut.of(_technician(technician.pk))


@router.get("/technicians/{technician_id}", response=TechnicianOut)
def technician_get(request: HttpRequest, technician_id: int) -> Any:
    require_perm(request.user, "fieldwork.view_technician")
    return TechnicianOut.of(_technician(technician_id))


@router.patch("/technicians/{technician_id}", response=TechnicianOut)
def technician_update(request: HttpRequest, technician_id: int, payload: TechnicianIn) -> Any:
    require_perm(request.user, "fieldwork.change_technician")
    data = payload.dict(exclude={"user_id"}, exclude_unset=True)
    technicians.technician_update(actor=request.user, technician=_technician(technician_id), data=data)  # type: ignore[arg-type]
    return TechnicianOut.of(_technician(technician_id))


@router.put("/technicians/{technician_id}/shifts", response=list[ShiftOut])
def technician_shifts_set(request: HttpRequest, technician_id: int, payload: list[ShiftIn]) -> Any:
    """Replace the technician's weekly working hours."""
    require_perm(request.user, "fieldwork.change_technicianshift", "fieldwork.add_technicianshift")
    rows = [row.dict() for row in payload]
    return technicians.technician_shifts_set(actor=request.user, technician=_technician(technician_id), rows=rows)  # type: ignore[arg-type]


@router.post("/technicians/{technician_id}/absences", response={201: AbsenceOut})
def absence_add(request: HttpRequest, technician_id: int, payload: AbsenceIn) -> Any:
    require_perm(request.user, "fieldwork.add_technicianabsence")
    technician = _technician(technician_id)
    return 201, technicians.technician_absence_add(actor=request.user, technician=technician, **payload.dict())  # type: ignore[arg-type]


@router.delete("/technicians/{technician_id}/absences/{absence_id}", response={204: None})
def absence_remove(request: HttpRequest, technician_id: int, absence_id: int) -> Any:
    require_perm(request.user, "fieldwork.delete_technicianabsence")
    absence = _technician(technician_id).absences.filter(pk=absence_id).first()
    if absence is None:
        raise NotFound(_("No such day off."))
    technicians.technician_absence_remove(actor=request.user, absence=absence)  # type: ignore[arg-type]
    return 204, None


@router.post("/technicians/{technician_id}/certifications", response={201: TechnicianOut})
def certification_add(request: HttpRequest, technician_id: int, payload: CertificationIn) -> Any:
    require_perm(request.user, "fieldwork.add_certification")
    technician = _technician(technician_id)
    category = Category.objects.filter(pk=payload.category_id).first()
    if category is None:
        raise ValidationFailed(errors=[FieldError("category_id", _("does not exist"), code="not_found")])
    technicians.certification_add(
        actor=request.user,  # type: ignore[arg-type]
        technician=technician,
        category=category,
        certified_on=payload.certified_on,
        expires_on=payload.expires_on,
        reference=payload.reference,
    )
    return 201, TechnicianOut.of(_technician(technician_id))


@router.delete("/technicians/{technician_id}/certifications/{certification_id}", response={204: None})
def certification_remove(request: HttpRequest, technician_id: int, certification_id: int) -> Any:
    require_perm(request.user, "fieldwork.delete_certification")
    certification = _technician(technician_id).certifications.filter(pk=certification_id).first()
    if certification is None:
        raise NotFound(_("No such certification."))
    technicians.certification_remove(actor=request.user, certification=certification)  # type: ignore[arg-type]
    return 204, None


# --- work orders ----------------------------------------------------------------------------------


@router.get("/work-orders", response=list[WorkOrderOut])
@paginate(Paged)
def work_order_list(request: HttpRequest, filters: Query[WorkOrderFilter]) -> Any:
    if is_staff_member(request.user):
        require_perm(request.user, "fieldwork.view_workorder")
    return selectors.work_orders_filtered(
        selectors.work_orders_visible_to(request.user).prefetch_related("units"),
        status=filters.status,
        kind=filters.kind,
        assignee_id=filters.assignee_id,
        zone_id=filters.zone_id,
        customer_id=filters.customer_id,
        starts_from=filters.starts_from,
        starts_until=filters.starts_until,
        text=filters.q,
    )


@router.post("/work-orders", response={201: WorkOrderDetailOut})
def work_order_new(request: HttpRequest, payload: WorkOrderIn) -> Any:
    require_perm(request.user, "fieldwork.add_workorder")
    customer = Customer.objects.filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationFailed(errors=[FieldError("customer_id", _("does not exist"), code="not_found")])
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    missing = sorted(set(payload.unit_ids) - {unit.pk for unit in units})
    if missing:
        raise ValidationFailed(errors=[FieldError("unit_ids", _("some units do not exist"), code="not_found")])
    ticket = None
    if payload.ticket_number is not None:
        ticket = tickets_visible_to(request.user).filter(number=payload.ticket_number).first()
        if ticket is None:
            raise ValidationFailed(errors=[FieldError("ticket_number", _("does not exist"), code="not_found")])
    repair_order = None
    if payload.repair_order_id is not None:
        repair_order = RepairOrder.objects.filter(pk=payload.repair_order_id).first()
        if repair_order is None:
            raise ValidationFailed(errors=[FieldError("repair_order_id", _("does not exist"), code="not_found")])
    order = work_order_create(
        actor=request.user,  # type: ignore[arg-type]
        kind=payload.kind,
        customer=customer,
        units=units,
        ticket=ticket,
        repair_order=repair_order,
        description=payload.description,
        duration_minutes=payload.duration_minutes,
        address=payload.address,
        postal_code=payload.postal_code,
    )
    return 201, order


@router.get("/work-orders/{work_order_id}", response=WorkOrderDetailOut)
def work_order_get(request: HttpRequest, work_order_id: int) -> Any:
    if is_staff_member(request.user):
        require_perm(request.user, "fieldwork.view_workorder")
    return _order(request, work_order_id)


@router.get("/work-orders/{work_order_id}/slots", response=list[SlotOut])
def work_order_slots(
    request: HttpRequest,
    work_order_id: int,
    from_day: dt.date | None = None,
    days: int = 14,
    limit: int = 10,
    assignee_id: int | None = None,
) -> Any:
    """Return free slots for the order: eligible people, earliest day first, then language and load."""
    require_perm(request.user, SCHEDULE)
    if not 1 <= days <= 62:
        raise ValidationFailed(errors=[FieldError("days", _("must be between 1 and 62"))])
    if not 1 <= limit <= 100:
        raise ValidationFailed(errors=[FieldError("limit", _("must be between 1 and 100"))])
    assignee = _person("assignee_id", assignee_id) if assignee_id else None
    found = slots.slots_propose(_order(request, work_order_id), from_day, days=days, limit=limit, assignee=assignee)
    return [{**slot.__dict__, "assignee": slot.assignee_name} for slot in found]


@router.post("/work-orders/{work_order_id}/schedule", response=WorkOrderDetailOut)
def work_order_schedule(request: HttpRequest, work_order_id: int, payload: ScheduleIn) -> Any:
    """Book the order with someone at a time; 409 names the visit it would clash with."""
    require_perm(request.user, SCHEDULE)
    order = _order(request, work_order_id)
    assignee = _person("assignee_id", payload.assignee_id)
    return scheduling.work_order_schedule(actor=request.user, work_order=order, assignee=assignee, start=payload.start)  # type: ignore[arg-type]


@router.post("/work-orders/{work_order_id}/reschedule", response=WorkOrderDetailOut)
def work_order_reschedule(request: HttpRequest, work_order_id: int, payload: RescheduleIn) -> Any:
    require_perm(request.user, SCHEDULE)
    order = _order(request, work_order_id)
    assignee = _person("assignee_id", payload.assignee_id) if payload.assignee_id else None
    return scheduling.work_order_reschedule(
        actor=request.user,  # type: ignore[arg-type]
        work_order=order,
        start=payload.start,
        assignee=assignee,
        requested_by=payload.requested_by,
        reason=payload.reason,
    )


@router.post("/work-orders/{work_order_id}/unassign", response=WorkOrderDetailOut)
def work_order_unassign(request: HttpRequest, work_order_id: int, payload: ReasonIn) -> Any:
    require_perm(request.user, SCHEDULE)
    return scheduling.work_order_unassign(actor=request.user, work_order=_order(request, work_order_id), reason=payload.reason)  # type: ignore[arg-type]


@router.post("/work-orders/{work_order_id}/cancel", response=WorkOrderDetailOut)
def work_order_cancel(request: HttpRequest, work_order_id: int, payload: ReasonIn) -> Any:
    require_perm(request.user, SCHEDULE)
    return scheduling.work_order_cancel(actor=request.user, work_order=_order(request, work_order_id), reason=payload.reason)  # type: ignore[arg-type]


@router.post("/work-orders/{work_order_id}/no-show", response=WorkOrderDetailOut)
def work_order_no_show(request: HttpRequest, work_order_id: int, payload: ReasonIn) -> Any:
    """Record that the customer was not there (the assignee, or a scheduler)."""
    require_perm(request.user, "fieldwork.perform_workorder")
    order = _order(request, work_order_id)
    return scheduling.work_order_mark_no_show(actor=request.user, work_order=order, note=payload.reason)  # type: ignore[arg-type]


@router.post("/work-orders/{work_order_id}/confirm", response=WorkOrderDetailOut)
def work_order_confirm(request: HttpRequest, work_order_id: int) -> Any:
    """Confirm the date: the customer from the portal, or a scheduler on the customer's behalf."""
    if is_staff_member(request.user):
        require_perm(request.user, SCHEDULE)
    order = _order(request, work_order_id)
    via = "staff" if is_staff_member(request.user) else "portal"
    return scheduling.work_order_confirm(actor=request.user, work_order=order, via=via)  # type: ignore[arg-type]
