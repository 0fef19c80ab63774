"""Reads of vouchers and offers: who sees which voucher, checking a code, an offer's audience and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.core.permissions import is_staff_member
from aftersales.customers.models import Customer
from aftersales.messaging.models import CONSENT_FOR_CHANNEL, MessageChannel
from aftersales.offers.codes import code_normalise
from aftersales.offers.eligibility import Assessment, categories_with_descendants, voucher_assess
from aftersales.offers.models import (
    Offer,
    OfferRecipient,
    OfferStatus,
    RecipientStatus,
    Voucher,
    VoucherRedemption,
    VoucherStatus,
)
from aftersales.sales.models import Sale, SaleLine
from aftersales.warranty.selectors_returns import sale_net_spend

VIEW = "offers.view_voucher"
VIEW_OFFERS = "offers.view_offer"


def vouchers_visible_to(user: Any) -> QuerySet[Voucher]:
    """Return the vouchers a user may see: all for staff with the permission, their own personal ones for a customer."""
    base = Voucher.objects.select_related("customer", "issued_by", "cancelled_by", "offer")
    if is_staff_member(user):
        return base if user.has_perm(VIEW) else base.none()
    if user is not None and user.is_authenticated and user.is_active:
        return base.filter(customer__user=user)
    return base.none()


def vouchers_filtered(
    queryset: QuerySet[Voucher],
    *,
    text: str = "",
    source: str = "",
    status: str = "",
    validity: str = "",
    customer_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[Voucher]:
    """Return vouchers narrowed by a code or customer name, source, status and validity (current, upcoming, expired)."""
    text = (text or "").strip()
    if text:
        code = code_normalise(text)
        condition = Q(customer__name__icontains=text) | Q(customer__email__iexact=text) | Q(code__icontains=text.upper())
        if code:
            condition |= Q(code=code)
        queryset = queryset.filter(condition)
    if source:
        queryset = queryset.filter(source=source)
    if status:
        queryset = queryset.filter(status=status)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    today = today or timezone.localdate()
    if validity == "current":
        queryset = queryset.filter(status=VoucherStatus.ACTIVE, valid_from__lte=today, valid_until__gte=today)
    elif validity == "upcoming":
        queryset = queryset.filter(valid_from__gt=today)
    elif validity == "expired":
        queryset = queryset.filter(valid_until__lt=today)
    return queryset.order_by("-created_at", "-id")


def voucher_by_code(code: str) -> Voucher | None:
    """Return the voucher a typed code names (case, spaces and dashes ignored), or None."""
    normalised = code_normalise(code)
    return Voucher.objects.filter(code=normalised).first() if normalised else None


def voucher_check(
    *,
    code: str,
    customer: Customer,
    sale: Sale | None = None,
    amount: Decimal | None = None,
    categories: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> Assessment:
    """Return whether a code applies to a customer (and a sale, amount or categories) and its discount, redeeming nothing."""
    return voucher_assess(
        voucher=voucher_by_code(code), customer=customer, sale=sale, amount=amount, categories=categories, today=today
    )


@dataclass(frozen=True)
class CustomerVouchers:
    """A customer's personal vouchers: those they can use now or soon, and those used, expired or cancelled."""

    usable: list[Voucher]
    past: list[Voucher]


def vouchers_of_customer(customer: Customer, *, today: dt.date | None = None) -> CustomerVouchers:
    """Return a customer's personal vouchers split into usable ones and the rest."""
    today = today or timezone.localdate()
    vouchers = list(
        Voucher.objects.filter(customer=customer)
        .prefetch_related("categories", "segments")
        .annotate(customer_uses=Count("redemptions", filter=Q(redemptions__customer=customer)))
        .order_by("valid_until", "id")
    )
    usable: list[Voucher] = []
    past: list[Voucher] = []
    for voucher in vouchers:
        exhausted = voucher.used_up or (
            voucher.max_uses_per_customer is not None and voucher.customer_uses >= voucher.max_uses_per_customer
        )
        if voucher.status == VoucherStatus.ACTIVE and voucher.valid_until >= today and not exhausted:
            usable.append(voucher)
        else:
            past.append(voucher)
    past.sort(key=lambda voucher: (voucher.valid_until, voucher.pk), reverse=True)
    return CustomerVouchers(usable=usable, past=past)


