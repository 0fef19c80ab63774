"""Tiers by 12-month spend, their change notices, their faster service targets and free maintenance visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core.models import TimelineEvent
from aftersales.fieldwork.models import WorkOrder, WorkOrderKind
from aftersales.loyalty.models import PointsAccount, Tier, TierBenefitGrant
from aftersales.loyalty.providers import tier_target
from aftersales.loyalty.services.tiers import next_tier, rolling_spend, tier_recompute, tier_visits_grant, tiers_recompute
from aftersales.messaging.models import Message
from aftersales.service.models import EscalationTier, SlaMetric, Ticket
from aftersales.service.sla_targets import sla_target_offered
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, UnitFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture
def tiers(db):
    silver = Tier.objects.create(
        code="silver", name="Silver", name_es="Plata", min_spend=Decimal("500"), multiplier=Decimal("1.25")
    )
    gold = Tier.objects.create(
        code="gold",
        name="Gold",
        name_es="Oro",
        min_spend=Decimal("2000"),
        multiplier=Decimal("2"),
        first_response_hours=2,
        resolution_hours=16,
        free_visits_per_year=1,
    )
    return silver, gold


@time_machine.travel(NOW, tick=False)
def test_spend_counts_the_last_365_days_only(customer):
    SaleFactory(customer=customer, sold_on=dt.date(2025, 3, 10), total=Decimal("1000"))  # 366th day back: out
    SaleFactory(customer=customer, sold_on=dt.date(2025, 3, 11), total=Decimal("300"))
    SaleFactory(customer=customer, sold_on=dt.date(2026, 3, 10), total=Decimal("250"))
    assert rolling_spend(customer_id=customer.pk) == Decimal("550")


@time_machine.travel(NOW, tick=False)
def test_a_customer_moves_up_and_down_with_timeline_events_and_a_message(tiers, customer):
    silver, gold = tiers
    SaleFactory(customer=customer, sold_on=dt.date(2026, 1, 5), total=Decimal("2100"))

    account = tier_recompute(customer=customer)
    assert account.tier == gold and account.rolling_spend == Decimal("2100")
    event = TimelineEvent.objects.get(customer=customer, kind="tier_changed")
    assert event.data["new"] == "Gold"
    message = Message.objects.get(customer=customer, template_code="loyalty_tier_changed")
    assert "Gold" in message.subject and "2 working hours" in message.body

    with time_machine.travel(dt.datetime(2027, 1, 10, tzinfo=dt.UTC), tick=False):
        SaleFactory(customer=customer, sold_on=dt.date(2026, 12, 1), total=Decimal("600"))
        assert tiers_recompute() == 1
    assert PointsAccount.objects.get(customer=customer).tier == silver
    assert TimelineEvent.objects.filter(customer=customer, kind="tier_changed").count() == 2


@time_machine.travel(NOW, tick=False)
def test_the_nightly_recompute_moves_only_customers_whose_tier_changed(tiers):
    silver, _gold = tiers
    staying = CustomerFactory()
    SaleFactory(customer=staying, sold_on=dt.date(2026, 2, 1), total=Decimal("700"))
    tier_recompute(customer=staying)
    rising = CustomerFactory()
    SaleFactory(customer=rising, sold_on=dt.date(2026, 2, 1), total=Decimal("600"))
    nobody = CustomerFactory()
    SaleFactory(customer=nobody, sold_on=dt.date(2026, 2, 1), total=Decimal("20"))

    assert tiers_recompute() == 1
    assert PointsAccount.objects.get(customer=rising).tier == silver
    assert not PointsAccount.objects.filter(customer=nobody).exists()
    assert tiers_recompute() == 0


def test_next_tier_is_the_one_above(tiers):
    silver, gold = tiers
    assert next_tier(None) == silver and next_tier(silver) == gold and next_tier(gold) is None


@time_machine.travel(NOW, tick=False)
def test_the_tier_promises_faster_targets_to_the_service_desk(tiers, customer):
    SaleFactory(customer=customer, sold_on=dt.date(2026, 1, 5), total=Decimal("2500"))
    tier_recompute(customer=customer)
    ticket = Ticket(customer=customer, created_at=NOW)

    assert tier_target(ticket, SlaMetric.FIRST_RESPONSE, EscalationTier.L1) == 120
    assert tier_target(ticket, SlaMetric.RESOLUTION, EscalationTier.L1) == 16 * 60
    assert sla_target_offered(ticket, SlaMetric.FIRST_RESPONSE, EscalationTier.L1) == 120
    # a customer without a tier gets nothing from loyalty
    assert tier_target(Ticket(customer=CustomerFactory(), created_at=NOW), SlaMetric.FIRST_RESPONSE, EscalationTier.L1) is None


@time_machine.travel(NOW, tick=False)
def test_a_gold_customer_is_proposed_one_free_maintenance_visit_a_year(tiers, customer):
    SaleFactory(customer=customer, sold_on=dt.date(2026, 1, 5), total=Decimal("2500"))
    tier_recompute(customer=customer)
    boiler = UnitFactory(
        customer=customer,
        product=ProductFactory(maintenance_interval_months=12),
        sale_line__sale__customer=customer,
        installed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )
    UnitFactory(customer=customer, sale_line__sale__customer=customer)  # needs no maintenance

    assert tier_visits_grant() == 1
    assert tier_visits_grant() == 0
    order = WorkOrder.objects.get(customer=customer)
    assert order.kind == WorkOrderKind.MAINTENANCE and list(order.units.all()) == [boiler]
    assert TierBenefitGrant.objects.get(customer=customer).work_order == order
    with time_machine.travel(dt.datetime(2027, 3, 11, tzinfo=dt.UTC), tick=False):
        SaleFactory(customer=customer, sold_on=dt.date(2027, 1, 5), total=Decimal("2500"))
        tier_recompute(customer=customer)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=NOW)
        assert tier_visits_grant() == 1
