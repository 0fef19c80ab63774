"""Redemptions and awards at the same moment on PostgreSQL: the balance never goes below zero and equals the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from aftersales.core.errors import ValidationFailed
from aftersales.core.services import api_token_create
from aftersales.customers.models import Customer
from aftersales.loyalty.models import EarnReason, EntryKind, PointsEntry, PointsRedemption, Programme
from aftersales.loyalty.services import Redeemed, points_award, points_balance, points_redeem_sale
from aftersales.loyalty.services.earning import purchase_points_award, purchases_catch_up
from aftersales.offers.models import Voucher
from aftersales.sales.models import Sale
from tests.concurrency import at_once
from tests.conftest import ApiClient
from tests.factories import CustomerFactory, SaleFactory, staff
from tests.loyalty.helpers import account_balance, ledger_sum

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def active():
    Programme.objects.update_or_create(
        pk=1, defaults={"active": True, "points_per_unit": Decimal("1"), "point_value": Decimal("0.05"), "min_redemption": 50}
    )


def give(customer, points, key="seed"):
    return points_award(actor=None, customer=customer, points=points, reason=EarnReason.BONUS, source_ref="", idempotency_key=key)


def test_eight_redemptions_of_60_out_of_100_points_let_exactly_one_through(active):
    customer = CustomerFactory()
    give(customer, 100)
    sale = SaleFactory(customer=customer, total=Decimal("500"))

    results = at_once(
        8,
        lambda n: points_redeem_sale(
            actor=None,
            customer=Customer.objects.get(pk=customer.pk),
            sale=Sale.objects.get(pk=sale.pk),
            points=60,
            idempotency_key=f"r{n}",
        ),
    )

    done = [result for result in results if isinstance(result, Redeemed)]
    refused = [result for result in results if isinstance(result, ValidationFailed)]
    assert len(done) == 1 and len(refused) == 7, results
    assert all(error.errors[0].code == "insufficient_points" for error in refused)
    assert points_balance(customer=customer) == 40 == ledger_sum(customer)
    assert PointsRedemption.objects.count() == 1


def test_eight_parallel_portal_requests_redeeming_into_vouchers_never_overdraw(active):
    customer = CustomerFactory()
    give(customer, 100)
    agent = staff("support_agent")
    _, token = api_token_create(actor=agent, name="test")

    def redeem(number: int) -> int:
        client = ApiClient(token=token)
        body = {"points": 60, "target": "voucher", "idempotency_key": f"api-{number}"}
        return client.post(f"/api/v1/loyalty/customers/{customer.pk}/redeem", body).status_code

    statuses = at_once(8, redeem)

    assert sorted(statuses) == [201] + [400] * 7, statuses
    assert points_balance(customer=customer) == 40 == account_balance(customer) == ledger_sum(customer)
    assert Voucher.objects.filter(customer=customer).count() == 1


def test_the_same_award_sent_eight_times_at_once_is_written_once(active):
    customer = CustomerFactory()

    results = at_once(8, lambda n: give(Customer.objects.get(pk=customer.pk), 25, "same-key"))

    assert all(isinstance(result, PointsEntry) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert points_balance(customer=customer) == 25 == ledger_sum(customer)


def test_a_catch_up_and_live_awards_for_the_same_sales_credit_each_sale_once(active):
    customers = [CustomerFactory() for _ in range(3)]
    sales = [SaleFactory(customer=customers[n % 3], total=Decimal("40")) for n in range(12)]

    def work(number: int) -> object:
        if number == 0:
            return purchases_catch_up(batch=5)
        return [purchase_points_award(sale_id=sale.pk) for sale in sales[number % 4 :: 4]]

    results = at_once(4, work)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert PointsEntry.objects.filter(kind=EntryKind.EARN).count() == 12
    for customer in customers:
        assert account_balance(customer) == ledger_sum(customer) == 160
