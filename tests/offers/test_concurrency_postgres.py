"""Vouchers redeemed at the same moment on PostgreSQL: limits hold under concurrent use."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.offers.models import Voucher, VoucherRedemption
from aftersales.offers.services import voucher_redeem
from tests.concurrency import at_once
from tests.factories import CustomerFactory
from tests.offers.conftest import issue

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_single_use_code_redeemed_by_eight_requests_at_once_succeeds_exactly_once():
    voucher = issue(None, max_uses=1, max_uses_per_customer=None)
    customers = [CustomerFactory() for _ in range(8)]

    results = at_once(
        8,
        lambda n: voucher_redeem(
            actor=None, code=voucher.code, customer=Customer.objects.get(pk=customers[n].pk), idempotency_key=f"till:{n}"
        ),
    )

    redeemed = [result for result in results if isinstance(result, VoucherRedemption)]
    refused = [result for result in results if isinstance(result, ValidationFailed)]
    assert len(redeemed) == 1 and len(refused) == 7, results
    assert all({error.code for error in failure.errors} == {"used_up"} for failure in refused)
    voucher.refresh_from_db()
    assert voucher.uses == 1
    assert VoucherRedemption.objects.filter(voucher=voucher).count() == 1


def test_one_customer_at_eight_tills_at_once_gets_only_their_two_uses():
    voucher = issue(None, max_uses=None, max_uses_per_customer=2)
    customer = CustomerFactory()

    results = at_once(
        8,
        lambda n: voucher_redeem(
            actor=None, code=voucher.code, customer=Customer.objects.get(pk=customer.pk), idempotency_key=f"till:{n}"
        ),
    )

    assert sum(isinstance(result, VoucherRedemption) for result in results) == 2, results
    assert VoucherRedemption.objects.filter(voucher=voucher, customer=customer).count() == 2
    assert Voucher.objects.get(pk=voucher.pk).uses == 2


def test_the_same_request_sent_eight_times_at_once_is_recorded_once():
    customer = CustomerFactory()
    voucher = issue(customer, max_uses=5, max_uses_per_customer=5)

    results = at_once(
        8,
        lambda n: voucher_redeem(
            actor=None, code=voucher.code, customer=Customer.objects.get(pk=customer.pk), idempotency_key="till:retry"
        ),
    )

    assert all(isinstance(result, VoucherRedemption) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Voucher.objects.get(pk=voucher.pk).uses == 1
