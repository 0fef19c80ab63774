"""API shapes for referrals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from aftersales.referrals.models import Referral, ReferralCode, ReferralSettings
from aftersales.referrals.selectors import Funnel
from aftersales.referrals.services import referral_link


class SettingsOut(Schema):
    active: bool
    referrer_points: int
    referrer_voucher_value: Decimal
    referred_points: int
    referred_voucher_value: Decimal
    voucher_valid_days: int
    attribution_days: int
    min_first_purchase: Decimal
    invitation_cooldown_days: int

    @staticmethod
    def of(programme: ReferralSettings) -> SettingsOut:
        return SettingsOut(**{name: getattr(programme, name) for name in SettingsOut.model_fields})


class SettingsPatch(Schema):
    active: bool | None = None
    referrer_points: int | None = Field(None, description="Points for the referrer on conversion (0: none)")
    referrer_voucher_value: Decimal | None = Field(None, description="Fixed voucher value for the referrer (0: none)")
    referred_points: int | None = Field(None, description="Points for the friend on conversion (0: none)")
    referred_voucher_value: Decimal | None = Field(None, description="Fixed voucher value for the friend (0: none)")
    voucher_valid_days: int | None = Field(None, description="Days a reward voucher stays valid")
    attribution_days: int | None = Field(None, description="Days from the referral to the friend's first purchase")
    min_first_purchase: Decimal | None = Field(None, description="The first purchase must total at least this")
    invitation_cooldown_days: int | None = Field(None, description="Days between two invitations to the same customer")


class CodeIn(Schema):
    customer_id: int


class CodeOut(Schema):
    customer_id: int
    code: str
    link: str
    active: bool

    @staticmethod
    def of(code: ReferralCode) -> CodeOut:
        return CodeOut(customer_id=code.customer_id, code=code.code, link=referral_link(code), active=code.active)


class CodeActiveIn(Schema):
    active: bool


class ReferralIn(Schema):
    referrer_id: int = Field(description="The customer who refers the friend")
    name: str
    email: str = ""
    phone: str = Field("", description="Any common form; stored as E.164")
    address: str = ""
    language: str = Field("en", description="en or es")
    consent: bool = Field(description="The friend agreed to be contacted (required)")
    consent_at: dt.datetime | None = Field(None, description="When they agreed; now when empty")


class ReferralFilter(Schema):
    status: str = Field("", description="pending, converted, rewarded, rejected or expired")
    source: str = Field("", description="link, phone, store, event or api")
    reason: str = Field("", description="Rejection reason")
    referrer_id: int | None = None
    q: str = Field("", description="A friend's name, email or phone, or the referrer's name")
    since: dt.date | None = None
    until: dt.date | None = None


class RejectIn(Schema):
    note: str


class ReferralOut(Schema):
    id: int
    referrer_id: int
    referrer_name: str
    name: str
    email: str
    phone: str
    address: str
    language: str
    source: str
    consent: bool
    consent_at: dt.datetime | None
    status: str
    rejection_reason: str
    rejection_note: str
    referred_on: dt.date
    expires_on: dt.date
    referred_customer_id: int | None
    first_sale_number: str | None
    converted_at: dt.datetime | None
    rewarded_at: dt.datetime | None
    referrer_points: int
    referrer_voucher: str
    referred_points: int
    referred_voucher: str

    @staticmethod
    def resolve_referrer_name(referral: Referral) -> str:
        return referral.referrer.name

    @staticmethod
    def resolve_first_sale_number(referral: Referral) -> str | None:
        return referral.first_sale.number if referral.first_sale else None

    @staticmethod
    def of(referral: Referral) -> ReferralOut:
        return ReferralOut.from_orm(referral)


class FunnelOut(Schema):
    since: dt.date
    until: dt.date
    invitations_sent: int
    links_opened: int
    prospects: int
    converted: int
    rewarded: int
    expired: int
    rejected: int
    rejected_by_reason: dict[str, int]
    conversion_rate: float | None

    @staticmethod
    def of(funnel: Funnel) -> FunnelOut:
        return FunnelOut(
            conversion_rate=funnel.conversion_rate,
            **{name: getattr(funnel, name) for name in FunnelOut.model_fields if name != "conversion_rate"},
        )


class InviteIn(Schema):
    customer_id: int
    idempotency_key: str = Field("", description="Retry with the same key to get the same invitation; a fresh one when empty")


class InvitationOut(Schema):
    id: int
    customer_id: int
    trigger: str
    status: str
    created_at: dt.datetime
