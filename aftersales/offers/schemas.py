"""API shapes for vouchers and offers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from aftersales.core.errors import FieldError
from aftersales.offers.eligibility import Assessment
from aftersales.offers.models import Offer, Voucher, VoucherRedemption
from aftersales.offers.selectors import OfferPreview, OfferResults


class VoucherFilter(Schema):
    q: str = Field("", description="A code (any case, with or without dashes) or a customer's name or email")
    source: str = Field("", description="manual, points, birthday, gift, referral, offer, contest or tier")
    status: str = Field("", description="active or cancelled")
    validity: str = Field("", description="current, upcoming or expired")
    customer_id: int | None = None


class VoucherIn(Schema):
    customer_id: int | None = Field(None, description="The owner of a personal voucher; empty for a code anyone eligible may use")
    value_kind: str = Field(description="fixed or percent")
    value: Decimal = Field(description="An amount in the default currency, or a percentage from 1 to 100")
    valid_from: dt.date | None = Field(None, description="Today when empty")
    valid_until: dt.date
    max_uses: int | None = Field(1, description="Uses of the code in all; null for no limit")
    max_uses_per_customer: int | None = Field(1, description="Uses per customer; null for no limit")
    segment_ids: list[int] = Field([], description="Only for customers in one of these segments")
    category_ids: list[int] = Field([], description="Only for products of these categories (and those below them)")
    min_sale_value: Decimal | None = None
    source: str = "manual"
    source_ref: str = ""
    idempotency_key: str = Field(description="A retry with the same key returns the first voucher")


class CancelIn(Schema):
    reason: str


class CheckIn(Schema):
    code: str
    customer_id: int
    sale_id: int | None = None
    amount: Decimal | None = Field(None, description="What the voucher applies to when there is no sale")
    category_ids: list[int] | None = Field(None, description="Categories of the products bought, when there is no sale")


class RedeemIn(Schema):
    code: str
    customer_id: int
    sale_id: int | None = None
    amount: Decimal | None = None
    idempotency_key: str = Field(description="A retry with the same key returns the first redemption")


class RedemptionOut(Schema):
    id: int
    voucher_id: int
    code: str
    customer_id: int
    sale_id: int | None
    eligible_amount: Decimal | None
    discount: Decimal
    currency: str
    created_at: dt.datetime

    @staticmethod
    def of(redemption: VoucherRedemption) -> RedemptionOut:
        return RedemptionOut(
            id=redemption.pk,
            voucher_id=redemption.voucher_id,
            code=redemption.voucher.code,
            customer_id=redemption.customer_id,
            sale_id=redemption.sale_id,
            eligible_amount=redemption.eligible_amount,
            discount=redemption.discount,
            currency=redemption.currency,
            created_at=redemption.created_at,
        )


class VoucherOut(Schema):
    id: int
    code: str
    value_kind: str
    value: Decimal
    currency: str
    valid_from: dt.date
    valid_until: dt.date
    max_uses: int | None
    max_uses_per_customer: int | None
    uses: int
    customer_id: int | None
    segment_ids: list[int]
    category_ids: list[int]
    min_sale_value: Decimal | None
    source: str
    source_ref: str
    offer_id: int | None
    status: str
    cancelled_at: dt.datetime | None
    cancel_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_segment_ids(obj: Voucher) -> list[int]:
        return [segment.pk for segment in obj.segments.all()]

    @staticmethod
    def resolve_category_ids(obj: Voucher) -> list[int]:
        return [category.pk for category in obj.categories.all()]

    @staticmethod
    def of(voucher: Voucher) -> VoucherOut:
        return VoucherOut.from_orm(voucher)


class VoucherDetailOut(VoucherOut):
    redemptions: list[RedemptionOut]

    @staticmethod
    def resolve_redemptions(obj: Voucher) -> list[RedemptionOut]:
        redemptions = obj.redemptions.select_related("voucher").order_by("-created_at", "-id")
        return [RedemptionOut.of(item) for item in redemptions]

    @staticmethod
    def of(voucher: Voucher) -> VoucherDetailOut:  # type: ignore[override]
        return VoucherDetailOut.from_orm(voucher)


class ErrorOut(Schema):
    field: str
    reason: str
    code: str


class CheckOut(Schema):
    applies: bool
    code: str
    value_kind: str | None
    value: Decimal | None
    eligible_amount: Decimal | None
    discount: Decimal | None
    errors: list[ErrorOut]

    @staticmethod
    def of(assessment: Assessment, code: str) -> CheckOut:
        voucher = assessment.voucher
        errors: list[FieldError] = assessment.errors
        return CheckOut(
            applies=assessment.applies,
            code=voucher.code if voucher else code,
            value_kind=voucher.value_kind if voucher else None,
            value=voucher.value if voucher else None,
            eligible_amount=assessment.eligible_amount,
            discount=assessment.discount if assessment.applies else None,
            errors=[ErrorOut(**error.as_dict()) for error in errors],  # type: ignore[arg-type]
        )


class OfferIn(Schema):
    title: str
    title_es: str
    body: str
    body_es: str
    valid_from: dt.date | None = None
    valid_until: dt.date
    channel: str = Field("email", description="email or sms")
    segment_ids: list[int] = Field([], description="Audience: customers in one of these segments")
    bought_category_ids: list[int] = Field([], description="Audience: customers who bought from these categories")
    language: str = Field("", description="Audience: customers who read this language (en or es); empty for all")
    min_lifetime_spend: Decimal | None = Field(None, description="Audience: customers whose sales add up to at least this")
    code_kind: str = Field("personal", description="personal (one single-use voucher each) or shared (one code for all)")
    value_kind: str = Field(description="fixed or percent")
    value: Decimal
    min_sale_value: Decimal | None = None
    voucher_category_ids: list[int] = Field([], description="The vouchers apply to these categories only")

    def data(self) -> dict[str, object]:
        values = self.dict(exclude={"segment_ids", "bought_category_ids", "voucher_category_ids"})
        values["segments"] = self.segment_ids
        values["bought_categories"] = self.bought_category_ids
        values["voucher_categories"] = self.voucher_category_ids
        return values


class PreviewOut(Schema):
    recipients: int
    suppressed: int
    will_receive: int

    @staticmethod
    def of(preview: OfferPreview) -> PreviewOut:
        return PreviewOut(recipients=preview.recipients, suppressed=preview.suppressed, will_receive=preview.will_receive)


class ResultsOut(Schema):
    queued: int
    suppressed: int
    vouchers: int
    redeemed: int
    discount: Decimal

    @staticmethod
    def of(results: OfferResults) -> ResultsOut:
        return ResultsOut(**results.__dict__)


class OfferOut(Schema):
    id: int
    title: str
    title_es: str
    body: str
    body_es: str
    valid_from: dt.date
    valid_until: dt.date
    channel: str
    segment_ids: list[int]
    bought_category_ids: list[int]
    language: str
    min_lifetime_spend: Decimal | None
    code_kind: str
    value_kind: str
    value: Decimal
    min_sale_value: Decimal | None
    voucher_category_ids: list[int]
    shared_code: str | None
    status: str
    send_started_at: dt.datetime | None
    sent_at: dt.datetime | None
    results: ResultsOut

    @staticmethod
    def of(offer: Offer, results: OfferResults) -> OfferOut:
        return OfferOut(
            id=offer.pk,
            title=offer.title,
            title_es=offer.title_es,
            body=offer.body,
            body_es=offer.body_es,
            valid_from=offer.valid_from,
            valid_until=offer.valid_until,
            channel=offer.channel,
            segment_ids=list(offer.segments.values_list("pk", flat=True)),
            bought_category_ids=list(offer.bought_categories.values_list("pk", flat=True)),
            language=offer.language,
            min_lifetime_spend=offer.min_lifetime_spend,
            code_kind=offer.code_kind,
            value_kind=offer.value_kind,
            value=offer.value,
            min_sale_value=offer.min_sale_value,
            voucher_category_ids=list(offer.voucher_categories.values_list("pk", flat=True)),
            shared_code=offer.shared_voucher.code if offer.shared_voucher else None,
            status=offer.status,
            send_started_at=offer.send_started_at,
            sent_at=offer.sent_at,
            results=ResultsOut.of(results),
        )
