"""Contracts plugged into the coverage engine (repairs covered) and the service desk (first-response time).

Both are read at the moment they are asked, from the contracts in force on that day, so a contract
signed, renewed, lapsed or cancelled changes the answers at once.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.models import IN_FORCE_STATUSES, MaintenanceContract, RepairCover
from aftersales.sales.models import Unit
from aftersales.service.models import EscalationTier, SlaMetric, Ticket
from aftersales.service.sla_targets import sla_target_provider_register
from aftersales.warranty.coverage import Coverage, CoverageKind, coverage_provider_register, reason_register

REASON_PARTS_AND_LABOUR = "contract_parts_and_labour"
REASON_LABOUR = "contract_labour"

reason_register(
    REASON_PARTS_AND_LABOUR,
    _("Covered until %(until)s by maintenance contract %(reference)s (parts and labour)"),
)
reason_register(
    REASON_LABOUR,
    _("Labour covered until %(until)s by maintenance contract %(reference)s; spare parts are charged"),
)


def contract_in_force(*, unit: Unit, on: dt.date) -> MaintenanceContract | None:
    """Return the contract covering a unit on a day, if any (at most one: their terms never overlap)."""
    return (
        MaintenanceContract.objects.filter(lines__unit=unit, status__in=IN_FORCE_STATUSES, starts_on__lte=on, ends_on__gte=on)
        .order_by("starts_on", "pk")
        .first()
    )


@coverage_provider_register
def contract_coverage(unit: Unit, on: dt.date) -> Coverage | None:
    """Return the repair cover a contract gives a unit on a day: parts and labour, or labour only (None: no repairs)."""
    contract = contract_in_force(unit=unit, on=on)
    if contract is None or contract.repair_cover == RepairCover.VISITS_ONLY:
        return None
    parts = contract.repair_cover == RepairCover.PARTS_AND_LABOUR
    return Coverage(
        covered=True,
        kind=CoverageKind.CONTRACT,
        reason=REASON_PARTS_AND_LABOUR if parts else REASON_LABOUR,
        valid_from=contract.starts_on,
        valid_until=contract.ends_on,
        data={
            "until": contract.ends_on,
            "reference": contract.reference,
            "contract_id": contract.pk,
            "repair_cover": contract.repair_cover,
            "parts_covered": parts,
            "labour_covered": True,
        },
    )


@sla_target_provider_register
def contract_first_response(ticket: Ticket, metric: str, tier: int) -> int | None:
    """Return the first-response time a contract promises for a ticket, in working minutes, or None.

    A ticket about one of a contract's units, or about no unit at all, of a customer with a contract in
    force on the day it is opened gets the contract's commitment; a ticket about another unit does not.
    """
    if metric != SlaMetric.FIRST_RESPONSE or tier != EscalationTier.L1 or not ticket.customer_id:
        return None
    day = timezone.localdate(ticket.created_at) if ticket.created_at else timezone.localdate()
    contracts = MaintenanceContract.objects.filter(
        customer_id=ticket.customer_id,
        status__in=IN_FORCE_STATUSES,
        starts_on__lte=day,
        ends_on__gte=day,
        response_hours__isnull=False,
    )
    if ticket.unit_id:
        contracts = contracts.filter(lines__unit_id=ticket.unit_id)
    hours = contracts.aggregate(shortest=Min("response_hours"))["shortest"]
    return hours * 60 if hours else None