def offer_audience(offer: Offer) -> QuerySet[Customer]:
    """Return the customers an offer is for: in its segments, buyers from its categories, in its language, spent enough
    (what they paid and kept: refunds and exchanges' credit are not spend)."""
    queryset = Customer.objects.all()
    segment_ids = list(offer.segments.values_list("pk", flat=True))
    if segment_ids:
        through = Customer.segments.through
        queryset = queryset.filter(Exists(through.objects.filter(customer_id=OuterRef("pk"), segment_id__in=segment_ids)))
    category_ids = categories_with_descendants(offer.bought_categories.values_list("pk", flat=True))
    if category_ids:
        queryset = queryset.filter(
            Exists(SaleLine.objects.filter(sale__customer_id=OuterRef("pk"), product__category_id__in=category_ids))
        )
    if offer.language:
        queryset = queryset.filter(language=offer.language)
    if offer.min_lifetime_spend is not None:
        spent = (
            Sale.objects.filter(customer_id=OuterRef("pk"))
            .order_by()
            .values("customer_id")
            # Net of refunds and of exchanges' credit, as loyalty tiers count it.
            .annotate(total=Sum(sale_net_spend()))
            .values("total")
        )
        queryset = queryset.annotate(
            spent=Coalesce(Subquery(spent), Value(Decimal("0")), output_field=DecimalField(max_digits=16, decimal_places=2))
        ).filter(spent__gte=offer.min_lifetime_spend)
    return queryset


@dataclass(frozen=True)
class OfferPreview:
    """Who an offer would reach: everyone in the audience, and those the outbox will not message."""

    recipients: int
    suppressed: int

    @property
    def will_receive(self) -> int:
        return self.recipients - self.suppressed


def offer_preview(offer: Offer) -> OfferPreview:
    """Count an offer's audience and those who will be suppressed for lack of consent or of an address."""
    audience = offer_audience(offer)
    consent_field = f"consent_{CONSENT_FOR_CHANNEL[MessageChannel(offer.channel)]}_at"
    address_field = "email" if offer.channel == MessageChannel.EMAIL else "phone"
    suppressed = audience.filter(Q(**{f"{consent_field}__isnull": True}) | Q(**{address_field: ""})).count()
    return OfferPreview(recipients=audience.count(), suppressed=suppressed)


@dataclass(frozen=True)
class OfferResults:
    """What came of an offer: messages queued and suppressed, vouchers issued and redeemed, discount given."""

    queued: int
    suppressed: int
    vouchers: int
    redeemed: int
    discount: Decimal


def offer_results(offer: Offer) -> OfferResults:
    """Return the counts of an offer's messages, vouchers and redemptions."""
    counts = OfferRecipient.objects.filter(offer=offer).aggregate(
        queued=Count("pk", filter=Q(status=RecipientStatus.QUEUED)),
        suppressed=Count("pk", filter=Q(status=RecipientStatus.SUPPRESSED)),
    )
    redemptions = VoucherRedemption.objects.filter(voucher__offer=offer).aggregate(count=Count("pk"), discount=Sum("discount"))
    return OfferResults(
        queued=counts["queued"],
        suppressed=counts["suppressed"],
        vouchers=Voucher.objects.filter(offer=offer, customer__isnull=False).count(),
        redeemed=redemptions["count"],
        discount=redemptions["discount"] or Decimal("0"),
    )


def offers_filtered(*, status: str = "", text: str = "") -> QuerySet[Offer]:
    """Return offers narrowed by status and a word of their title, newest first."""
    queryset = Offer.objects.select_related("created_by", "shared_voucher")
    if status:
        queryset = queryset.filter(status=status)
    if text:
        queryset = queryset.filter(Q(title__icontains=text) | Q(title_es__icontains=text))
    return queryset.order_by("-created_at", "-id")


def offers_current_for(customer: Customer, *, today: dt.date | None = None) -> list[tuple[Offer, Voucher | None]]:
    """Return the offers sent to a customer that are valid today, each with the code they may use."""
    today = today or timezone.localdate()
    recipients = (
        OfferRecipient.objects.filter(
            customer=customer,
            offer__status__in=[OfferStatus.SENDING, OfferStatus.SENT],
            offer__valid_from__lte=today,
            offer__valid_until__gte=today,
        )
        .select_related("offer", "offer__shared_voucher", "voucher")
        .order_by("offer__valid_until", "offer_id")
    )
    return [(recipient.offer, recipient.voucher or recipient.offer.shared_voucher) for recipient in recipients]
