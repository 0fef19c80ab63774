"""Every write of the warranty: terms snapshots, extended warranties, exclusions and claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.files import upload_check
from aftersales.core.permissions import is_staff_member
from aftersales.core.timeline import timeline_record
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Unit, UnitStatus
from aftersales.service.models import Ticket
from aftersales.service.services import ticket_note
from aftersales.warranty.coverage import Coverage, coverage_on, date_in_words
from aftersales.warranty.models import (
    OPEN_CLAIM_STATUSES,
    UNDECIDED_CLAIM_STATUSES,
    ClaimEvent,
    ClaimEventKind,
    ClaimStatus,
    DecisionReason,
    Exclusion,
    ExtendedWarranty,
    FaultCode,
    ReceiptCheck,
    UnitWarrantyTerms,
    WarrantyClaim,
)
from aftersales.warranty.signals import claim_approved

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from aftersales.core.models import User

DESCRIPTION_MAX = 5000
NOTE_MAX = 500
# What staff may decide, and the reasons that fit each decision.
STAFF_DECISIONS = (ClaimStatus.APPROVED, ClaimStatus.REJECTED)
REJECTION_REASONS = (
    DecisionReason.NO_PROOF,
    DecisionReason.RECEIPT_INVALID,
    DecisionReason.NOT_COVERED,
    DecisionReason.NOT_STARTED,
    DecisionReason.UNIT_NOT_IN_SERVICE,
    DecisionReason.EXCLUSION,
    DecisionReason.DUPLICATE,
    DecisionReason.MISUSE,
    DecisionReason.NO_FAULT_FOUND,
    DecisionReason.OTHER,
)
APPROVAL_REASONS = (DecisionReason.COVERED, DecisionReason.OTHER)


def _fail(field: str, reason: Any, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=reason, code=code)])


def _today() -> dt.date:
    return timezone.localdate()


# --- Terms, extended warranties, exclusions ---------------------------------------------------


def warranty_terms_snapshot_missing(*, batch: int = 2000) -> int:
    """Copy their product's warranty terms onto units that have none yet (units imported in bulk)."""
    created = 0
    while True:
        units = list(
            Unit.objects.filter(warranty_terms__isnull=True)
            .select_related("product")
            .only("id", "product__warranty_months", "product__warranty_starts")[:batch]
        )
        if not units:
            return created
        rows = [
            UnitWarrantyTerms(unit=unit, months=unit.product.warranty_months, starts=unit.product.warranty_starts)
            for unit in units
        ]
        UnitWarrantyTerms.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
        if len(units) < batch:
            return created


@transaction.atomic
def extended_warranty_sell(
    *,
    actor: User | None,
    unit: Unit,
    months: int,
    price: Decimal = Decimal("0"),
    sale_reference: str = "",
    sold_on: dt.date | None = None,
) -> ExtendedWarranty:
    """Sell an extension of a unit's warranty; it starts the day after the cover before it ends."""
    errors = []
    if not isinstance(months, int) or not 1 <= months <= 120:
        errors.append(FieldError(field="months", reason=_("must be a whole number of months from 1 to 120")))
    if price is None or Decimal(price) < 0:
        errors.append(FieldError(field="price", reason=_("must not be negative")))
    if len(sale_reference or "") > 64:
        errors.append(FieldError(field="sale_reference", reason=interpolate(_("is longer than %(limit)s characters"), limit=64)))
    if unit.status != UnitStatus.IN_SERVICE:
        errors.append(FieldError(field="unit", reason=_("is no longer in service"), code="unit_not_in_service"))
    if errors:
        raise ValidationFailed(errors=errors)
    extension = ExtendedWarranty.objects.create(
        unit=unit,
        months=months,
        price=Decimal(price),
        sale_reference=(sale_reference or "").strip(),
        sold_on=sold_on or _today(),
        sold_by=actor if actor is not None and actor.is_authenticated else None,
    )
    timeline_record(
        customer=unit.customer,
        unit=unit,
        kind="warranty_extended",
        actor=actor,
        data={"months": months, "sale_reference": extension.sale_reference or "—", "extended_warranty_id": extension.pk},
    )
    return extension


