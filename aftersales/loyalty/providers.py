"""Tiers plugged into the service desk's SLA targets: a tier may promise faster first responses and resolutions.

Read at the moment a clock starts, from the customer's tier on that day; the stricter of the policy's,
a contract's and the tier's targets wins (the service desk takes the shortest offer).
"""

from __future__ import annotations

from aftersales.loyalty.models import PointsAccount
from aftersales.service.models import EscalationTier, SlaMetric, Ticket
from aftersales.service.sla_targets import sla_target_provider_register


def tier_hours(*, customer_id: int, metric: str) -> int | None:
    """Return the hours a customer's tier promises for a metric, or None."""
    field = {SlaMetric.FIRST_RESPONSE: "tier__first_response_hours", SlaMetric.RESOLUTION: "tier__resolution_hours"}.get(metric)  # type: ignore[call-overload]
    if field is None:
        return None
    value = PointsAccount.objects.filter(customer_id=customer_id, tier__isnull=False).values_list(field, flat=True).first()
    return int(value) if value else None


@sla_target_provider_register
def tier_target(ticket: Ticket, metric: str, tier: int) -> int | None:
    """Return the target a customer's loyalty tier promises for a ticket, in working minutes, or None."""
    if tier != EscalationTier.L1 or not ticket.customer_id:
        return None
    hours = tier_hours(customer_id=ticket.customer_id, metric=metric)
    return hours * 60 if hours else None
