"""The loyalty API: permissions, customer scoping, field errors, redemption into vouchers and sale discounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.loyalty.models import EarnReason, PointsEntry, PointsRedemption, Programme, Tier
from aftersales.loyalty.services import points_award, points_balance
from aftersales.offers.models import Voucher
from tests.factories import CategoryFactory, CustomerFactory, SaleFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/loyalty"


def give(customer, points, key="seed"):
    return points_award(actor=None, customer=customer, points=points, reason=EarnReason.BONUS, source_ref="", idempotency_key=key)


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


def test_managers_set_up_the_programme_and_agents_cannot(programme, api_as, manager, agent):
    response = api_as(manager).patch(f"{BASE}/programme", {"points_per_unit": "2", "expiry_months": None})
    assert response.status_code == 200, response.content
    assert response.json()["points_per_unit"] == "2.00" and response.json()["expiry_months"] is None
    assert Programme.objects.get().expiry_months is None

    assert api_as(agent).patch(f"{BASE}/programme", {"points_per_unit": "3"}).status_code == 403
    assert api_as(agent).get(f"{BASE}/programme").status_code == 200


def test_programme_errors_name_the_fields(programme, api_as, manager):
    response = api_as(manager).patch(f"{BASE}/programme", {"point_value": "0", "currency": "euro", "min_redemption": -1})
    assert response.status_code == 400
    assert fields(response) == {"point_value", "currency", "min_redemption"}


def test_tiers_and_earn_rules_are_managed_through_the_api(programme, api_as, manager):
    client = api_as(manager)
    created = client.post(
        f"{BASE}/tiers", {"code": "gold", "name": "Gold", "name_es": "Oro", "min_spend": "2000", "first_response_hours": 2}
    )
    assert created.status_code == 201, created.content
    duplicate = client.post(f"{BASE}/tiers", {"code": "gold", "name": "", "min_spend": "2000", "multiplier": "0.5"})
    assert duplicate.status_code == 400 and fields(duplicate) == {"code", "name", "min_spend", "multiplier"}
    tier_id = created.json()["id"]
    assert client.patch(f"{BASE}/tiers/{tier_id}", {"multiplier": "1.5"}).json()["multiplier"] == "1.50"
    assert client.get(f"{BASE}/tiers").json()[0]["code"] == "gold"

    category = CategoryFactory()
    rule = client.post(f"{BASE}/earn-rules", {"category_id": category.pk, "multiplier": "3"})
    assert rule.status_code == 201
    again = client.post(f"{BASE}/earn-rules", {"category_id": category.pk})
    assert again.status_code == 400 and fields(again) == {"category_id"}
    assert client.delete(f"{BASE}/earn-rules/{rule.json()['id']}").status_code == 204
    assert client.delete(f"{BASE}/tiers/{tier_id}").status_code == 204
    assert not Tier.objects.exists()


def test_award_and_adjust_are_for_managers_and_retries_are_safe(programme, api_as, manager, agent, customer):
    body = {"points": 300, "reason": "bonus", "idempotency_key": "award-1"}
    assert api_as(agent).post(f"{BASE}/customers/{customer.pk}/award", body).status_code == 403
    first = api_as(manager).post(f"{BASE}/customers/{customer.pk}/award", body)
    second = api_as(manager).post(f"{BASE}/customers/{customer.pk}/award", body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert points_balance(customer=customer) == 300

    too_much = api_as(manager).post(
        f"{BASE}/customers/{customer.pk}/adjust", {"points": -301, "note": "x", "idempotency_key": "a"}
    )
    assert too_much.status_code == 400 and fields(too_much) == {"points"}
    no_note = api_as(manager).post(f"{BASE}/customers/{customer.pk}/adjust", {"points": -1, "note": "", "idempotency_key": ""})
    assert fields(no_note) == {"note", "idempotency_key"}
    missing = api_as(manager).post(f"{BASE}/customers/{customer.pk}/adjust", {"note": "x"})
    assert missing.status_code == 422 and fields(missing) == {"points", "idempotency_key"}


def test_staff_redeem_into_a_discount_on_a_sale(programme, api_as, agent, customer):
    give(customer, 500)
    sale = SaleFactory(customer=customer, total=Decimal("80"))
    response = api_as(agent).post(
        f"{BASE}/customers/{customer.pk}/redeem", {"points": 400, "target": "sale", "sale_id": sale.pk, "idempotency_key": "r"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "20.00" and response.json()["sale_id"] == sale.pk
    other_sale = SaleFactory()
    foreign = api_as(agent).post(
        f"{BASE}/customers/{customer.pk}/redeem",
        {"points": 100, "target": "sale", "sale_id": other_sale.pk, "idempotency_key": "r2"},
    )
    assert foreign.status_code == 400 and fields(foreign) == {"sale_id"}


def test_a_customer_reads_their_own_points_and_redeems_into_a_voucher(programme, portal_as, customer):
    give(customer, 250)
    client = portal_as(customer)

    standing = client.get(f"{BASE}/customers/{customer.pk}")
    assert standing.status_code == 200 and standing.json()["balance"] == 250
    statement = client.get(f"{BASE}/customers/{customer.pk}/statement")
    assert statement.json()["count"] == 1 and statement.json()["items"][0]["left"] == 250

    response = client.post(f"{BASE}/customers/{customer.pk}/redeem", {"points": 200, "idempotency_key": "portal-1"})
    assert response.status_code == 201, response.content
    code = response.json()["voucher_code"]
    voucher = Voucher.objects.get(code=code)
    assert voucher.customer == customer and voucher.value == Decimal("10.00") and voucher.value_kind == "fixed"
    assert points_balance(customer=customer) == 50
    # the same request again changes nothing
    again = client.post(f"{BASE}/customers/{customer.pk}/redeem", {"points": 200, "idempotency_key": "portal-1"})
    assert again.json()["voucher_code"] == code and Voucher.objects.count() == 1

    # a customer cannot record a discount on a sale, nor award themselves points
    sale = SaleFactory(customer=customer)
    refused = client.post(
        f"{BASE}/customers/{customer.pk}/redeem", {"points": 100, "target": "sale", "sale_id": sale.pk, "idempotency_key": "x"}
    )
    assert refused.status_code == 400 and fields(refused) == {"target"}
    assert client.post(f"{BASE}/customers/{customer.pk}/award", {"points": 5, "idempotency_key": "y"}).status_code == 403


def test_a_customer_cannot_see_or_spend_another_customers_points(programme, portal_as, customer):
    other = CustomerFactory()
    give(other, 500, "other")
    client = portal_as(customer)
    assert client.get(f"{BASE}/customers/{other.pk}").status_code == 404
    assert client.get(f"{BASE}/customers/{other.pk}/statement").status_code == 404
    assert client.post(f"{BASE}/customers/{other.pk}/redeem", {"points": 100, "idempotency_key": "steal"}).status_code == 404
    assert points_balance(customer=other) == 500 and not PointsRedemption.objects.exists()


def test_redeeming_more_than_the_balance_names_the_points_field(programme, portal_as, customer):
    give(customer, 120)
    response = portal_as(customer).post(f"{BASE}/customers/{customer.pk}/redeem", {"points": 150, "idempotency_key": "k"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "points" and response.json()["errors"][0]["code"] == "insufficient_points"
    assert PointsEntry.objects.count() == 1


def test_the_overview_counts_members_outstanding_points_and_their_worth(programme, api_as, manager):
    give(CustomerFactory(), 100, "a")
    give(CustomerFactory(), 300, "b")
    figures = api_as(manager).get(f"{BASE}/overview").json()
    assert (figures["members"], figures["outstanding_points"], figures["liability"]) == (2, 400, "20.00")
    assert figures["earned_this_month"] == 400
    members = api_as(manager).get(f"{BASE}/members").json()
    assert [member["balance"] for member in members["items"]] == [300, 100]


def test_anonymous_callers_are_refused(programme, api_as, customer):
    assert api_as().get(f"{BASE}/customers/{customer.pk}").status_code == 401
