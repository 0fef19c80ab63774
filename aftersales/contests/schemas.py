"""API shapes for contests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ContestTermsPatch(Schema):
    code: str | None = Field(None, description="A short unique code (letters, digits, dashes), used by contest-verify")
    name: str | None = None
    name_es: str | None = None
    rules: str | None = None
    rules_es: str | None = None
    opens_at: dt.datetime | None = Field(None, description="Entries count from this moment (with its time zone)")
    closes_at: dt.datetime | None = Field(None, description="Entries count until this moment")
    draw_at: dt.datetime | None = Field(None, description="The announced draw date (not before closes_at)")
    winners_count: int | None = Field(None, ge=1, le=1000)
    prize: str | None = None
    prize_es: str | None = None
    prize_voucher_value: Decimal | None = Field(None, description="Each winner gets a voucher of this value; empty: no voucher")
    prize_voucher_valid_days: int | None = Field(None, ge=1, le=3650)
    entries_per_sale: int | None = Field(None, ge=0, le=100)
    sale_amount_step: Decimal | None = Field(None, description="Give entries_per_sale per full step of this amount")
    category_ids: list[int] | None = Field(None, description="Only the amount of lines in these categories counts")
    entries_per_survey: int | None = Field(None, ge=0, le=100)
    entries_per_referral: int | None = Field(None, ge=0, le=100)
    max_entries_per_customer: int | None = Field(None, ge=1)
    exclude_staff: bool | None = None


class ContestIn(ContestTermsPatch):
    code: str  # type: ignore[assignment]
    name: str  # type: ignore[assignment]
    opens_at: dt.datetime  # type: ignore[assignment]
    closes_at: dt.datetime  # type: ignore[assignment]
    draw_at: dt.datetime  # type: ignore[assignment]
    prize: str  # type: ignore[assignment]


class ContestOut(Schema):
    id: int
    code: str
    name: str
    name_es: str
    rules: str
    rules_es: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    draw_at: dt.datetime
    winners_count: int
    prize: str
    prize_es: str
    prize_voucher_value: Decimal | None
    prize_voucher_valid_days: int
    entries_per_sale: int
    sale_amount_step: Decimal | None
    category_ids: list[int]
    entries_per_survey: int
    entries_per_referral: int
    max_entries_per_customer: int | None
    exclude_staff: bool
    seed_hash: str = Field(description="SHA-256 of the secret seed, published when the contest opens")
    entries_digest: str = Field(description="SHA-256 of the frozen entry list, published when entries close")
    seed: str = Field(description="The seed, published after the draw (empty before)")

    @staticmethod
    def resolve_category_ids(obj: object) -> list[int]:
        return [category.pk for category in obj.categories.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_seed(obj: object) -> str:
        return obj.seed_published  # type: ignore[attr-defined, no-any-return]


class ContestFilter(Schema):
    status: str = Field("", description="draft, open, closed, drawn or cancelled")
    q: str = Field("", description="Name or code")


class EntryOut(Schema):
    id: int
    number: int | None
    customer_id: int
    customer_ref: str
    source: str
    source_ref: str
    n: int
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_customer_ref(obj: object) -> str:
        return f"C{obj.customer_id}"  # type: ignore[attr-defined]


class EntryFilter(Schema):
    q: str = Field("", description="Customer name, email or reference (C42)")
    source: str = Field("", description="sale, survey, referral or manual")


class ManualEntryIn(Schema):
    customer_id: int
    count: int = Field(1, ge=1, le=100)
    reason: str
    idempotency_key: str = Field("", description="A retry with the same key gives the same entries back")


class ExclusionIn(Schema):
    customer_id: int
    reason: str


class ExclusionOut(Schema):
    id: int
    contest_id: int | None
    customer_id: int
    reason: str
    created_at: dt.datetime


class WinnerAuditOut(Schema):
    rank: int
    draw_round: int
    entry_number: int | None
    customer: str


class AuditOut(Schema):
    contest: str
    status: str
    seed_hash: str
    entries_count: int | None
    entries_digest: str
    frozen_at: dt.datetime | None
    excluded: list[str]
    winners_count: int
    seed: str
    drawn_at: dt.datetime | None
    winners: list[WinnerAuditOut]


class ResultOut(Schema):
    rank: int
    name: str = Field(description="First name, initial and city")
    prize: str