@transaction.atomic
def exclusion_add(*, actor: User, unit: Unit, note: str, effective_on: dt.date | None = None) -> Exclusion:
    """Record a finding that ends a unit's cover from a day on (misuse, third-party repair)."""
    text = (note or "").strip()
    if not text:
        raise _fail("note", _("is required: say what voids the warranty"), "required")
    if len(text) > NOTE_MAX:
        raise _fail("note", interpolate(_("is longer than %(limit)s characters"), limit=NOTE_MAX))
    day = effective_on or _today()
    exclusion = Exclusion.objects.create(unit=unit, note=text, effective_on=day, created_by=actor)
    timeline_record(
        customer=unit.customer,
        unit=unit,
        kind="warranty_exclusion",
        actor=actor,
        data={"since": day.isoformat(), "note": text, "exclusion_id": exclusion.pk},
    )
    return exclusion


# --- Claims -------------------------------------------------------------------------------------


def _event(claim: WarrantyClaim, kind: str, *, actor: Any, data: dict[str, Any]) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim, kind=kind, actor=actor if actor is not None and actor.is_authenticated else None, data=data
    )


def receipt_check(upload: UploadedFile | None) -> tuple[str, list[FieldError]]:
    """Return the content type of an uploaded receipt and why it is refused (the sales proof rules)."""
    return upload_check(
        upload,
        field="receipt",
        max_bytes=settings.PROOF_OF_PURCHASE_MAX_BYTES,
        content_types=settings.PROOF_OF_PURCHASE_CONTENT_TYPES,
        type_reason=_("must be a PDF, JPEG or PNG file"),
    )


def claim_assess(claim: WarrantyClaim) -> tuple[str, str, Coverage]:
    """Return the automatic decision on a claim (status, reason code) and the coverage it rests on."""
    unit = claim.unit
    coverage = coverage_on(unit=unit, on=claim.claimed_on)
    if unit.status != UnitStatus.IN_SERVICE:
        return ClaimStatus.REJECTED, DecisionReason.UNIT_NOT_IN_SERVICE, coverage
    duplicate = (
        WarrantyClaim.objects.filter(unit=unit, fault_code=claim.fault_code, status__in=OPEN_CLAIM_STATUSES)
        .exclude(pk=claim.pk)
        .exists()
    )
    if duplicate:
        return ClaimStatus.REJECTED, DecisionReason.DUPLICATE, coverage
    if coverage.reason == "excluded":
        # An exclusion may not concern this fault (a dented door does not void the motor): a person weighs it.
        return ClaimStatus.NEEDS_INSPECTION, DecisionReason.EXCLUSION, coverage
    if coverage.reason.startswith("not_started"):
        return ClaimStatus.REJECTED, DecisionReason.NOT_STARTED, coverage
    if not coverage.covered:
        return ClaimStatus.REJECTED, DecisionReason.NOT_COVERED, coverage
    if unit.sale_line_id is None and claim.receipt_verified_at is None:
        if claim.has_receipt:
            return ClaimStatus.NEEDS_INSPECTION, DecisionReason.RECEIPT_UNVERIFIED, coverage
        return ClaimStatus.REJECTED, DecisionReason.NO_PROOF, coverage
    return ClaimStatus.APPROVED, DecisionReason.COVERED, coverage


def _decision_apply(
    claim: WarrantyClaim, *, status: str, reason: str, text: str, actor: Any, automatic: bool, coverage: Coverage | None = None
) -> WarrantyClaim:
    previous = claim.status
    claim.status = status
    claim.decision_reason = reason
    claim.decision_text = text
    final = status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.CANCELLED)
    claim.decided_at = timezone.now() if final else None
    claim.decided_by = None if automatic or not final else actor
    claim.save(update_fields=["status", "decision_reason", "decision_text", "decided_at", "decided_by", "updated_at"])
    data: dict[str, Any] = {"from": previous, "to": status, "reason": reason}
    if coverage is not None:
        data["coverage"] = coverage.reason
    if automatic:
        kind = ClaimEventKind.CHECKED
    else:
        kind = ClaimEventKind.CANCELLED if status == ClaimStatus.CANCELLED else ClaimEventKind.DECIDED
    _event(claim, kind, actor=None if automatic else actor, data=data)
    timeline_record(
        customer=claim.customer,
        unit=claim.unit,
        kind="warranty_claim_decided",
        actor=None if automatic else actor,
        data={"reference": claim.reference, "status": status, "reason": reason, "claim_id": claim.pk},
    )
    if status != ClaimStatus.CANCELLED:
        _customer_notify(claim, actor=actor, coverage=coverage)
    if status == ClaimStatus.APPROVED:
        transaction.on_commit(lambda: claim_approved.send(sender=WarrantyClaim, claim=claim))
    return claim


