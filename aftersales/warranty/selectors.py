"""Reads of the warranty: claims each person may see, the claim queue, the public warranty check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from aftersales.core.permissions import is_staff_member
from aftersales.sales.models import Unit
from aftersales.warranty.coverage import Coverage, coverage_on
from aftersales.warranty.models import ClaimEvent, ClaimEventKind, ClaimStatus, DecisionReason, ReceiptCheck, WarrantyClaim


def claims_visible_to(user: Any) -> QuerySet[WarrantyClaim]:
    """Return the claims a user may see: all for staff with the permission, their own for a customer."""
    base = WarrantyClaim.objects.select_related("unit", "unit__product", "customer", "ticket", "decided_by")
    if is_staff_member(user) and user.has_perm("warranty.view_warrantyclaim"):
        return base
    if user is not None and user.is_authenticated and user.is_active and not user.is_staff:
        return base.filter(customer__user=user)
    return base.none()


def claims_filtered(
    queryset: QuerySet[WarrantyClaim],
    *,
    status: str = "",
    customer_id: int | None = None,
    unit_id: int | None = None,
    text: str = "",
) -> QuerySet[WarrantyClaim]:
    """Return claims narrowed by status, customer, unit and a search on serial, customer or reference."""
    if status:
        queryset = queryset.filter(status=status)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if unit_id:
        queryset = queryset.filter(unit_id=unit_id)
    text = text.strip()
    if text:
        condition = Q(unit__serial__iexact=text) | Q(customer__name__icontains=text) | Q(customer__email__iexact=text)
        number = text.upper().removeprefix("WC-").lstrip("0")
        if number.isdigit():
            condition |= Q(pk=int(number))
        queryset = queryset.filter(condition)
    return queryset


def claim_history(claim: WarrantyClaim) -> QuerySet[ClaimEvent]:
    """Return a claim's events, oldest first, with who did each."""
    return claim.events.select_related("actor").order_by("at", "id")


def coverage_now(unit: Unit) -> Coverage:
    """Return a unit's cover today, in the business's calendar."""
    return coverage_on(unit=unit, on=timezone.localdate())


def unit_for_public_check(*, serial: str, proof: str) -> Unit | None:
    """Return the unit a serial and a proof (receipt number or email on record) point at, or None.

    The caller must answer a miss the same way whichever of the two was wrong.
    """
    serial, proof = (serial or "").strip(), (proof or "").strip()
    if not serial or not proof:
        return None
    proof_matches = Q(customer__email__iexact=proof) | Q(sale_line__sale__receipt_number__iexact=proof)
    return (
        Unit.objects.filter(serial__iexact=serial)
        .filter(proof_matches)
        .select_related("product", "customer", "sale_line__sale")
        .order_by("id")
        .first()
    )


def public_check(*, serial: str, proof: str, on: dt.date | None = None) -> tuple[Unit, Coverage] | None:
    """Return the unit and its cover for the public warranty check, or None for any miss."""
    unit = unit_for_public_check(serial=serial, proof=proof)
    if unit is None:
        return None
    return unit, coverage_on(unit=unit, on=on or timezone.localdate())


def claim_event_describe(event: ClaimEvent) -> str:
    """Return a claim event as a short phrase in the active language."""
    label = str(ClaimEventKind(event.kind).label) if event.kind in ClaimEventKind.values else event.kind
    data = event.data or {}
    if event.kind == ClaimEventKind.RECEIPT_VERIFIED:
        return f"{label}: {ReceiptCheck.VALID.label if data.get('valid') else ReceiptCheck.INVALID.label}"
    if data.get("to") in ClaimStatus.values:
        outcome = str(ClaimStatus(data["to"]).label)
        if data.get("reason") in DecisionReason.values:
            outcome = f"{outcome} ({DecisionReason(data['reason']).label})"
        return f"{label}: {outcome}"
    return label


def claim_history_described(claim: WarrantyClaim) -> list[tuple[ClaimEvent, str]]:
    """Return a claim's events, oldest first, each with its phrase in the active language."""
    return [(event, claim_event_describe(event)) for event in claim_history(claim)]
