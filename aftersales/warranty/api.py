"""REST endpoints of the warranty: coverage of a unit, the public check, claims and their decisions.

Staff act as their role allows; a portal customer signed in by session sees and opens claims only
for their own units (anything else is 404); the public check needs no sign-in and is rate-limited.
"""

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import paginate

from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to
from aftersales.service.selectors import tickets_visible_to
from aftersales.warranty import selectors, services
from aftersales.warranty.coverage import coverage_on
from aftersales.warranty.models import WarrantyClaim
from aftersales.warranty.public import warranty_check_public
from aftersales.warranty.schemas import (
    CancelIn,
    ClaimDetailOut,
    ClaimFilter,
    ClaimIn,
    ClaimOut,
    CoverageOut,
    DecideIn,
    ExclusionIn,
    ExclusionOut,
    ExtendedWarrantyIn,
    ExtendedWarrantyOut,
    PublicCheckIn,
    PublicCheckOut,
    VerifyReceiptIn,
)

router = Router(tags=["warranty"])

DECIDE = "warranty.decide_warrantyclaim"


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    return unit


def _claim(request: HttpRequest, claim_id: int) -> WarrantyClaim:
    claim = selectors.claims_visible_to(request.user).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


@router.get("/warranty/units/{unit_id}/coverage", response=CoverageOut)
def unit_coverage(request: HttpRequest, unit_id: int, on: str = "") -> Any:
    """Return the cover of a unit on a day (today when ``on`` is empty), with its explanation."""
    unit = _unit(request, unit_id)
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError as error:
        raise ValidationFailed(errors=[FieldError(field="on", reason=_("must be a date like 2025-06-01"))]) from error
    return CoverageOut.of(coverage_on(unit=unit, on=day))


@router.post("/warranty/check", response=PublicCheckOut, auth=None)
def public_check(request: HttpRequest, payload: PublicCheckIn) -> Any:
    """Check a warranty by serial number and proof of purchase, without signing in (rate-limited)."""
    answer = warranty_check_public(serial=payload.serial, proof=payload.proof, address=request.META.get("REMOTE_ADDR", ""))
    language = getattr(request, "LANGUAGE_CODE", "en")
    return {
        "serial": answer.unit.serial,
        "product": answer.unit.product.display_name(language),
        "coverage": CoverageOut.of(answer.coverage),
    }


@router.get("/warranty/claims", response=list[ClaimOut])
@paginate(Paged)
def claim_list(request: HttpRequest, filters: Query[ClaimFilter]) -> Any:
    if is_staff_member(request.user):
        require_perm(request.user, "warranty.view_warrantyclaim")
    return selectors.claims_filtered(
        selectors.claims_visible_to(request.user),
        status=filters.status,
        customer_id=filters.customer_id,
        unit_id=filters.unit_id,
        text=filters.q,
    )


@router.post("/warranty/claims", response={201: ClaimDetailOut})
def claim_create(request: HttpRequest, payload: Form[ClaimIn], receipt: File[UploadedFile] | None = None) -> Any:
    """Open a claim (multipart form; ``receipt`` is a photo or PDF when no sale is on record)."""
    staff = is_staff_member(request.user)
    if staff:
        require_perm(request.user, "warranty.add_warrantyclaim")
    unit = _unit(request, payload.unit_id)
    ticket = None
    if payload.ticket_number is not None:
        ticket = tickets_visible_to(request.user).filter(number=payload.ticket_number).first()
        if ticket is None:
            raise ValidationFailed(errors=[FieldError(field="ticket_number", reason=_("does not exist"), code="not_found")])
    claim = services.claim_submit(
        actor=request.user,  # type: ignore[arg-type]
        unit=unit,
        fault_code=payload.fault_code,
        fault_description=payload.fault_description,
        ticket=ticket,
        receipt=receipt,
        claimed_on=payload.claimed_on if staff else None,
    )
    return 201, claim


@router.get("/warranty/claims/{claim_id}", response=ClaimDetailOut)
def claim_get(request: HttpRequest, claim_id: int) -> Any:
    return _claim(request, claim_id)


@router.get("/warranty/claims/{claim_id}/receipt")
def claim_receipt(request: HttpRequest, claim_id: int) -> FileResponse:
    """Download the receipt uploaded with a claim (staff who see claims, or the customer)."""
    claim = _claim(request, claim_id)
    if not claim.has_receipt:
        raise NotFound(_("This claim has no receipt."))
    response = FileResponse(claim.receipt_file.open("rb"), as_attachment=True, filename=f"{claim.reference}-receipt")
    response["Content-Type"] = claim.receipt_content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/warranty/claims/{claim_id}/decide", response=ClaimDetailOut)
def claim_decide(request: HttpRequest, claim_id: int, payload: DecideIn) -> Any:
    require_perm(request.user, DECIDE)
    claim = services.claim_decide(
        actor=request.user,  # type: ignore[arg-type]
        claim=_claim(request, claim_id),
        decision=payload.decision,
        reason=payload.reason,
        text=payload.text,
    )
    return claim


@router.post("/warranty/claims/{claim_id}/verify-receipt", response=ClaimDetailOut)
def claim_verify_receipt(request: HttpRequest, claim_id: int, payload: VerifyReceiptIn) -> Any:
    require_perm(request.user, DECIDE)
    claim = services.claim_verify_receipt(
        actor=request.user,  # type: ignore[arg-type]
        claim=_claim(request, claim_id),
        valid=payload.valid,
        text=payload.text,
    )
    return claim


@router.post("/warranty/claims/{claim_id}/cancel", response=ClaimDetailOut)
def claim_cancel(request: HttpRequest, claim_id: int, payload: CancelIn) -> Any:
    """Withdraw an undecided claim (staff who work claims, or the customer who made it)."""
    claim = _claim(request, claim_id)
    if is_staff_member(request.user):
        require_perm(request.user, "warranty.change_warrantyclaim")
    return services.claim_cancel(actor=request.user, claim=claim, text=payload.text)  # type: ignore[arg-type]


@router.post("/warranty/units/{unit_id}/extended-warranties", response={201: ExtendedWarrantyOut})
def extended_warranty_create(request: HttpRequest, unit_id: int, payload: ExtendedWarrantyIn) -> Any:
    require_perm(request.user, "warranty.add_extendedwarranty")
    return 201, services.extended_warranty_sell(actor=request.user, unit=_unit(request, unit_id), **payload.dict())  # type: ignore[arg-type]


@router.post("/warranty/units/{unit_id}/exclusions", response={201: ExclusionOut})
def exclusion_create(request: HttpRequest, unit_id: int, payload: ExclusionIn) -> Any:
    require_perm(request.user, "warranty.add_exclusion")
    return 201, services.exclusion_add(actor=request.user, unit=_unit(request, unit_id), **payload.dict())  # type: ignore[arg-type]
