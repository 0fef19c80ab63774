"""The demo company's vouchers and offers."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.demo.builder import demo_build
from aftersales.offers.models import Offer, OfferStatus, Voucher, VoucherRedemption, VoucherSource

pytestmark = pytest.mark.django_db


def test_the_demo_has_vouchers_a_redemption_a_sent_offer_and_a_draft():
    demo_build(customers=40, seed=5, today=dt.date(2026, 6, 15))

    assert Voucher.objects.filter(source=VoucherSource.MANUAL, customer__isnull=False).count() == 6
    assert Voucher.objects.filter(source=VoucherSource.BIRTHDAY).count() == 1
    assert Voucher.objects.filter(customer__isnull=True, segments__slug="vip").exists()
    assert VoucherRedemption.objects.count() == 1
    assert set(Offer.objects.values_list("status", flat=True)) == {OfferStatus.SENT, OfferStatus.DRAFT}
    sent = Offer.objects.get(status=OfferStatus.SENT)
    assert sent.recipients.count() > 0