def _customer_notify(claim: WarrantyClaim, *, actor: Any, coverage: Coverage | None) -> None:
    customer = claim.customer
    coverage = coverage or coverage_on(unit=claim.unit, on=claim.claimed_on)
    with translation.override(customer.language):
        context = {
            "claim": {
                "reference": claim.reference,
                "status": claim.status,
                "status_label": str(ClaimStatus(claim.status).label),
                "reason": str(DecisionReason(claim.decision_reason).label) if claim.decision_reason else "",
                "note": claim.decision_text,
                "coverage": coverage.explain(customer.language),
                "claimed_on": date_in_words(claim.claimed_on),
            }
        }
    # One message per decision: the count of decisions so far makes the key unique and repeatable.
    occurrence = claim.events.filter(kind__in=(ClaimEventKind.CHECKED, ClaimEventKind.DECIDED)).count()
    message_enqueue(
        actor=actor if actor is not None and actor.is_authenticated else None,
        customer=customer,
        unit=claim.unit,
        template_code="warranty_claim_decision",
        channel=MessageChannel.EMAIL,
        context=context,
        idempotency_key=f"warranty_claim_decision:{claim.pk}:{occurrence}",
    )


def _ticket_tell(claim: WarrantyClaim, *, actor: Any) -> None:
    ticket = claim.ticket
    # Internal notes are written by staff; a customer's claim on their own ticket is linked without one.
    if ticket is None or not is_staff_member(actor):
        return
    # Internal notes are read by staff: write them in the business's language.
    with translation.override(settings.LANGUAGE_CODE):
        body = str(
            interpolate(
                _("Warranty claim %(reference)s: %(status)s (%(reason)s)."),
                reference=claim.reference,
                status=ClaimStatus(claim.status).label,
                reason=DecisionReason(claim.decision_reason).label if claim.decision_reason else "—",
            )
        )
    ticket_note(actor=actor, ticket=ticket, body=body)


