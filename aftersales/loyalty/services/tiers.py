"""Tiers: each customer's spend over the last 12 months places them in a tier; its benefits follow."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.fieldwork.models import WorkOrder, WorkOrderKind
from aftersales.fieldwork.services import work_order_create
from aftersales.loyalty.models import PointsAccount, Tier, TierBenefitGrant
from aftersales.loyalty.services.ledger import account_lock
from aftersales.messaging.models import MessageChannel, Purpose
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Sale, Unit, UnitStatus
from aftersales.warranty.selectors_returns import sale_net_spend

logger = logging.getLogger(__name__)

TIER_TEMPLATE = "loyalty_tier_changed"
ROLLING_DAYS = 365
SPEND = DecimalField(max_digits=16, decimal_places=2)


def _today() -> dt.date:
    return timezone.localdate()


def rolling_window(today: dt.date) -> dt.date:
    """Return the first day of the 12 months that count for a tier on a day."""
    return today - dt.timedelta(days=ROLLING_DAYS - 1)


def _window_sales(today: dt.date) -> QuerySet[Sale]:
    # A refund goes with its sale: both count, or neither, by the day of the sale.
    return Sale.objects.filter(sold_on__gte=rolling_window(today), sold_on__lte=today)


def _spend_of(customer: Any, today: dt.date) -> Coalesce:
    """Return the 12-month spend of the outer customer net of refunds, as one subquery."""
    spend = Subquery(
        _window_sales(today)
        .filter(customer_id=customer)
        .values("customer_id")
        .annotate(total=Sum(sale_net_spend()))
        .values("total"),
        output_field=SPEND,
    )
    return Coalesce(spend, Value(Decimal("0")), output_field=SPEND)


def rolling_spend(*, customer_id: int, today: dt.date | None = None) -> Decimal:
    """Return a customer's spend over the last 365 days (today included): their sales' totals less what was refunded on them."""
    today = today or _today()
    total = _window_sales(today).filter(customer_id=customer_id).aggregate(total=Sum(sale_net_spend()))["total"]
    return total or Decimal("0")  # each sale counts for at least nothing


def tier_for_spend(spend: Decimal, tiers: list[Tier] | None = None) -> Tier | None:
    """Return the highest tier whose minimum the spend reaches."""
    candidates = [tier for tier in (tiers if tiers is not None else list(Tier.objects.all())) if tier.min_spend <= spend]
    return max(candidates, key=lambda tier: tier.min_spend) if candidates else None


def next_tier(current: Tier | None, tiers: list[Tier] | None = None) -> Tier | None:
    """Return the tier above the current one (the lowest tier for a customer with none)."""
    tiers = sorted(tiers if tiers is not None else Tier.objects.all(), key=lambda tier: tier.min_spend)
    floor = current.min_spend if current is not None else Decimal("-1")
    return next((tier for tier in tiers if tier.min_spend > floor), None)


def _tier_name(tier: Tier | None, language: str) -> str:
    if tier is None:
        return str(translation.gettext("no tier"))
    return tier.display_name(language)


@transaction.atomic
def tier_recompute(*, customer: Customer, today: dt.date | None = None, notify: bool = True) -> PointsAccount | None:
    """Place a customer in the tier their 12-month spend reaches; a change goes on the timeline and to the customer."""
    today = today or _today()
    spend = rolling_spend(customer_id=customer.pk, today=today)
    tier = tier_for_spend(spend)
    if tier is None and not PointsAccount.objects.filter(customer=customer).exists():
        return None
    account = account_lock(customer=customer)
    old = account.tier
    PointsAccount.objects.filter(pk=account.pk).update(
        tier=tier, rolling_spend=spend, tier_computed_on=today, updated_at=timezone.now()
    )
    account.refresh_from_db()
    if (old.pk if old else None) != (tier.pk if tier else None):
        timeline_record(
            customer=customer,
            kind="tier_changed",
            data={"old": old.name if old else "—", "new": tier.name if tier else "—", "spend": str(spend)},
        )
        if notify and tier is not None:
            message_enqueue(
                actor=None,
                customer=customer,
                template_code=TIER_TEMPLATE,
                channel=MessageChannel.EMAIL,
                context={
                    "tier": _tier_name(tier, customer.language),
                    "previous_tier": _tier_name(old, customer.language) if old else "",
                    "upgrade": old is None or tier.min_spend > old.min_spend,
                    "spend": spend,
                    "multiplier": tier.multiplier,
                    "first_response_hours": tier.first_response_hours,
                    "resolution_hours": tier.resolution_hours,
                    "free_visits": tier.free_visits_per_year,
                },
                idempotency_key=f"loyalty_tier:{customer.pk}:{tier.pk}:{today.isoformat()}",
                purpose=Purpose.TRANSACTIONAL,
            )
    return account


def _customers_with_tier_change(today: dt.date) -> QuerySet[Customer]:
    tiers = list(Tier.objects.order_by("-min_spend"))
    current = Subquery(
        PointsAccount.objects.filter(customer_id=OuterRef("pk")).values("tier_id")[:1], output_field=IntegerField()
    )
    target = (
        Case(
            *[When(spend_12m__gte=tier.min_spend, then=Value(tier.pk)) for tier in tiers],
            default=Value(0),
            output_field=IntegerField(),
        )
        if tiers
        else Value(0, output_field=IntegerField())
    )
    has_recent_sale = Q(sales__sold_on__gte=rolling_window(today))
    candidates = Customer.objects.filter(Q(points_account__isnull=False) | has_recent_sale).distinct()
    return (
        candidates.annotate(spend_12m=_spend_of(OuterRef("pk"), today))
        .annotate(current_tier=Coalesce(current, Value(0)), target_tier=target)
        .exclude(current_tier=F("target_tier"))
    )


def tiers_recompute(*, today: dt.date | None = None, notify: bool = True) -> int:
    """Refresh every member's 12-month spend (net of refunds) and move those whose tier changed; return how many moved."""
    today = today or _today()
    PointsAccount.objects.update(
        rolling_spend=_spend_of(OuterRef("customer_id"), today),
        tier_computed_on=today,
    )
    moved = 0
    for customer in _customers_with_tier_change(today).iterator(chunk_size=500):
        try:
            tier_recompute(customer=customer, today=today, notify=notify)
            moved += 1
        except Exception:
            logger.exception("Could not recompute the tier of customer %s", customer.pk)
    return moved


