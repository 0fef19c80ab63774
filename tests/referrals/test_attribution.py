"""Attribution: a referred friend's first purchase (a new sale or an import) converts the referral and
rewards both sides exactly once; the window and the minimum purchase are kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.models import TimelineEvent
from aftersales.customers.models import Customer
from aftersales.loyalty.models import PointsEntry
from aftersales.messaging.models import Message
from aftersales.offers.models import Voucher
from aftersales.referrals.models import Referral, ReferralStatus, RejectionReason
from aftersales.referrals.services import referrals_attribute_sales, referrals_catch_up
from aftersales.referrals.signals import referral_converted
from aftersales.referrals.sweeps import attribution
from aftersales.sales.imports import sales_import_rows
from aftersales.sales.services import sale_create
from tests.factories import CustomerFactory, SaleFactory
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def converted_signals():
    received = []

    def listen(sender, **kwargs):
        received.append(kwargs)

    referral_converted.connect(listen, dispatch_uid="test-referral-converted")
    yield received
    referral_converted.disconnect(dispatch_uid="test-referral-converted")


def buy(customer, product, *, number="S-NEW-1", price="499.00", sold_on=None):
    return sale_create(
        actor=None,
        customer=customer,
        number=number,
        sold_on=sold_on or dt.date(2026, 3, 10),
        lines=[{"sku": product.sku, "quantity": 1, "unit_price": price}],
    )


def import_row(**values):
    row = {
        "sale_number": "IMP-1",
        "sale_date": "2026-03-10",
        "channel": "store",
        "sales_rep": "",
        "customer_name": "Pablo Ruiz Soto",
        "customer_email": "pablo@example.com",
        "customer_phone": "",
        "customer_language": "es",
        "customer_country": "ES",
        "customer_postal_code": "",
        "customer_city": "",
        "sku": "WASH-1",
        "quantity": "1",
        "unit_price": "499.00",
        "serials": "",
        "delivered_on": "",
        "installed_on": "",
        "receipt_number": "",
    }
    row.update(values)
    return row


def referral_points(customer):
    return sum(PointsEntry.objects.filter(customer=customer, reason="referral").values_list("points", flat=True))


def test_a_new_sale_to_the_friend_converts_and_rewards_both_sides(
    programme, referrer, product, today, converted_signals, django_capture_on_commit_callbacks
):
    referral = refer(referrer, email="pablo@example.com")
    friend = CustomerFactory(name="Pablo Ruiz Soto", email="pablo@example.com", phone="")

    with django_capture_on_commit_callbacks(execute=True):
        sale = buy(friend, product)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REWARDED
    assert (referral.referred_customer, referral.first_sale) == (friend, sale)
    assert referral_points(referrer) == 500 and referral_points(friend) == 100
    voucher = Voucher.objects.get(customer=friend, source="referral")
    assert (voucher.value, voucher.code) == (Decimal("20.00"), referral.referred_voucher)
    assert voucher.valid_until == today + dt.timedelta(days=90)
    assert not Voucher.objects.filter(customer=referrer).exists()  # the referrer's voucher is 0: none
    kinds = set(TimelineEvent.objects.filter(kind__startswith="referral_").values_list("customer_id", "kind"))
    assert {(referrer.pk, "referral_converted"), (referrer.pk, "referral_rewarded"), (friend.pk, "referral_joined")} <= kinds
    notice = Message.objects.get(customer=referrer, template_code="referral_converted")
    assert "Pablo R." in notice.body and "500" in notice.body and "Soto" not in notice.body
    assert converted_signals == [
        {"referral_id": referral.pk, "referrer_id": referrer.pk, "referred_id": friend.pk, "signal": referral_converted}
    ]


def test_the_phone_number_matches_too(programme, referrer, product, today, django_capture_on_commit_callbacks):
    referral = refer(referrer, email="", phone="+34 699 111 222")
    friend = CustomerFactory(email="", phone="+34699111222")

    with django_capture_on_commit_callbacks(execute=True):
        buy(friend, product)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REWARDED


def test_an_import_converts_by_a_set_based_catch_up(programme, referrer, product, today, django_capture_on_commit_callbacks):
    referral = refer(referrer, email="pablo@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        report = sales_import_rows(actor=None, rows=[import_row()])

    assert report.sales_created == 1
    referral.refresh_from_db()
    friend = Customer.objects.get(email="pablo@example.com")
    assert referral.status == ReferralStatus.REWARDED and referral.referred_customer == friend
    assert referral_points(friend) == 100


def test_the_signal_the_catch_up_and_the_sweep_reward_once(
    programme, referrer, product, today, converted_signals, django_capture_on_commit_callbacks
):
    referral = refer(referrer)
    friend = CustomerFactory(email="pablo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sale = buy(friend, product)

    with django_capture_on_commit_callbacks(execute=True):
        referrals_attribute_sales(sale_ids=[sale.pk])
        referrals_catch_up()
        assert attribution() == {"converted": 0, "expired": 0}

    assert PointsEntry.objects.filter(reason="referral", source_ref=f"referral:{referral.pk}").count() == 2
    assert Voucher.objects.filter(source="referral").count() == 1
    assert Message.objects.filter(template_code="referral_converted").count() == 1
    assert len(converted_signals) == 1
    assert referral_points(referrer) == 500


def test_a_purchase_after_the_window_does_not_count_and_the_sweep_expires_the_referral(
    programme, referrer, product, django_capture_on_commit_callbacks
):
    with time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        referral = refer(referrer)
    friend = CustomerFactory(email="pablo@example.com")

    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            buy(friend, product)
        assert attribution() == {"converted": 0, "expired": 1}

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED and referral.referred_customer is None
    assert TimelineEvent.objects.filter(customer=referrer, kind="referral_expired").exists()
    assert not PointsEntry.objects.filter(reason="referral").exists()


def test_a_first_purchase_below_the_minimum_waits_for_a_bigger_one(
    programme, referrer, product, today, django_capture_on_commit_callbacks
):
    referral = refer(referrer)
    friend = CustomerFactory(email="pablo@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        buy(friend, product, number="S-SMALL", price="9.99")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        big = buy(friend, product, number="S-BIG", price="120.00")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REWARDED and referral.first_sale == big


def test_a_friend_who_had_bought_before_the_referral_is_rejected_as_already_a_customer(
    programme, referrer, product, today, django_capture_on_commit_callbacks
):
    referral = refer(referrer)
    # The friend's old purchase reaches us later, by an import dated before the referral.
    with django_capture_on_commit_callbacks(execute=True):
        sales_import_rows(actor=None, rows=[import_row(sale_number="OLD-1", sale_date="2025-12-01")])
    friend = Customer.objects.get(email="pablo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        buy(friend, product)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REJECTED
    assert referral.rejection_reason == RejectionReason.ALREADY_CUSTOMER
    assert not PointsEntry.objects.filter(reason="referral").exists()


def test_a_customer_matching_two_referrals_converts_one_only(
    programme, referrer, product, today, django_capture_on_commit_callbacks
):
    other_referrer = CustomerFactory()
    SaleFactory(customer=other_referrer)
    by_email = refer(referrer, email="pablo@example.com")
    by_phone = refer(other_referrer, email="", phone="+34699111222")
    friend = CustomerFactory(email="pablo@example.com", phone="+34699111222")

    with django_capture_on_commit_callbacks(execute=True):
        buy(friend, product)

    by_email.refresh_from_db()
    by_phone.refresh_from_db()
    assert by_email.status == ReferralStatus.REWARDED
    assert (by_phone.status, by_phone.rejection_reason) == (ReferralStatus.REJECTED, RejectionReason.DUPLICATE)
    assert Referral.objects.filter(referred_customer=friend).count() == 1


def test_without_rewards_set_the_referral_stays_converted(
    programme, referrer, product, today, django_capture_on_commit_callbacks
):
    programme.referrer_points = programme.referred_points = 0
    programme.referred_voucher_value = Decimal("0")
    programme.save()
    referral = refer(referrer)
    friend = CustomerFactory(email="pablo@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        buy(friend, product)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CONVERTED and referral.rewarded_at is None
