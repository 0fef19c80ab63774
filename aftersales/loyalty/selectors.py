"""Reads of the loyalty programme: a customer's standing and statement, the members, the programme overview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.customers.models import Customer
from aftersales.loyalty.models import EntryKind, PointsAccount, PointsAllocation, PointsEntry, Programme, Tier
from aftersales.loyalty.services.ledger import points_value, programme_get
from aftersales.loyalty.services.notices import points_expiring
from aftersales.loyalty.services.tiers import next_tier, rolling_spend


@dataclass(frozen=True)
class Standing:
    """Where a customer stands: balance and its worth, tier, progress to the next tier, points lapsing soon."""

    customer: Customer
    programme: Programme
    balance: int
    value: Decimal
    tier: Tier | None
    next_tier: Tier | None
    spend: Decimal
    to_next: Decimal | None
    progress_percent: int
    expiring_points: int
    expiring_on: dt.date | None


def standing(*, customer: Customer, today: dt.date | None = None) -> Standing:
    """Return the customer's standing in the programme (nothing is written)."""
    today = today or timezone.localdate()
    programme = programme_get()
    account = PointsAccount.objects.filter(customer=customer).select_related("tier").first()
    balance = account.balance if account else 0
    tier = account.tier if account else None
    following = next_tier(tier)
    spend = rolling_spend(customer_id=customer.pk, today=today)
    to_next = max(following.min_spend - spend, Decimal("0")) if following else None
    if following is None:
        progress = 100
    else:
        floor = tier.min_spend if tier else Decimal("0")
        span = following.min_spend - floor
        progress = int(min(max((spend - floor) / span * 100, Decimal("0")), Decimal("100"))) if span > 0 else 100
    expiring = points_expiring(customer_id=customer.pk, today=today).get(customer.pk)
    return Standing(
        customer=customer,
        programme=programme,
        balance=balance,
        value=points_value(points=balance, programme=programme),
        tier=tier,
        next_tier=following,
        spend=spend,
        to_next=to_next,
        progress_percent=progress,
        expiring_points=expiring[0] if expiring else 0,
        expiring_on=expiring[1] if expiring else None,
    )


def statement(*, customer_id: int) -> QuerySet[PointsEntry]:
    """Return a customer's entries, newest first, each credit with the points it has ``left``."""
    used = PointsAllocation.objects.filter(credit=OuterRef("pk")).values("credit").annotate(total=Sum("points")).values("total")
    return (
        PointsEntry.objects.filter(customer_id=customer_id)
        .select_related("created_by", "redemption", "redemption__sale")
        .annotate(used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)))
        .annotate(left=F("points") - F("used"))
        .order_by("-occurred_on", "-id")
    )


def members(*, text: str = "", tier_id: int | None = None) -> QuerySet[PointsAccount]:
    """Return the programme's members (customers with an account), largest balance first."""
    accounts = PointsAccount.objects.select_related("customer", "tier").order_by("-balance", "pk")
    if text.strip():
        accounts = accounts.filter(customer__name__icontains=text.strip())
    if tier_id:
        accounts = accounts.filter(tier_id=tier_id)
    return accounts


@dataclass(frozen=True)
class Overview:
    programme: Programme
    members: int
    outstanding: int
    liability: Decimal
    earned: int
    redeemed: int
    expired: int
    adjusted: int
    per_tier: list[tuple[Tier | None, int]]


def overview(*, today: dt.date | None = None) -> Overview:
    """Return the programme's figures: members, points outstanding and their worth, this month's movements, tiers."""
    today = today or timezone.localdate()
    programme = programme_get()
    totals = PointsAccount.objects.aggregate(members=Count("pk"), outstanding=Sum("balance"))
    month = PointsEntry.objects.filter(occurred_on__gte=today.replace(day=1), occurred_on__lte=today)
    moved = dict(month.values("kind").annotate(total=Sum("points")).values_list("kind", "total"))
    counts: dict[int | None, int] = dict(
        PointsAccount.objects.values("tier_id").annotate(count=Count("pk")).values_list("tier_id", "count")
    )
    per_tier: list[tuple[Tier | None, int]] = [(tier, counts.get(tier.pk, 0)) for tier in Tier.objects.order_by("-min_spend")]
    per_tier.append((None, counts.get(None, 0)))
    outstanding = totals["outstanding"] or 0
    return Overview(
        programme=programme,
        members=totals["members"] or 0,
        outstanding=outstanding,
        liability=points_value(points=outstanding, programme=programme),
        earned=moved.get(EntryKind.EARN, 0) or 0,
        redeemed=-(moved.get(EntryKind.REDEEM, 0) or 0),
        expired=-(moved.get(EntryKind.EXPIRE, 0) or 0),
        adjusted=moved.get(EntryKind.ADJUST, 0) or 0,
        per_tier=per_tier,
    )