def _unit_for_visit(customer_id: int) -> Unit | None:
    """Return the customer's most recently installed unit in service whose product needs maintenance."""
    return (
        Unit.objects.filter(
            customer_id=customer_id, status=UnitStatus.IN_SERVICE, product__maintenance_interval_months__isnull=False
        )
        .select_related("product")
        .order_by(F("installed_at").desc(nulls_last=True), "-pk")
        .first()
    )


def tier_visits_grant(*, today: dt.date | None = None) -> int:
    """Propose the free maintenance visits tiers give: one work order per allowance left over the last 12 months.

    A visit is proposed for the customer's most recently installed unit needing maintenance, and only if that
    unit has had no maintenance work order for its maintenance interval.
    """
    today = today or _today()
    since = today - dt.timedelta(days=ROLLING_DAYS - 1)
    granted = (
        TierBenefitGrant.objects.filter(customer_id=OuterRef("customer_id"), granted_on__gte=since)
        .values("customer_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    accounts = (
        PointsAccount.objects.filter(tier__free_visits_per_year__gt=0)
        .annotate(granted=Coalesce(Subquery(granted, output_field=IntegerField()), Value(0)))
        .filter(granted__lt=F("tier__free_visits_per_year"))
        .select_related("tier", "customer")
    )
    made = 0
    for account in accounts:
        unit = _unit_for_visit(account.customer_id)
        if unit is None or account.tier is None:
            continue
        interval = unit.product.maintenance_interval_months or 12
        recent = WorkOrder.objects.filter(
            units=unit, kind=WorkOrderKind.MAINTENANCE, created_at__date__gte=today - dt.timedelta(days=interval * 30)
        ).exists()
        if recent:
            continue
        key = f"loyalty-visit:{account.customer_id}:{today.isoformat()}:{account.granted + 1}"  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                with translation.override(account.customer.language):
                    description = translation.gettext("Free maintenance visit of the %(tier)s loyalty tier") % {
                        "tier": account.tier.display_name(account.customer.language)
                    }
                order = work_order_create(
                    actor=None,
                    kind=WorkOrderKind.MAINTENANCE,
                    customer=account.customer,
                    units=[unit],
                    description=description,
                    origin_key=key,
                )
                TierBenefitGrant.objects.get_or_create(
                    idempotency_key=key,
                    defaults={"customer_id": account.customer_id, "tier": account.tier, "granted_on": today, "work_order": order},
                )
                made += 1
        except Exception:
            logger.exception("Could not propose the free visit of customer %s", account.customer_id)
    return made
