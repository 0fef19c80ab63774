"""The demo company's warranty: claims opened from claim tickets and by customers, a few decided by agents,
extended warranties sold and an exclusion recorded.

Everything goes through the warranty's services, so claims carry their checks, history, timeline entries
and customer emails as real ones do. The same seed picks the same units and outcomes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from aftersales.core.models import User
from aftersales.sales.models import Unit, UnitStatus
from aftersales.service.models import Ticket, TicketKind
from aftersales.warranty import services
from aftersales.warranty.models import ClaimStatus, FaultCode

# Recent units the demo claims for directly, beside claims opened from claim tickets and on the oldest units.
DEMO_DIRECT_CLAIMS = 6
FAULTS = [
    (FaultCode.LEAK, "Water on the floor after each wash."),
    (FaultCode.NO_POWER, "It does not switch on since yesterday."),
    (FaultCode.NOISE, "A loud rattle when it runs."),
    (FaultCode.CONTROLS, "The display stays blank."),
]


def warranty_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Open demo claims (from claim tickets and directly), decide some, sell extended warranties; return the claim count."""
    services.warranty_terms_snapshot_missing()
    rng = random.Random(f"warranty-{seed}")
    agent, technician, rep = staff["agent.carmen"], staff["tech.luis"], staff["rep.ana"]
    claimed_on = min(today, timezone.localdate())
    opened = 0
    for ticket in Ticket.objects.filter(kind=TicketKind.CLAIM, unit__isnull=False).select_related("unit").order_by("number"):
        fault, text = rng.choice(FAULTS)
        services.claim_submit(
            actor=agent,
            unit=ticket.unit,
            fault_code=fault,
            fault_description=text,
            ticket=ticket,
            claimed_on=claimed_on,  # type: ignore[arg-type]
        )
        opened += 1
    in_service = Unit.objects.filter(status=UnitStatus.IN_SERVICE)
    # The oldest units are out of warranty (their claims are rejected); recent ones are covered.
    oldest = list(in_service.order_by("delivered_at", "id")[:3])
    recent = list(in_service.exclude(pk__in=[unit.pk for unit in oldest]).order_by("-delivered_at", "-id")[:40])
    rng.shuffle(recent)
    for unit in oldest + recent[:DEMO_DIRECT_CLAIMS]:
        fault, text = rng.choice(FAULTS)
        claim = services.claim_submit(actor=None, unit=unit, fault_code=fault, fault_description=text, claimed_on=claimed_on)
        opened += 1
        if claim.status == ClaimStatus.REJECTED and rng.random() < 0.3:
            services.claim_decide(
                actor=agent, claim=claim, decision="approved", reason="other", text="Goodwill: a loyal customer."
            )
    spare = recent[DEMO_DIRECT_CLAIMS:]
    for unit in spare[:3]:
        services.extended_warranty_sell(
            actor=rep, unit=unit, months=12, price=Decimal("79.00"), sale_reference="EXT-DEMO", sold_on=claimed_on
        )
    if len(spare) > 3:
        # An exclusion recorded before a claim: the claim waits for an agent to inspect it.
        unit = spare[3]
        services.exclusion_add(actor=technician, unit=unit, note="Opened and repaired by a third party", effective_on=claimed_on)
        services.claim_submit(
            actor=None, unit=unit, fault_code=FaultCode.NOISE, fault_description=FAULTS[2][1], claimed_on=claimed_on
        )
        opened += 1
    return opened
