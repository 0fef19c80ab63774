"""The vouchers and offers API: permissions, field errors, idempotency, portal scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.offers.models import Voucher, VoucherRedemption
from tests.factories import CustomerFactory, SaleFactory
from tests.offers.conftest import issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/offers"


def until(days=30):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_a_manager_issues_a_voucher_once_per_key(api_as, manager):
    customer = CustomerFactory()
    payload = {
        "customer_id": customer.pk,
        "value_kind": "fixed",
        "value": "20",
        "valid_until": until(),
        "idempotency_key": "crm:1",
    }

    first = api_as(manager).post(f"{URL}/vouchers", payload)
    again = api_as(manager).post(f"{URL}/vouchers", payload)

    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["code"] == Voucher.objects.get().code and first.json()["customer_id"] == customer.pk


def test_issuing_answers_400_naming_each_field(api_as, manager):
    response = api_as(manager).post(
        f"{URL}/vouchers",
        {"value_kind": "percent", "value": "150", "valid_until": "2000-01-01", "source": "lottery", "idempotency_key": "k"},
    )

    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"value", "valid_until", "source"}


def test_a_rep_may_not_issue_but_may_redeem(api_as, rep):
    customer = CustomerFactory()
    voucher = issue(customer)

    refused = api_as(rep).post(
        f"{URL}/vouchers", {"value_kind": "fixed", "value": "5", "valid_until": until(), "idempotency_key": "x"}
    )
    redeemed = api_as(rep).post(
        f"{URL}/vouchers/redeem", {"code": voucher.code.lower(), "customer_id": customer.pk, "idempotency_key": "till:1"}
    )

    assert refused.status_code == 403
    assert redeemed.status_code == 201, redeemed.content
    assert redeemed.json()["discount"] == "10.00"


def test_redeeming_answers_every_reason_with_its_field(api_as, agent):
    owner, other = CustomerFactory(), CustomerFactory()
    voucher = issue(owner, min_sale_value=Decimal("100"))

    response = api_as(agent).post(
        f"{URL}/vouchers/redeem",
        {"code": voucher.code, "customer_id": other.pk, "amount": "50", "idempotency_key": "till:2"},
    )

    assert response.status_code == 400
    assert {(error["field"], error["code"]) for error in response.json()["errors"]} == {
        ("customer", "not_yours"),
        ("amount", "below_minimum"),
    }
    assert not VoucherRedemption.objects.exists()


def test_an_unknown_sale_or_customer_is_a_field_error(api_as, agent):
    voucher = issue(None)

    response = api_as(agent).post(
        f"{URL}/vouchers/redeem", {"code": voucher.code, "customer_id": 999999, "idempotency_key": "till:3"}
    )

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "customer_id"


def test_checking_tells_the_discount_without_redeeming(api_as, agent):
    customer = CustomerFactory()
    voucher = issue(customer, value_kind="percent", value=Decimal("20"))
    sale = SaleFactory(customer=customer, total=Decimal("250"))

    response = api_as(agent).post(f"{URL}/vouchers/check", {"code": voucher.code, "customer_id": customer.pk, "sale_id": sale.pk})
    unknown = api_as(agent).post(f"{URL}/vouchers/check", {"code": "nope", "customer_id": customer.pk})

    assert response.json()["applies"] is True and response.json()["discount"] == "50.00"
    assert unknown.json()["applies"] is False and unknown.json()["errors"][0]["code"] == "unknown"
    assert not VoucherRedemption.objects.exists()


def test_cancel_and_detail(api_as, manager):
    customer = CustomerFactory()
    voucher = issue(customer)
    api_as(manager).post(f"{URL}/vouchers/redeem", {"code": voucher.code, "customer_id": customer.pk, "idempotency_key": "r"})

    missing_reason = api_as(manager).post(f"{URL}/vouchers/{voucher.pk}/cancel", {"reason": ""})
    cancelled = api_as(manager).post(f"{URL}/vouchers/{voucher.pk}/cancel", {"reason": "Customer complaint"})
    detail = api_as(manager).get(f"{URL}/vouchers/{voucher.pk}")

    assert missing_reason.status_code == 400
    assert cancelled.json()["status"] == "cancelled"
    assert len(detail.json()["redemptions"]) == 1


def test_the_list_filters_by_code_and_source(api_as, agent):
    customer = CustomerFactory(name="Zoe Quinn")
    mine = issue(customer, source="birthday")
    issue(CustomerFactory())

    by_code = api_as(agent).get(f"{URL}/vouchers", {"q": mine.code.replace("-", "").lower()})
    by_source = api_as(agent).get(f"{URL}/vouchers", {"source": "birthday"})
    by_name = api_as(agent).get(f"{URL}/vouchers", {"q": "zoe"})

    assert [item["id"] for item in by_code.json()["items"]] == [mine.pk]
    assert [item["id"] for item in by_source.json()["items"]] == [mine.pk]
    assert [item["id"] for item in by_name.json()["items"]] == [mine.pk]


def test_a_portal_customer_sees_only_their_own_vouchers(portal_as):
    ana, ben = CustomerFactory(), CustomerFactory()
    hers, his = issue(ana), issue(ben)
    client = portal_as(ana)

    listed = client.get(f"{URL}/vouchers")
    own = client.get(f"{URL}/vouchers/{hers.pk}")
    other = client.get(f"{URL}/vouchers/{his.pk}")
    redeem = client.post(f"{URL}/vouchers/redeem", {"code": hers.code, "customer_id": ana.pk, "idempotency_key": "self"})

    assert [item["id"] for item in listed.json()["items"]] == [hers.pk]
    assert own.status_code == 200 and other.status_code == 404
    assert redeem.status_code == 403


def test_offers_are_created_previewed_sent_and_read(api_as, manager, rep):
    CustomerFactory(consent_email_at=timezone.now())
    CustomerFactory()
    payload = {
        "title": "Autumn",
        "title_es": "Otoño",
        "body": "Ten off.",
        "body_es": "Diez de descuento.",
        "valid_until": until(),
        "value_kind": "fixed",
        "value": "10",
        "code_kind": "shared",
    }

    created = api_as(manager).post(f"{URL}/offers", payload)
    offer_id = created.json()["id"]
    preview = api_as(manager).get(f"{URL}/offers/{offer_id}/preview")
    rep_send = api_as(rep).post(f"{URL}/offers/{offer_id}/send")
    sent = api_as(manager).post(f"{URL}/offers/{offer_id}/send")
    read = api_as(rep).get(f"{URL}/offers/{offer_id}")

    assert created.status_code == 201, created.content
    assert preview.json() == {"recipients": 2, "suppressed": 1, "will_receive": 1}
    assert rep_send.status_code == 403
    assert sent.status_code == 202 and sent.json()["status"] == "sending" and sent.json()["shared_code"]
    assert read.json()["results"]["queued"] == 0


def test_offer_field_errors(api_as, manager):
    response = api_as(manager).post(
        f"{URL}/offers",
        {
            "title": "",
            "title_es": "x",
            "body": "x",
            "body_es": "x",
            "valid_until": until(),
            "value_kind": "percent",
            "value": "0",
        },
    )

    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"title", "value"}
