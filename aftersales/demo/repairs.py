"""The demo company's workshop: a small spare parts catalogue and repair orders in several states.

Repairs go through the services, so they carry their history, costs, stock movements, timeline entries
and customer emails as real ones do. Covered repairs start from approved warranty claims; a repair of a
unit out of warranty waits for the customer's answer to its quote.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from aftersales.catalog.models import Part
from aftersales.core.models import User
from aftersales.sales.models import UnitStatus
from aftersales.warranty import services
from aftersales.warranty.coverage import coverage_on
from aftersales.warranty.models import ClaimStatus, FaultCode, WarrantyClaim

# (part number, English name, Spanish name, cost, price, on hand, reorder level)
PARTS = [
    ("SEAL-WM-01", "Washer door seal", "Junta de puerta de lavadora", "12.40", "34.90", 14, 4),
    ("PUMP-WM-02", "Drain pump", "Bomba de desagüe", "28.00", "69.00", 6, 3),
    ("BELT-DR-03", "Dryer drive belt", "Correa de secadora", "7.50", "22.00", 9, 3),
    ("BOARD-FR-04", "Fridge control board", "Placa de control de frigorífico", "64.00", "149.00", 2, 2),
    ("FAN-OV-05", "Oven cooling fan", "Ventilador de horno", "18.20", "45.00", 1, 2),
    ("KNOB-UN-06", "Programme knob", "Mando de programas", "2.10", "12.50", 40, 10),
]


def parts_build(*, actor: User | None) -> list[Part]:
    """Create the demo spare parts (again on a second run: existing part numbers are kept)."""
    parts = []
    for sku, name, name_es, cost, price, on_hand, reorder in PARTS:
        part, _created = Part.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "name_es": name_es,
                "unit_cost": Decimal(cost),
                "unit_price": Decimal(price),
                "stock_on_hand": on_hand,
                "reorder_level": reorder,
            },
        )
        parts.append(part)
    return parts


def repairs_build(*, staff: dict[str, User]) -> int:
    """Create the parts catalogue and a handful of repair orders in different states; return how many were opened.

    A second run (``append``) opens repairs only for claims that have none yet.
    """
    technician, agent = staff["tech.luis"], staff["agent.carmen"]
    seal, pump, _belt, _board, _fan, knob = parts_build(actor=technician)
    claims = list(
        WarrantyClaim.objects.filter(status=ClaimStatus.APPROVED, unit__status=UnitStatus.IN_SERVICE)
        .exclude(fault_code=FaultCode.DELIVERY_DAMAGE)
        .filter(repair_orders__isnull=True)
        .order_by("id")[:3]
    )
    opened = 0
    for index, claim in enumerate(claims):
        order = services.repair_open(actor=agent, unit=claim.unit, claim=claim)
        opened += 1
        if index == 0:
            # Received this morning: nobody has looked at it yet.
            continue
        services.repair_diagnose(actor=technician, order=order, diagnosis="Door seal torn; water reaches the floor.")
        services.repair_part_add(actor=technician, order=order, part=seal)
        services.repair_labour_add(actor=technician, order=order, minutes=45, description="Replace the door seal")
        if index == 2:
            services.repair_move(actor=technician, order=order, status="repairing")
            services.repair_move(actor=technician, order=order, status="ready", note="Tested: no leak on a full cycle.")
    # Out of warranty and not under a maintenance contract either, so the repair is billable.
    today = timezone.localdate()
    rejected = next(
        (
            claim
            for claim in WarrantyClaim.objects.filter(status=ClaimStatus.REJECTED, unit__status=UnitStatus.IN_SERVICE)
            .exclude(unit__repair_orders__isnull=False)
            .select_related("unit")
            .order_by("id")
            if not coverage_on(unit=claim.unit, on=today).covered
        ),
        None,
    )
    if rejected is not None:
        # Out of warranty: the customer is asked to approve the quote before the billable work.
        order = services.repair_open(actor=agent, unit=rejected.unit, fault_description=rejected.fault_description)
        services.repair_diagnose(actor=technician, order=order, diagnosis="Drain pump blocked and worn; a knob is cracked.")
        services.repair_part_add(actor=technician, order=order, part=pump)
        services.repair_part_add(actor=technician, order=order, part=knob)
        services.repair_labour_add(actor=technician, order=order, minutes=60, description="Replace the drain pump")
        services.repair_quote_send(actor=technician, order=order)
        opened += 1
    return opened
