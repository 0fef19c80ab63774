"""REST endpoints of repair orders and spare parts.

Staff act as their role allows (reading needs ``view_repairorder``, working ``work_repairorder``); a
portal customer signed in by session sees only their own repairs (anything else is 404) and may
answer their quotes. Parts are read by whoever sees the catalogue and received by whoever keeps it.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.catalog.models import Part
from aftersales.catalog.services import part_stock_receive
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.sales.selectors import units_visible_to
from aftersales.service.selectors import tickets_visible_to
from aftersales.warranty import selectors, selectors_repairs, services
from aftersales.warranty.models import QuoteChannel, QuoteStatus, RepairOrder
from aftersales.warranty.schemas_repairs import (
    DiagnosisIn,
    LabourLineIn,
    MoveIn,
    PartFilter,
    PartLineIn,
    PartOut,
    QuoteAnswerIn,
    ReceiveIn,
    RepairDetailOut,
    RepairFilter,
    RepairIn,
    RepairLineOut,
    RepairOut,
)

router = Router(tags=["repairs"])

VIEW = "warranty.view_repairorder"
WORK = "warranty.work_repairorder"


def _order(request: HttpRequest, order_id: int) -> RepairOrder:
    order = selectors_repairs.repairs_visible_to(request.user).filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("No such repair order."))
    return order


def _work(request: HttpRequest, order_id: int) -> RepairOrder:
    require_perm(request.user, VIEW, WORK)
    return _order(request, order_id)


def _missing(field: str) -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=_("does not exist"), code="not_found")])


@router.get("/repairs", response=list[RepairOut])
@paginate(Paged)
def repair_list(request: HttpRequest, filters: Query[RepairFilter]) -> Any:
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    return selectors_repairs.repairs_filtered(
        selectors_repairs.repairs_visible_to(request.user),
        status=filters.status,
        customer_id=filters.customer_id,
        unit_id=filters.unit_id,
        repeat=filters.repeat,
        text=filters.q,
    )


@router.post("/repairs", response={201: RepairDetailOut})
def repair_create(request: HttpRequest, payload: RepairIn) -> Any:
    """Receive a unit for repair, optionally for an approved warranty claim."""
    require_perm(request.user, WORK, "sales.view_unit")
    unit = units_visible_to(request.user).filter(pk=payload.unit_id).first()
    if unit is None:
        raise _missing("unit_id")
    claim = None
    if payload.claim_id is not None:
        claim = selectors.claims_visible_to(request.user).filter(pk=payload.claim_id).first()
        if claim is None:
            raise _missing("claim_id")
    ticket = None
    if payload.ticket_number is not None:
        ticket = tickets_visible_to(request.user).filter(number=payload.ticket_number).first()
        if ticket is None:
            raise _missing("ticket_number")
    order = services.repair_open(
        actor=request.user,  # type: ignore[arg-type]
        unit=unit,
        fault_description=payload.fault_description,
        claim=claim,
        ticket=ticket,
    )
    return 201, order


@router.get("/repairs/{order_id}", response=RepairDetailOut)
def repair_get(request: HttpRequest, order_id: int) -> Any:
    return _order(request, order_id)


@router.post("/repairs/{order_id}/status", response=RepairDetailOut)
def repair_move(request: HttpRequest, order_id: int, payload: MoveIn) -> Any:
    """Move a repair to its next status (billable work waits for the approved quote)."""
    order = _work(request, order_id)
    return services.repair_move(actor=request.user, order=order, status=payload.status, note=payload.note)  # type: ignore[arg-type]


@router.post("/repairs/{order_id}/diagnosis", response=RepairDetailOut)
def repair_diagnose(request: HttpRequest, order_id: int, payload: DiagnosisIn) -> Any:
    order = _work(request, order_id)
    return services.repair_diagnose(actor=request.user, order=order, diagnosis=payload.diagnosis)  # type: ignore[arg-type]


@router.post("/repairs/{order_id}/parts", response={201: RepairLineOut})
def repair_part_add(request: HttpRequest, order_id: int, payload: PartLineIn) -> Any:
    """Take a part from stock for the repair (400 naming ``quantity`` when too few are in stock)."""
    order = _work(request, order_id)
    part = Part.objects.filter(pk=payload.part_id).first()
    if part is None:
        raise _missing("part_id")
    line = services.repair_part_add(
        actor=request.user,  # type: ignore[arg-type]
        order=order,
        part=part,
        quantity=payload.quantity,
        covered=payload.covered,
    )
    return 201, line


@router.post("/repairs/{order_id}/labour", response={201: RepairLineOut})
def repair_labour_add(request: HttpRequest, order_id: int, payload: LabourLineIn) -> Any:
    order = _work(request, order_id)
    line = services.repair_labour_add(
        actor=request.user,  # type: ignore[arg-type]
        order=order,
        minutes=payload.minutes,
        description=payload.description,
        covered=payload.covered,
    )
    return 201, line


@router.delete("/repairs/{order_id}/lines/{line_id}", response=RepairDetailOut)
def repair_line_remove(request: HttpRequest, order_id: int, line_id: int) -> Any:
    """Remove a line: parts go back to stock, the cost is reversed."""
    order = _work(request, order_id)
    services.repair_line_remove(actor=request.user, order=order, line_id=line_id)  # type: ignore[arg-type]
    return order


@router.post("/repairs/{order_id}/quote", response=RepairDetailOut)
def repair_quote_send(request: HttpRequest, order_id: int) -> Any:
    """Send the customer the quote for the billable lines (email with a signed link)."""
    order = _work(request, order_id)
    services.repair_quote_send(actor=request.user, order=order)  # type: ignore[arg-type]
    return order


@router.post("/repairs/{order_id}/quote/answer", response=RepairDetailOut)
def repair_quote_answer(request: HttpRequest, order_id: int, payload: QuoteAnswerIn) -> Any:
    """Approve or decline the quote waiting for an answer (the customer, or staff on their behalf)."""
    staff = is_staff_member(request.user)
    order = _work(request, order_id) if staff else _order(request, order_id)
    quote = order.quotes.filter(status=QuoteStatus.PENDING).first()
    if quote is None:
        raise ValidationFailed(
            errors=[FieldError(field="quote", reason=_("no quote is waiting for an answer"), code="no_pending_quote")]
        )
    services.repair_quote_decide(
        actor=request.user,  # type: ignore[arg-type]
        quote=quote,
        approve=payload.approve,
        via=QuoteChannel.API if staff else QuoteChannel.PORTAL,
    )
    return order


@router.get("/parts", response=list[PartOut])
@paginate(Paged)
def part_list(request: HttpRequest, filters: Query[PartFilter]) -> Any:
    require_perm(request.user, "catalog.view_part")
    return selectors_repairs.parts_catalogue(text=filters.q, low_only=filters.to_reorder)


@router.post("/parts/{part_id}/receive", response=PartOut)
def part_receive(request: HttpRequest, part_id: int, payload: ReceiveIn) -> Any:
    """Put delivered parts into stock."""
    require_perm(request.user, "catalog.view_part", "catalog.change_part")
    part = Part.objects.filter(pk=part_id).first()
    if part is None:
        raise NotFound(_("No such part."))
    return part_stock_receive(actor=request.user, part=part, quantity=payload.quantity, reference=payload.reference)  # type: ignore[arg-type]