@transaction.atomic
def claim_submit(
    *,
    actor: User | None,
    unit: Unit,
    fault_code: str,
    fault_description: str,
    ticket: Ticket | None = None,
    receipt: UploadedFile | None = None,
    claimed_on: dt.date | None = None,
) -> WarrantyClaim:
    """Open a warranty claim for a unit and decide it automatically: approved, rejected or needs inspection."""
    errors = []
    description = (fault_description or "").strip()
    if fault_code not in FaultCode.values:
        errors.append(FieldError(field="fault_code", reason=one_of(FaultCode.values)))
    if not description:
        errors.append(FieldError(field="fault_description", reason=_("is required: describe what happens"), code="required"))
    elif len(description) > DESCRIPTION_MAX:
        errors.append(
            FieldError(
                field="fault_description", reason=interpolate(_("is longer than %(limit)s characters"), limit=DESCRIPTION_MAX)
            )
        )
    day = claimed_on or _today()
    if day > _today():
        errors.append(FieldError(field="claimed_on", reason=_("must not be in the future")))
    if ticket is not None:
        if ticket.customer_id != unit.customer_id:
            errors.append(FieldError(field="ticket", reason=_("belongs to another customer")))
        elif ticket.unit_id is not None and ticket.unit_id != unit.pk:
            errors.append(FieldError(field="ticket", reason=_("concerns another unit")))
    content_type, receipt_errors = receipt_check(receipt)
    errors.extend(receipt_errors)
    if errors:
        raise ValidationFailed(errors=errors)

    # One claim at a time per unit, so two submissions cannot both pass the duplicate check.
    unit = Unit.objects.select_for_update(of=("self",)).select_related("product", "customer", "sale_line__sale").get(pk=unit.pk)
    claim = WarrantyClaim(
        unit=unit,
        customer=unit.customer,
        ticket=ticket,
        claimed_on=day,
        fault_code=fault_code,
        fault_description=description,
        receipt_content_type=content_type,
        opened_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if receipt is not None:
        claim.receipt_file.save(receipt.name or "receipt", receipt, save=False)
    claim.save()
    _event(
        claim,
        ClaimEventKind.SUBMITTED,
        actor=actor,
        data={"fault": fault_code, "ticket_id": ticket.pk if ticket else None, "receipt": bool(receipt)},
    )
    timeline_record(
        customer=claim.customer,
        unit=unit,
        kind="warranty_claim_submitted",
        actor=actor,
        data={"reference": claim.reference, "fault": fault_code, "claim_id": claim.pk},
    )
    status, reason, coverage = claim_assess(claim)
    _decision_apply(claim, status=status, reason=reason, text="", actor=actor, automatic=True, coverage=coverage)
    _ticket_tell(claim, actor=actor)
    return claim


def _claim_lock(claim: WarrantyClaim) -> WarrantyClaim:
    return (
        WarrantyClaim.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__product", "customer", "ticket")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_decide(*, actor: User, claim: WarrantyClaim, decision: str, reason: str, text: str = "") -> WarrantyClaim:
    """Approve or reject a claim as staff, with a reason; an approved or cancelled claim stays as it is."""
    claim = _claim_lock(claim)
    errors = []
    note = (text or "").strip()
    if decision not in STAFF_DECISIONS:
        errors.append(FieldError(field="decision", reason=one_of(STAFF_DECISIONS)))
    else:
        allowed = APPROVAL_REASONS if decision == ClaimStatus.APPROVED else REJECTION_REASONS
        if reason not in allowed:
            errors.append(FieldError(field="reason", reason=one_of(allowed)))
    if reason == DecisionReason.OTHER and not note:
        errors.append(FieldError(field="text", reason=_("is required when the reason is “other”"), code="required"))
    if len(note) > DESCRIPTION_MAX:
        errors.append(
            FieldError(field="text", reason=interpolate(_("is longer than %(limit)s characters"), limit=DESCRIPTION_MAX))
        )
    if errors:
        raise ValidationFailed(errors=errors)
    # A rejected claim may be reconsidered (an appeal); an approved one has started its repair.
    if claim.status not in (*UNDECIDED_CLAIM_STATUSES, ClaimStatus.REJECTED):
        raise Conflict(
            interpolate(_("The claim is %(status)s and can no longer be decided."), status=ClaimStatus(claim.status).label)
        )
    _decision_apply(claim, status=decision, reason=reason, text=note, actor=actor, automatic=False)
    _ticket_tell(claim, actor=actor)
    return claim


@transaction.atomic
def claim_verify_receipt(*, actor: User, claim: WarrantyClaim, valid: bool, text: str = "") -> WarrantyClaim:
    """Record whether an uploaded receipt proves the purchase; a valid one lets the automatic checks decide again."""
    claim = _claim_lock(claim)
    if not claim.has_receipt:
        raise _fail("receipt", _("was not uploaded with this claim"), "missing")
    if claim.status not in UNDECIDED_CLAIM_STATUSES:
        raise Conflict(
            interpolate(_("The claim is %(status)s and can no longer be decided."), status=ClaimStatus(claim.status).label)
        )
    if valid:
        claim.receipt_verified_at = timezone.now()
        claim.receipt_verified_by = actor
        claim.save(update_fields=["receipt_verified_at", "receipt_verified_by", "updated_at"])
    _event(claim, ClaimEventKind.RECEIPT_VERIFIED, actor=actor, data={"valid": bool(valid)})
    timeline_record(
        customer=claim.customer,
        unit=claim.unit,
        kind="warranty_receipt_checked",
        actor=actor,
        data={
            "reference": claim.reference,
            "result": ReceiptCheck.VALID if valid else ReceiptCheck.INVALID,
            "claim_id": claim.pk,
        },
    )
    if not valid:
        return _decision_apply(
            claim,
            status=ClaimStatus.REJECTED,
            reason=DecisionReason.RECEIPT_INVALID,
            text=(text or "").strip(),
            actor=actor,
            automatic=False,
        )
    if claim.decision_reason == DecisionReason.RECEIPT_UNVERIFIED:
        status, reason, coverage = claim_assess(claim)
        _decision_apply(claim, status=status, reason=reason, text="", actor=actor, automatic=True, coverage=coverage)
    return claim


@transaction.atomic
def claim_cancel(*, actor: User, claim: WarrantyClaim, text: str = "") -> WarrantyClaim:
    """Withdraw a claim that is not decided yet."""
    claim = _claim_lock(claim)
    if claim.status not in UNDECIDED_CLAIM_STATUSES:
        raise Conflict(
            interpolate(_("The claim is %(status)s and can no longer be cancelled."), status=ClaimStatus(claim.status).label)
        )
    return _decision_apply(
        claim,
        status=ClaimStatus.CANCELLED,
        reason=DecisionReason.WITHDRAWN,
        text=(text or "").strip(),
        actor=actor,
        automatic=False,
    )
