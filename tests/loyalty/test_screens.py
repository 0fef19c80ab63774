"""Console and portal screens of the loyalty programme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.customers.services import customer_portal_user
from aftersales.loyalty.models import EarnReason, EarnRule, EntryKind, PointsEntry, Programme, Tier
from aftersales.loyalty.services import points_award, points_balance
from aftersales.loyalty.services.tiers import tier_recompute
from aftersales.offers.models import Voucher
from tests.factories import CategoryFactory, CustomerFactory, SaleFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def text(response) -> str:
    return response.content.decode()


def give(customer, points, key="seed", expires_on=None):
    return points_award(
        actor=None,
        customer=customer,
        points=points,
        reason=EarnReason.BONUS,
        source_ref="",
        idempotency_key=key,
        expires_on=expires_on,
    )


def test_a_manager_sets_up_the_programme_tiers_and_earn_rules(programme, signed_in, manager):
    client = signed_in(manager)
    page = client.get("/loyalty/settings/")
    assert page.status_code == 200 and "Programme settings" in text(page)

    saved = client.post(
        "/loyalty/settings/",
        {
            "active": "on",
            "starts_on": "2026-01-01",
            "currency": "EUR",
            "points_per_unit": "2",
            "point_value": "0.01",
            "min_redemption": "500",
            "expiry_months": "",
            "survey_bonus": "25",
            "voucher_valid_days": "60",
        },
    )
    assert saved.status_code == 302
    programme = Programme.objects.get()
    assert (programme.points_per_unit, programme.expiry_months, programme.min_redemption) == (Decimal("2.00"), None, 500)

    tier = client.post(
        "/loyalty/tiers/new/",
        {"code": "gold", "name": "Gold", "name_es": "Oro", "min_spend": "2000", "multiplier": "1.5", "free_visits_per_year": "1"},
    )
    assert tier.status_code == 302 and Tier.objects.get().name_es == "Oro"
    clash = client.post(
        "/loyalty/tiers/new/",
        {"code": "gold", "name": "Again", "min_spend": "2000", "multiplier": "1", "free_visits_per_year": "0"},
    )
    assert clash.status_code == 200 and "already" in text(clash)

    category = CategoryFactory(name="Boilers")
    rule = client.post(
        "/loyalty/earn-rules/new/", {"category": category.pk, "multiplier": "3", "extra_per_unit": "0", "active": "on"}
    )
    assert rule.status_code == 302 and EarnRule.objects.get().multiplier == Decimal("3.00")
    listing = text(client.get("/loyalty/settings/"))
    assert "Gold" in listing and "Boilers" in listing


def test_agents_read_the_settings_but_cannot_change_them(programme, signed_in, agent):
    client = signed_in(agent)
    assert client.get("/loyalty/settings/").status_code == 200
    assert client.post("/loyalty/settings/", {"points_per_unit": "9"}).status_code == 404
    assert client.get("/loyalty/tiers/new/").status_code == 403
    assert Programme.objects.get().points_per_unit == Decimal("1.00")


def test_the_overview_shows_members_and_liability(programme, signed_in, manager):
    rich = CustomerFactory(name="Rich Member")
    give(rich, 1000, "rich")
    give(CustomerFactory(name="Small Member"), 100, "small")
    page = text(signed_in(manager).get("/loyalty/"))
    assert "Rich Member" in page and "Small Member" in page
    assert "55.00 EUR" in page  # 1,100 points at 0.05
    assert page.index("Rich Member") < page.index("Small Member")


def test_the_customer_page_links_to_the_ledger(programme, signed_in, agent, customer):
    give(customer, 240)
    page = text(signed_in(agent).get(f"/customers/{customer.pk}/"))
    assert "240 points" in page and f"/loyalty/customers/{customer.pk}/" in page


def test_a_manager_adjusts_points_with_a_reason_and_errors_show_on_the_form(programme, signed_in, manager, customer):
    give(customer, 100)
    client = signed_in(manager)
    page = client.get(f"/loyalty/customers/{customer.pk}/")
    assert page.status_code == 200 and "Adjust points" in text(page)

    refused = client.post(
        f"/loyalty/customers/{customer.pk}/",
        {"action": "adjust", "adjust-points": "-150", "adjust-note": "goodwill reversal", "adjust-idempotency_key": "k1"},
    )
    assert refused.status_code == 200 and "exceeds the balance of 100 points" in text(refused)
    done = client.post(
        f"/loyalty/customers/{customer.pk}/",
        {"action": "adjust", "adjust-points": "-40", "adjust-note": "goodwill reversal", "adjust-idempotency_key": "k2"},
    )
    assert done.status_code == 302 and points_balance(customer=customer) == 60
    statement = text(client.get(f"/loyalty/customers/{customer.pk}/"))
    assert "goodwill reversal" in statement


def test_an_agent_redeems_into_a_voucher_or_a_sale_discount_but_cannot_adjust(programme, signed_in, agent, customer):
    give(customer, 500)
    sale = SaleFactory(customer=customer, total=Decimal("300"))
    client = signed_in(agent)
    page = text(client.get(f"/loyalty/customers/{customer.pk}/"))
    assert "Redeem points" in page and "Adjust points" not in page
    assert client.post(f"/loyalty/customers/{customer.pk}/", {"action": "adjust", "adjust-points": "5"}).status_code == 404

    voucher = client.post(
        f"/loyalty/customers/{customer.pk}/",
        {"action": "redeem", "redeem-points": "200", "redeem-target": "voucher", "redeem-idempotency_key": "v"},
    )
    assert voucher.status_code == 302 and Voucher.objects.get(customer=customer).value == Decimal("10.00")
    missing_sale = client.post(
        f"/loyalty/customers/{customer.pk}/",
        {"action": "redeem", "redeem-points": "100", "redeem-target": "sale", "redeem-idempotency_key": "s0"},
    )
    assert missing_sale.status_code == 200 and "choose the sale" in text(missing_sale)
    discount = client.post(
        f"/loyalty/customers/{customer.pk}/",
        {
            "action": "redeem",
            "redeem-points": "100",
            "redeem-target": "sale",
            "redeem-sale": sale.pk,
            "redeem-idempotency_key": "s1",
        },
    )
    assert discount.status_code == 302 and points_balance(customer=customer) == 200
    assert PointsEntry.objects.filter(kind=EntryKind.REDEEM).count() == 2


def test_technicians_read_points_but_cannot_redeem_adjust_or_set_up(programme, signed_in, technician, customer):
    client = signed_in(technician)
    page = text(client.get(f"/loyalty/customers/{customer.pk}/"))
    assert "Redeem points" not in page and "Adjust points" not in page
    assert client.post(f"/loyalty/customers/{customer.pk}/", {"action": "redeem", "redeem-points": "100"}).status_code == 404
    assert client.get("/loyalty/tiers/new/").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_portal_shows_my_points_tier_progress_statement_and_expiring_points(programme, client, customer):
    Tier.objects.create(code="silver", name="Silver", name_es="Plata", min_spend=Decimal("500"), first_response_hours=4)
    Tier.objects.create(code="gold", name="Gold", name_es="Oro", min_spend=Decimal("2000"))
    SaleFactory(customer=customer, sold_on=dt.date(2026, 2, 1), total=Decimal("800"))
    tier_recompute(customer=customer)
    give(customer, 300, "soon", dt.date(2026, 3, 30))
    give(customer, 200, "later")
    client.force_login(customer_portal_user(customer=customer))

    page = text(client.get("/portal/points/"))
    assert 'id="points-balance">500<' in page
    assert "Your tier: Silver" in page and "4 working hours" in page
    assert "1200.00 EUR more" in page and "Gold" in page
    assert "300 points expire from" in page
    assert "Get my voucher" in page


@time_machine.travel(NOW, tick=False)
def test_the_portal_speaks_spanish_to_spanish_customers(programme, client):
    customer = CustomerFactory(language="es")
    Tier.objects.create(code="silver", name="Silver", name_es="Plata", min_spend=Decimal("0"))
    give(customer, 150)
    tier_recompute(customer=customer)
    client.force_login(customer_portal_user(customer=customer))
    page = text(client.get("/portal/points/"))
    assert "Plata" in page and "Mis puntos" in page


def test_a_customer_turns_points_into_a_voucher_from_the_portal(programme, client, customer):
    give(customer, 300)
    client.force_login(customer_portal_user(customer=customer))
    done = client.post("/portal/points/", {"points": "200", "idempotency_key": "abc"})
    assert done.status_code == 302
    voucher = Voucher.objects.get(customer=customer)
    assert voucher.value == Decimal("10.00")
    assert voucher.code in text(client.get("/portal/points/"))
    # the same form sent twice is one voucher
    client.post("/portal/points/", {"points": "200", "idempotency_key": "abc"})
    assert Voucher.objects.count() == 1 and points_balance(customer=customer) == 100

    too_many = client.post("/portal/points/", {"points": "500", "idempotency_key": "def"})
    assert too_many.status_code == 200 and "exceeds the balance" in text(too_many)


def test_the_portal_shows_only_my_own_points(programme, client, customer):
    other = CustomerFactory()
    give(other, 777, "other")
    give(customer, 111, "mine")
    client.force_login(customer_portal_user(customer=customer))
    page = text(client.get("/portal/points/"))
    assert "111" in page and "777" not in page


def test_staff_are_refused_on_the_portal_page(programme, signed_in, agent):
    assert signed_in(agent).get("/portal/points/").status_code == 403
