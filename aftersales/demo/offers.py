"""The demo company's vouchers and offers: vouchers issued by hand (one already used at a sale), a birthday
gift, a shared code for VIP customers, a special offer already sent and a draft waiting to go.

Everything goes through the voucher and offer services, so vouchers carry timeline entries and the sent offer
has its marketing messages in the outbox, suppressed where a customer gave no consent. The same seed picks the
same customers.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from aftersales.core.models import User
from aftersales.customers.models import Customer, Segment
from aftersales.offers.models import Offer, OfferCode, ValueKind, VoucherSource
from aftersales.offers.services import offer_create, offer_deliver, offer_send, voucher_issue, voucher_redeem
from aftersales.sales.models import Sale


def offers_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Issue demo vouchers and send a demo offer; return how many vouchers exist."""
    from aftersales.offers.models import Voucher

    rng = random.Random(f"offers-{seed}")
    manager = staff["manager"]
    # Vouchers cannot be issued into the past: a demo built for an earlier day still gets usable ones.
    start = max(today, timezone.localdate())
    customers = list(Customer.objects.filter(sales__isnull=False).distinct().order_by("pk")[:200])
    if not customers:
        return Voucher.objects.count()
    chosen = rng.sample(customers, k=min(6, len(customers)))
    for index, customer in enumerate(chosen):
        voucher = voucher_issue(
            actor=manager,
            customer=customer,
            value_kind=ValueKind.FIXED if index % 2 == 0 else ValueKind.PERCENT,
            value=Decimal("20.00") if index % 2 == 0 else Decimal("10"),
            valid_until=start + dt.timedelta(days=60 + 15 * index),
            source=VoucherSource.MANUAL,
            source_ref="Apology for a late delivery" if index == 0 else "",
            idempotency_key=f"demo:{seed}:voucher:{customer.pk}",
        )
        if index == 0:
            sale = Sale.objects.filter(customer=customer).order_by("-sold_on", "-pk").first()
            voucher_redeem(
                actor=staff["rep.ana"],
                code=voucher.code,
                customer=customer,
                sale=sale,
                idempotency_key=f"demo:{seed}:redeem:{voucher.pk}",
            )
    birthday = next((customer for customer in customers if customer.birthday), customers[0])
    voucher_issue(
        actor=None,
        customer=birthday,
        value_kind=ValueKind.FIXED,
        value=Decimal("15.00"),
        valid_until=start + dt.timedelta(days=30),
        source=VoucherSource.BIRTHDAY,
        idempotency_key=f"demo:{seed}:birthday:{birthday.pk}",
    )
    vip = Segment.objects.filter(slug="vip").first()
    voucher_issue(
        actor=manager,
        customer=None,
        value_kind=ValueKind.PERCENT,
        value=Decimal("15"),
        valid_until=start + dt.timedelta(days=90),
        max_uses=None,
        max_uses_per_customer=1,
        segments=[vip] if vip else [],
        min_sale_value=Decimal("200.00"),
        source=VoucherSource.MANUAL,
        source_ref="VIP evening",
        idempotency_key=f"demo:{seed}:vip",
    )
    if not Offer.objects.filter(title="Spring service week").exists():
        sent = offer_create(
            actor=manager,
            data={
                "title": "Spring service week",
                "title_es": "Semana del servicio de primavera",
                "body": "Book a check-up for your appliance this week and save on any repair.",
                "body_es": "Reserve esta semana una revisión de su electrodoméstico y ahorre en cualquier reparación.",
                "valid_until": start + dt.timedelta(days=21),
                "segments": [vip.pk] if vip else [],
                "code_kind": OfferCode.PERSONAL,
                "value_kind": ValueKind.FIXED,
                "value": Decimal("25.00"),
                "min_sale_value": Decimal("100.00"),
            },
        )
        offer_send(actor=manager, offer=sent)
        offer_deliver(offer_id=sent.pk)
        offer_create(
            actor=manager,
            data={
                "title": "Summer bike tune-up",
                "title_es": "Puesta a punto de verano para su bicicleta",
                "body": "Ten per cent off a tune-up before the holidays.",
                "body_es": "Un diez por ciento de descuento en la puesta a punto antes de las vacaciones.",
                "valid_from": start + dt.timedelta(days=7),
                "valid_until": start + dt.timedelta(days=45),
                "code_kind": OfferCode.SHARED,
                "value_kind": ValueKind.PERCENT,
                "value": Decimal("10"),
                "language": "",
            },
        )
    return Voucher.objects.count()
