"""The demo company's returns and replacements: a category policy, returns at every stage (one refunded, one
exchanged, one waiting for staff), and a unit replaced twice from an approved claim.

Everything goes through the services, so requests carry their policy answer, history, timeline entries,
customer emails and after-sales costs as real ones do. The same seed picks the same units.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from aftersales.catalog.models import Category
from aftersales.core.models import User
from aftersales.sales.models import Unit, UnitStatus
from aftersales.warranty import services
from aftersales.warranty.models import ClaimStatus, ReturnPolicy, ReturnRequest, WarrantyClaim


def returns_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Set up a category return policy, returns at every stage and a replacement chain; return the requests opened."""
    rng = random.Random(f"returns-{seed}")
    agent, technician, manager = staff["agent.carmen"], staff["tech.luis"], staff["manager"]
    services.return_policy_defaults_create()
    category = Category.objects.filter(products__isnull=False).order_by("slug").first()
    if category is not None:
        # Appending to a demo keeps the policy a first build set up.
        services.return_policy_save(
            actor=manager,
            policy=ReturnPolicy.objects.filter(category=category).first(),
            category=category,
            name=f"{category.name}: 15-day returns",
            return_window_days=15,
            exchange_window_days=45,
            refund_methods=["original_payment", "store_credit"],
            conditions={
                "opened": {"accepts_return": True, "accepts_exchange": True, "fee_percent": "15"},
                "used": {"accepts_return": False, "accepts_exchange": True, "fee_percent": "0"},
            },
        )
    day = min(today, timezone.localdate())
    busy = set(WarrantyClaim.objects.values_list("unit_id", flat=True))
    in_service = Unit.objects.filter(status=UnitStatus.IN_SERVICE, delivered_at__isnull=False).exclude(pk__in=busy)
    recent = list(in_service.filter(delivered_at__date__gte=day - dt.timedelta(days=12)).order_by("-delivered_at", "id")[:12])
    rng.shuffle(recent)
    opened = 0
    if len(recent) >= 3:
        # Authorised and waiting for the goods.
        services.return_request_open(actor=None, unit=recent[0], wish="return", condition="opened", reason="Too big", on=day)
        # Refunded in store credit.
        refunded = services.return_request_open(
            actor=agent, unit=recent[1], wish="return", condition="unopened", reason="A gift we already had", on=day
        )
        services.return_request_receive(actor=agent, request=refunded, logistics_cost=Decimal("8.50"))
        services.return_request_inspect(actor=technician, request=refunded, condition_found="unopened", accept=True)
        services.return_request_refund(actor=manager, request=refunded, method="store_credit", reference="SC-DEMO-1")
        # Exchanged for the same product: a new sale, like any other.
        exchanged = services.return_request_open(
            actor=None, unit=recent[2], wish="exchange", condition="used", reason="Wrong colour", on=day
        )
        services.return_request_receive(actor=agent, request=exchanged)
        services.return_request_inspect(actor=technician, request=exchanged, condition_found="used", accept=True)
        services.return_request_exchange(actor=manager, request=exchanged, new_serial=f"{recent[2].serial}-X")
        opened += 3
    older = in_service.filter(delivered_at__date__lt=day - dt.timedelta(days=60)).exclude(
        pk__in=ReturnRequest.objects.values("unit_id")
    )
    late = older.order_by("delivered_at", "id").first()
    if late is not None:
        # Outside the policy: it waits for an agent to decide.
        services.return_request_open(
            actor=None, unit=late, wish="return", condition="defective", reason="Stopped working", on=day
        )
        opened += 1
    claim = (
        WarrantyClaim.objects.filter(status=ClaimStatus.APPROVED, unit__status=UnitStatus.IN_SERVICE)
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if claim is not None:
        first = services.unit_replace(
            actor=agent,
            unit=claim.unit,
            new_serial=f"{claim.unit.serial}-R1",
            reason="warranty",
            claim=claim,
            logistics_cost=Decimal("25.00"),
        )
        services.unit_replace(
            actor=agent,
            unit=first.new_unit,
            new_serial=f"{claim.unit.serial}-R2",
            reason="repair_failed",
            logistics_cost=Decimal("25.00"),
        )
    return opened
