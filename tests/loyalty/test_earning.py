"""Points for purchases (one sale, an import, the catch-up sweep) and for completed surveys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.models import TimelineEvent
from aftersales.feedback.signals import survey_completed
from aftersales.loyalty.models import EarnReason, EarnRule, PointsAccount, PointsEntry, Tier
from aftersales.loyalty.services import points_balance
from aftersales.loyalty.services.earning import purchases_catch_up
from aftersales.sales.imports import sales_import_rows
from aftersales.sales.models import Sale
from aftersales.sales.services import sale_create
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory
from tests.loyalty.helpers import account_balance, ledger_sum

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture
def products(db):
    appliances = CategoryFactory(slug="appliances", name="Appliances")
    washers = CategoryFactory(slug="washers", name="Washing machines", parent=appliances)
    garden = CategoryFactory(slug="garden", name="Garden")
    return {
        "washer": ProductFactory(sku="WASH-1", category=washers, list_price=Decimal("400")),
        "mower": ProductFactory(sku="MOW-1", category=garden, list_price=Decimal("150")),
        "appliances": appliances,
    }


def record_sale(customer, number, lines, sold_on="2026-03-01"):
    return sale_create(actor=None, customer=customer, number=number, sold_on=sold_on, lines=lines)


@time_machine.travel(NOW, tick=False)
def test_a_recorded_sale_earns_points_per_currency_unit_rounded_down(
    programme, customer, products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sale = record_sale(customer, "S-1", [{"sku": "MOW-1", "quantity": 2, "unit_price": "75.90", "serials": []}])

    entry = PointsEntry.objects.get(customer=customer)
    assert entry.reason == EarnReason.PURCHASE and entry.idempotency_key == f"purchase:{sale.pk}"
    assert entry.points == 151  # 151.80 EUR at 1 point per EUR
    assert entry.occurred_on == dt.date(2026, 3, 1) and entry.expires_on == dt.date(2028, 3, 1)
    assert points_balance(customer=customer) == 151
    assert TimelineEvent.objects.filter(customer=customer, kind="points_earned").exists()


@time_machine.travel(NOW, tick=False)
def test_earn_rules_apply_to_the_category_and_those_below_it(programme, customer, products, django_capture_on_commit_callbacks):
    EarnRule.objects.create(category=products["appliances"], multiplier=Decimal("2"), extra_per_unit=Decimal("0.5"))
    lines = [
        {"sku": "WASH-1", "quantity": 1, "unit_price": "100.00", "serials": []},
        {"sku": "MOW-1", "quantity": 1, "unit_price": "10.00", "serials": []},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        record_sale(customer, "S-2", lines)

    # washers (under appliances): 100 × (1 × 2 + 0.5) = 250; garden: 10 × 1 = 10
    assert points_balance(customer=customer) == 260


@time_machine.travel(NOW, tick=False)
def test_no_points_before_the_start_date_or_when_the_programme_is_off(
    programme, customer, products, django_capture_on_commit_callbacks
):
    programme.starts_on = dt.date(2026, 3, 5)
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_sale(customer, "S-3", [{"sku": "MOW-1", "quantity": 1, "unit_price": "50", "serials": []}], sold_on="2026-03-04")
    programme.starts_on = None
    programme.active = False
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_sale(customer, "S-4", [{"sku": "MOW-1", "quantity": 1, "unit_price": "50", "serials": []}])

    assert not PointsEntry.objects.exists()
    assert purchases_catch_up() == 0


@time_machine.travel(NOW, tick=False)
def test_the_tier_multiplier_applies_to_purchases(programme, customer, products, django_capture_on_commit_callbacks):
    Tier.objects.create(code="gold", name="Gold", min_spend=Decimal("100"), multiplier=Decimal("1.5"))
    with django_capture_on_commit_callbacks(execute=True):
        record_sale(customer, "S-5", [{"sku": "MOW-1", "quantity": 1, "unit_price": "101", "serials": []}])
    # the sale lifts the customer into Gold before its points are counted: 101 × 1.5
    assert PointsAccount.objects.get(customer=customer).tier.code == "gold"
    assert points_balance(customer=customer) == 151


@time_machine.travel(NOW, tick=False)
def test_an_import_earns_points_set_based_for_every_new_sale(programme, products, django_capture_on_commit_callbacks):
    rows = [
        {
            "sale_number": f"IMP-{n}",
            "sale_date": "2026-02-01",
            "customer_name": f"Buyer {n % 3}",
            "customer_email": f"buyer{n % 3}@example.com",
            "sku": "MOW-1",
            "quantity": "1",
            "unit_price": f"{10 * (n + 1)}.50",
            "serials": "",
        }
        for n in range(7)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = sales_import_rows(actor=None, rows=rows)
    assert report.sales_created == 7

    assert PointsEntry.objects.filter(reason=EarnReason.PURCHASE).count() == 7
    for sale in Sale.objects.all():
        entry = PointsEntry.objects.get(idempotency_key=f"purchase:{sale.pk}")
        assert entry.points == int(sale.total) and entry.customer_id == sale.customer_id
    for account in PointsAccount.objects.all():
        assert account.balance == ledger_sum(account.customer) > 0
    assert TimelineEvent.objects.filter(kind="points_earned").count() == 7
    # a second catch-up (the sweep) finds nothing left to credit
    assert purchases_catch_up() == 0


@time_machine.travel(NOW, tick=False)
def test_the_catch_up_credits_missed_sales_in_batches_and_skips_credited_ones(programme, products):
    buyers = [CustomerFactory() for _ in range(3)]
    for n in range(10):
        sale = SaleFactory(customer=buyers[n % 3], sold_on=dt.date(2026, 1, 1), total=Decimal("0"))
        SaleLineFactory(sale=sale, product=products["washer"], quantity=1, unit_price=Decimal("20.00"))
        Sale.objects.filter(pk=sale.pk).update(total=Decimal("20.00"))
    free = SaleFactory(customer=buyers[0], sold_on=dt.date(2026, 1, 1), total=Decimal("0"))

    assert purchases_catch_up(batch=4) == 10
    assert purchases_catch_up(batch=4) == 0
    assert not PointsEntry.objects.filter(source_ref=f"sale:{free.pk}").exists()
    assert [account_balance(buyer) for buyer in buyers] == [80, 60, 60]


def test_a_completed_survey_earns_the_bonus_once(programme, customer):
    survey_completed.send(sender=None, response_id=7, customer_id=customer.pk, invitation_id=1)
    survey_completed.send(sender=None, response_id=7, customer_id=customer.pk, invitation_id=1)

    entry = PointsEntry.objects.get(customer=customer)
    assert (entry.reason, entry.points, entry.idempotency_key) == (EarnReason.SURVEY, 50, "survey:7")


def test_no_survey_bonus_when_the_programme_gives_none(programme, customer):
    programme.survey_bonus = 0
    programme.save()
    survey_completed.send(sender=None, response_id=8, customer_id=customer.pk, invitation_id=1)
    assert not PointsEntry.objects.exists()
