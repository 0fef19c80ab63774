"""Referrals at the same moment on PostgreSQL: one open referral per person, one reward per conversion,
one invitation per cool-down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from aftersales.core.errors import Conflict
from aftersales.loyalty.models import PointsEntry
from aftersales.offers.models import Voucher
from aftersales.referrals.models import Referral, ReferralInvitation, ReferralSettings, ReferralStatus, RejectionReason
from aftersales.referrals.services import referral_attribute, referral_invite, referral_record
from tests.concurrency import at_once
from tests.factories import CustomerFactory, SaleFactory
from tests.referrals.conftest import templates_ensure

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def setup(settings):
    settings.MESSAGING_QUIET_HOURS = None
    templates_ensure()
    ReferralSettings.objects.update_or_create(
        pk=1,
        defaults={
            "referrer_points": 500,
            "referred_points": 100,
            "referred_voucher_value": Decimal("20.00"),
            "min_first_purchase": 0,
        },
    )
    referrers = []
    for _number in range(6):
        customer = CustomerFactory(consent_email_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        SaleFactory(customer=customer, sold_on=dt.date(2024, 1, 1))
        referrers.append(customer)
    return referrers


def test_six_referrers_sending_the_same_friend_at_once_leave_one_open_referral(setup):
    results = at_once(
        6,
        lambda n: referral_record(
            actor=None, referrer=setup[n], name="Pablo", email="pablo@example.com", source="phone", consent=True
        ),
    )

    assert all(isinstance(result, Referral) for result in results), results
    assert Referral.objects.filter(status=ReferralStatus.PENDING).count() == 1
    assert Referral.objects.filter(rejection_reason=RejectionReason.DUPLICATE).count() == 5


def test_the_signal_and_the_sweep_converting_at_once_reward_once(setup):
    referral = referral_record(
        actor=None, referrer=setup[0], name="Pablo", email="pablo@example.com", source="phone", consent=True
    )
    friend = CustomerFactory(email="pablo@example.com")
    SaleFactory(customer=friend, sold_on=referral.referred_on, total=Decimal("300.00"))

    results = at_once(4, lambda n: referral_attribute(referral_id=referral.pk, customer=friend))

    assert sum(isinstance(result, Referral) for result in results) == 1, results
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REWARDED
    assert PointsEntry.objects.filter(reason="referral").count() == 2
    assert Voucher.objects.filter(source="referral").count() == 1


def test_two_promoter_answers_at_once_send_one_invitation(setup):
    results = at_once(
        4, lambda n: referral_invite(actor=None, customer=setup[0], trigger="promoter", idempotency_key=f"promoter:response:{n}")
    )

    assert sum(isinstance(result, ReferralInvitation) for result in results) == 1, results
    assert sum(isinstance(result, Conflict) for result in results) == 3
