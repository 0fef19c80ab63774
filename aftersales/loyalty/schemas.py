"""API shapes of the loyalty programme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from aftersales.loyalty.models import EarnRule, PointsAccount, PointsEntry, Programme, Tier
from aftersales.loyalty.selectors import Overview, Standing


class ProgrammeOut(Schema):
    active: bool
    starts_on: dt.date | None
    currency: str
    points_per_unit: Decimal
    point_value: Decimal
    min_redemption: int
    expiry_months: int | None
    survey_bonus: int
    voucher_valid_days: int

    @staticmethod
    def of(programme: Programme) -> ProgrammeOut:
        return ProgrammeOut.model_validate(programme, from_attributes=True)


class ProgrammePatch(Schema):
    active: bool | None = None
    starts_on: dt.date | None = Field(None, description="Sales before this day earn nothing; empty: all sales")
    currency: str | None = None
    points_per_unit: Decimal | None = Field(None, description="Points per currency unit spent, rounded down per sale")
    point_value: Decimal | None = Field(None, description="What one point is worth when redeemed (0.05: 100 points = 5.00)")
    min_redemption: int | None = None
    expiry_months: int | None = Field(None, description="Earned points lapse after N months; send null for never")
    survey_bonus: int | None = None
    voucher_valid_days: int | None = None


class TierOut(Schema):
    id: int
    code: str
    name: str
    name_es: str
    min_spend: Decimal
    multiplier: Decimal
    first_response_hours: int | None
    resolution_hours: int | None
    free_visits_per_year: int

    @staticmethod
    def of(tier: Tier) -> TierOut:
        return TierOut.model_validate(tier, from_attributes=True)


class TierIn(Schema):
    code: str
    name: str
    name_es: str = ""
    min_spend: Decimal = Field(description="Minimum spend over the last 12 months")
    multiplier: Decimal = Field(Decimal("1"), description="Points on purchases are multiplied by this (1 or more)")
    first_response_hours: int | None = Field(None, description="First response within N working hours")
    resolution_hours: int | None = Field(None, description="Resolution within N working hours")
    free_visits_per_year: int = 0


class TierPatch(Schema):
    code: str | None = None
    name: str | None = None
    name_es: str | None = None
    min_spend: Decimal | None = None
    multiplier: Decimal | None = None
    first_response_hours: int | None = None
    resolution_hours: int | None = None
    free_visits_per_year: int | None = None


class EarnRuleOut(Schema):
    id: int
    category_id: int
    category: str
    multiplier: Decimal
    extra_per_unit: Decimal
    active: bool

    @staticmethod
    def of(rule: EarnRule) -> EarnRuleOut:
        return EarnRuleOut(
            id=rule.pk,
            category_id=rule.category_id,
            category=str(rule.category),
            multiplier=rule.multiplier,
            extra_per_unit=rule.extra_per_unit,
            active=rule.active,
        )


class EarnRuleIn(Schema):
    category_id: int
    multiplier: Decimal = Decimal("1")
    extra_per_unit: Decimal = Decimal("0")
    active: bool = True


class EarnRulePatch(Schema):
    multiplier: Decimal | None = None
    extra_per_unit: Decimal | None = None
    active: bool | None = None


class TierBrief(Schema):
    id: int
    code: str
    name: str
    min_spend: Decimal


def _tier(tier: Tier | None) -> TierBrief | None:
    return TierBrief(id=tier.pk, code=tier.code, name=tier.display_name("en"), min_spend=tier.min_spend) if tier else None


class StandingOut(Schema):
    customer_id: int
    balance: int
    value: Decimal
    currency: str
    tier: TierBrief | None
    next_tier: TierBrief | None
    spend_12_months: Decimal
    to_next_tier: Decimal | None
    expiring_points: int
    expiring_on: dt.date | None

    @staticmethod
    def of(standing: Standing) -> StandingOut:
        return StandingOut(
            customer_id=standing.customer.pk,
            balance=standing.balance,
            value=standing.value,
            currency=standing.programme.currency,
            tier=_tier(standing.tier),
            next_tier=_tier(standing.next_tier),
            spend_12_months=standing.spend,
            to_next_tier=standing.to_next,
            expiring_points=standing.expiring_points,
            expiring_on=standing.expiring_on,
        )


class EntryOut(Schema):
    id: int
    kind: str
    reason: str
    points: int
    left: int | None = Field(None, description="Points not yet spent or lapsed (earned entries only)")
    expires_on: dt.date | None
    occurred_on: dt.date
    source_ref: str
    note: str
    voucher_code: str = ""
    amount: Decimal | None = None

    @staticmethod
    def resolve_left(entry: PointsEntry) -> int | None:
        return getattr(entry, "left", None) if entry.points > 0 else None

    @staticmethod
    def resolve_voucher_code(entry: PointsEntry) -> str:
        redemption = _redemption(entry)
        return redemption.voucher_code if redemption else ""

    @staticmethod
    def resolve_amount(entry: PointsEntry) -> Decimal | None:
        redemption = _redemption(entry)
        return redemption.amount if redemption else None

    @staticmethod
    def of(entry: PointsEntry) -> EntryOut:
        return EntryOut.model_validate(entry, from_attributes=True)


def _redemption(entry: PointsEntry) -> Any:
    return getattr(entry, "redemption", None) if entry.kind == "redeem" else None


class AwardIn(Schema):
    points: int
    reason: str = Field("manual", description="purchase, survey, referral, contest, bonus or manual")
    source_ref: str = ""
    expires_on: dt.date | None = Field(None, description="Empty: the programme's expiry")
    idempotency_key: str


class AdjustIn(Schema):
    points: int = Field(description="Positive to add, negative to take away")
    note: str = Field(description="Why (shown on the statement)")
    expires_on: dt.date | None = None
    idempotency_key: str


class RedeemIn(Schema):
    points: int
    target: str = Field("voucher", description="voucher, or sale (a discount recorded against sale_id)")
    sale_id: int | None = None
    idempotency_key: str


class RedeemOut(Schema):
    entry: EntryOut
    kind: str
    points: int
    amount: Decimal
    currency: str
    voucher_code: str
    voucher_valid_until: dt.date | None
    sale_id: int | None


class MemberOut(Schema):
    customer_id: int
    customer: str
    balance: int
    tier: str | None
    spend_12_months: Decimal

    @staticmethod
    def resolve_customer(account: PointsAccount) -> str:
        return account.customer.name

    @staticmethod
    def resolve_tier(account: PointsAccount) -> str | None:
        return account.tier.code if account.tier else None

    @staticmethod
    def resolve_spend_12_months(account: PointsAccount) -> Decimal:
        return account.rolling_spend


class TierCount(Schema):
    tier: str | None
    customers: int


class OverviewOut(Schema):
    active: bool
    members: int
    outstanding_points: int
    liability: Decimal
    currency: str
    earned_this_month: int
    redeemed_this_month: int
    expired_this_month: int
    per_tier: list[TierCount]

    @staticmethod
    def of(figures: Overview) -> OverviewOut:
        return OverviewOut(
            active=figures.programme.active,
            members=figures.members,
            outstanding_points=figures.outstanding,
            liability=figures.liability,
            currency=figures.programme.currency,
            earned_this_month=figures.earned,
            redeemed_this_month=figures.redeemed,
            expired_this_month=figures.expired,
            per_tier=[TierCount(tier=tier.code if tier else None, customers=count) for tier, count in figures.per_tier],
        )
