"""REST endpoints for sales, units and the unit timeline."""

from pathlib import PurePath
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, UploadedFile
from ninja.pagination import paginate

from aftersales.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from aftersales.core.models import User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.core.schemas import TimelineEventOut
from aftersales.core.timeline import timeline_for_unit
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_visible_to
from aftersales.sales import selectors, services
from aftersales.sales.models import Sale, Unit
from aftersales.sales.schemas import SaleFilter, SaleIn, SaleOut, UnitFilter, UnitMomentIn, UnitOut, UnitStatusIn

router = Router(tags=["sales"])

SaleOrdering = Literal["sold_on", "-sold_on", "number", "-number", "total", "-total"]
UnitOrdering = Literal[
    "serial", "-serial", "created_at", "-created_at", "delivered_at", "-delivered_at", "installed_at", "-installed_at"
]


@router.get("/sales", response=list[SaleOut])
@paginate(Paged)
def sale_list(request: HttpRequest, filters: Query[SaleFilter], ordering: SaleOrdering = "-sold_on") -> Any:
    queryset = filters.filter(selectors.sale_detail(selectors.sales_visible_to(request.user)))
    return queryset.order_by(ordering, "-id")


def _sale(request: HttpRequest, number: str) -> Sale:
    sale = selectors.sale_detail(selectors.sales_visible_to(request.user)).filter(number=number).first()
    if sale is None:
        raise NotFound(_("No such sale."))
    return sale


# Sale numbers may contain slashes (F2025/0001): the proof routes come first so they still match.
@router.post("/sales/{path:number}/proof", response=SaleOut)
def sale_proof_upload(request: HttpRequest, number: str, file: File[UploadedFile]) -> Any:
    """Attach the proof of purchase (PDF, JPEG or PNG) as a multipart upload named ``file``."""
    sale = _sale(request, number)
    require_perm(request.user, "sales.change_sale")
    services.sale_attach_proof(actor=request.user, sale=sale, proof_file=file)  # type: ignore[arg-type]
    return _sale(request, number)


@router.get("/sales/{path:number}/proof")
def sale_proof_download(request: HttpRequest, number: str) -> Any:
    sale = _sale(request, number)
    stored = sale.proof_file.name or ""
    if not stored or not sale.proof_file.storage.exists(stored):
        raise NotFound(_("This sale has no proof of purchase file."))
    name = f"proof-{sale.number}{PurePath(stored).suffix}"
    return FileResponse(sale.proof_file.open("rb"), as_attachment=True, filename=name)


@router.get("/sales/{path:number}", response=SaleOut)
def sale_get(request: HttpRequest, number: str) -> Any:
    return _sale(request, number)


def _sale_parties(request: HttpRequest, payload: SaleIn) -> tuple[Customer, User | None]:
    customer = customers_visible_to(request.user).filter(pk=payload.customer_id).first()
    rep = User.objects.filter(pk=payload.sales_rep_id, is_staff=True).first() if payload.sales_rep_id else None
    errors = []
    if customer is None:
        errors.append(FieldError(field="customer_id", reason=_("no such customer")))
    if payload.sales_rep_id and rep is None:
        errors.append(FieldError(field="sales_rep_id", reason=_("no such staff member")))
    if errors or customer is None:
        raise ValidationFailed(errors=errors)
    return customer, rep


@router.post("/sales", response={201: SaleOut})
def sale_create(request: HttpRequest, payload: SaleIn) -> Any:
    require_perm(request.user, "sales.add_sale")
    customer, rep = _sale_parties(request, payload)
    sale = services.sale_create(
        actor=request.user,  # type: ignore[arg-type]
        customer=customer,
        number=payload.number,
        sold_on=payload.sold_on,
        channel=payload.channel,
        sales_rep=rep,
        receipt_number=payload.receipt_number,
        delivered_at=payload.delivered_at,
        lines=[line.dict() for line in payload.lines],
    )
    return 201, _sale(request, sale.number)


@router.get("/units", response=list[UnitOut])
@paginate(Paged)
def unit_list(request: HttpRequest, filters: Query[UnitFilter], ordering: UnitOrdering = "-created_at") -> Any:
    return selectors.units_ordered(filters.filter(selectors.units_visible_to(request.user)), ordering)


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = selectors.units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    return unit


@router.get("/units/lookup/{serial}", response=UnitOut)
def unit_lookup(request: HttpRequest, serial: str, sku: str | None = None) -> Any:
    """Find a unit by serial number; give ``sku`` when two products share a serial."""
    units = selectors.units_visible_to(request.user).filter(serial__iexact=serial.strip())
    if sku:
        units = units.filter(product__sku=sku)
    found = list(units[:2])
    if not found:
        raise NotFound(_("No unit with this serial number."))
    if len(found) > 1:
        raise Conflict(_("Several products have a unit with this serial; add ?sku= to choose."))
    return found[0]


@router.get("/units/{unit_id}", response=UnitOut)
def unit_get(request: HttpRequest, unit_id: int) -> Any:
    return _unit(request, unit_id)


@router.get("/units/{unit_id}/timeline", response=list[TimelineEventOut])
@paginate(Paged)
def unit_timeline(request: HttpRequest, unit_id: int) -> Any:
    return timeline_for_unit(unit_id=_unit(request, unit_id).pk)


@router.post("/units/{unit_id}/delivered", response=UnitOut)
def unit_delivered(request: HttpRequest, unit_id: int, payload: UnitMomentIn) -> Any:
    unit = _unit(request, unit_id)
    require_perm(request.user, "sales.change_unit")
    return services.unit_mark_delivered(actor=request.user, unit=unit, delivered_at=payload.at)  # type: ignore[arg-type]


@router.post("/units/{unit_id}/installed", response=UnitOut)
def unit_installed(request: HttpRequest, unit_id: int, payload: UnitMomentIn) -> Any:
    unit = _unit(request, unit_id)
    require_perm(request.user, "sales.change_unit")
    return services.unit_mark_installed(actor=request.user, unit=unit, installed_at=payload.at)  # type: ignore[arg-type]


@router.post("/units/{unit_id}/status", response=UnitOut)
def unit_status(request: HttpRequest, unit_id: int, payload: UnitStatusIn) -> Any:
    unit = _unit(request, unit_id)
    require_perm(request.user, "sales.change_unit")
    return services.unit_set_status(actor=request.user, unit=unit, status=payload.status)  # type: ignore[arg-type]
