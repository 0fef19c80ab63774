"""The demo company's referrals: a funnel with every step, the guards' rejections and rewarded friends."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.demo.builder import demo_build
from aftersales.referrals.models import Referral, ReferralInvitation, ReferralLinkView, ReferralStatus, RejectionReason

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_whole_referral_story():
    demo_build(customers=120, seed=7, today=dt.date(2026, 6, 15))

    statuses = set(Referral.objects.values_list("status", flat=True))
    reasons = set(Referral.objects.values_list("rejection_reason", flat=True))
    assert {ReferralStatus.PENDING, ReferralStatus.REJECTED, ReferralStatus.REWARDED} <= statuses
    assert {RejectionReason.SELF_REFERRAL, RejectionReason.DUPLICATE} <= reasons
    assert ReferralInvitation.objects.exists() and ReferralLinkView.objects.exists()
    rewarded = Referral.objects.filter(status=ReferralStatus.REWARDED).first()
    assert rewarded is not None and rewarded.first_sale.sold_on >= rewarded.referred_on
