"""Refunds: money paid back no longer counts as spend for the tier, and takes back the points it earned, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from aftersales.core.errors import Conflict
from aftersales.core.models import TimelineEvent
from aftersales.loyalty.models import EntryKind, PointsAccount, PointsEntry, Tier
from aftersales.loyalty.selectors import standing
from aftersales.loyalty.services.refunds import refund_points_take_back, refunds_catch_up
from aftersales.loyalty.services.tiers import rolling_spend, tiers_recompute
from aftersales.loyalty.sweeps import purchases as purchases_sweep
from aftersales.sales.models import Unit
from aftersales.sales.services import sale_create
from aftersales.warranty import services as returns
from aftersales.warranty.models import ReturnStatus
from tests.factories import ProductFactory, SaleFactory, SaleLineFactory, UnitFactory
from tests.loyalty.helpers import account_balance, ledger_sum

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.MESSAGING_QUIET_HOURS = None


@pytest.fixture
def tiers(db):
    silver = Tier.objects.create(code="silver", name="Silver", name_es="Plata", min_spend=Decimal("500"))
    gold = Tier.objects.create(code="gold", name="Gold", name_es="Oro", min_spend=Decimal("2000"), multiplier=Decimal("1"))
    return silver, gold


@pytest.fixture
def tv(db):
    return ProductFactory(sku="TV-65", list_price=Decimal("2000"), return_window_days=30, exchange_window_days=30)


def buy(customer, number, sold_on, *lines, capture):
    """Record a sale through the sale service, so it earns points and moves the tier as any sale does."""
    with capture(execute=True):
        return sale_create(
            actor=None,
            customer=customer,
            number=number,
            sold_on=sold_on,
            lines=[{"sku": sku, "quantity": 1, "unit_price": price, "serials": [serial]} for sku, price, serial in lines],
            delivered_at=NOW - dt.timedelta(days=2),
        )


def inspected(unit, staff, *, wish="return"):
    """Take a unit through a return up to the inspection, authorising it if the policy did not."""
    rma = returns.return_request_open(actor=staff, unit=unit, wish=wish, condition="opened")
    if rma.status == ReturnStatus.REQUESTED:
        returns.return_request_authorise(actor=staff, request=rma, note="Goodwill")
    returns.return_request_receive(actor=staff, request=rma)
    returns.return_request_inspect(actor=staff, request=rma, condition_found="opened", accept=True)
    return rma


def refund(unit, staff, amount, *, capture=None):
    rma = inspected(unit, staff)
    if capture is None:
        return returns.return_request_refund(actor=staff, request=rma, method="cash", amount=Decimal(amount))
    with capture(execute=True):
        return returns.return_request_refund(actor=staff, request=rma, method="cash", amount=Decimal(amount))


def test_a_refund_takes_the_sale_off_the_spend_and_the_tier_drops_at_once(
    programme, tiers, customer, tv, manager, django_capture_on_commit_callbacks
):
    silver, gold = tiers
    ProductFactory(sku="CABLE", list_price=Decimal("20"))
    buy(customer, "S-1", "2026-03-01", ("TV-65", "2000", "TV1"), ("CABLE", "100", ""), capture=django_capture_on_commit_callbacks)
    buy(customer, "S-2", "2026-01-15", ("CABLE", "600", ""), capture=django_capture_on_commit_callbacks)
    assert PointsAccount.objects.get(customer=customer).tier == gold

    refund(Unit.objects.get(serial="TV1"), manager, "2000", capture=django_capture_on_commit_callbacks)

    # Moved by the refund itself, not by the nightly sweep.
    account = PointsAccount.objects.get(customer=customer)
    assert account.tier == silver and account.rolling_spend == Decimal("700.00")
    event = TimelineEvent.objects.filter(customer=customer, kind="tier_changed").latest("id")
    assert event.data["old"] == "Gold" and event.data["new"] == "Silver"
    assert rolling_spend(customer_id=customer.pk) == Decimal("700")
    assert standing(customer=customer).spend == Decimal("700")
    # The nightly sweep agrees: nothing left to move, and it stores the same spend.
    assert tiers_recompute() == 0
    assert PointsAccount.objects.get(customer=customer).rolling_spend == Decimal("700.00")


def test_a_partial_refund_takes_off_what_was_paid_back_and_its_share_of_the_points(
    programme, tiers, customer, tv, manager, django_capture_on_commit_callbacks
):
    _silver, gold = tiers
    sale = buy(customer, "S-1", "2026-03-01", ("TV-65", "2400", "TV1"), capture=django_capture_on_commit_callbacks)
    assert PointsEntry.objects.get(idempotency_key=f"purchase:{sale.pk}").points == 2400

    refund(Unit.objects.get(serial="TV1"), manager, "300", capture=django_capture_on_commit_callbacks)

    assert rolling_spend(customer_id=customer.pk) == Decimal("2100")
    assert PointsAccount.objects.get(customer=customer).tier == gold
    taken = PointsEntry.objects.get(kind=EntryKind.REFUND)
    assert taken.points == -300 and taken.source_ref == f"sale:{sale.pk}"
    assert account_balance(customer) == ledger_sum(customer) == 2100


def test_two_partial_refunds_of_one_sale_take_back_what_one_refund_of_both_would(
    programme, customer, tv, manager, django_capture_on_commit_callbacks
):
    # 201 points on 201.00: refunds of 100.50 each would each round down to 100 points on their own.
    sale = buy(
        customer,
        "S-1",
        "2026-03-01",
        ("TV-65", "100.50", "A"),
        ("TV-65", "100.50", "B"),
        capture=django_capture_on_commit_callbacks,
    )
    refund(Unit.objects.get(serial="A"), manager, "100.50", capture=django_capture_on_commit_callbacks)
    refund(Unit.objects.get(serial="B"), manager, "100.50", capture=django_capture_on_commit_callbacks)
    taken = sorted(PointsEntry.objects.filter(kind=EntryKind.REFUND).values_list("points", flat=True))
    assert taken == [-101, -100]
    assert PointsEntry.objects.get(idempotency_key=f"purchase:{sale.pk}").points == 201
    assert account_balance(customer) == ledger_sum(customer) == 0
    assert rolling_spend(customer_id=customer.pk) == Decimal("0")


def test_a_refund_goes_with_its_sale_in_and_out_of_the_12_months(tiers, customer, tv, manager):
    silver, _gold = tiers
    old = SaleFactory(customer=customer, sold_on=dt.date(2025, 2, 1), total=Decimal("900"))
    old_unit = UnitFactory(sale_line=SaleLineFactory(sale=old, product=tv, unit_price=Decimal("900")))
    recent = SaleFactory(customer=customer, sold_on=dt.date(2026, 1, 10), total=Decimal("800"))
    recent_unit = UnitFactory(sale_line=SaleLineFactory(sale=recent, product=tv, unit_price=Decimal("800")))

    # A sale from before the 12 months refunded today: its refund is not taken off the spend of this year.
    refund(old_unit, manager, "900")
    assert rolling_spend(customer_id=customer.pk) == Decimal("800")
    # A sale inside them refunded in part: it is.
    refund(recent_unit, manager, "200")
    assert rolling_spend(customer_id=customer.pk) == Decimal("600")
    tiers_recompute()
    assert PointsAccount.objects.get(customer=customer).tier == silver

    # When the sale leaves the 12 months, its refund leaves with it: nothing is taken off anything else.
    with time_machine.travel(dt.datetime(2027, 1, 20, 12, tzinfo=dt.UTC), tick=False):
        SaleFactory(customer=customer, sold_on=dt.date(2027, 1, 5), total=Decimal("550"))
        assert rolling_spend(customer_id=customer.pk) == Decimal("550")
        tiers_recompute()
        assert PointsAccount.objects.get(customer=customer).rolling_spend == Decimal("550.00")
        assert PointsAccount.objects.get(customer=customer).tier == silver


def test_an_exchange_counts_only_the_money_added_and_is_not_a_refund(
    programme, customer, tv, manager, django_capture_on_commit_callbacks
):
    buy(customer, "S-1", "2026-03-01", ("TV-65", "2000", "TV1"), capture=django_capture_on_commit_callbacks)
    assert account_balance(customer) == 2000

    # like for like: the new sale is paid with the returned unit's price, so neither spend nor points grow
    rma = inspected(Unit.objects.get(serial="TV1"), manager, wish="exchange")
    with django_capture_on_commit_callbacks(execute=True):
        rma = returns.return_request_exchange(actor=manager, request=rma, new_serial="TV2")
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.EXCHANGED and rma.refund_amount is None
    assert rma.exchange_sale.total == Decimal("2000")
    assert rolling_spend(customer_id=customer.pk) == Decimal("2000")
    assert account_balance(customer) == ledger_sum(customer) == 2000
    assert refunds_catch_up() == 0
    assert not PointsEntry.objects.filter(kind=EntryKind.REFUND).exists()

    # an upgrade: only the 500 added is new spend, and earns points
    rma = inspected(Unit.objects.get(serial="TV2"), manager, wish="exchange")
    with django_capture_on_commit_callbacks(execute=True):
        rma = returns.return_request_exchange(actor=manager, request=rma, new_serial="TV3", unit_price=Decimal("2500"))
    assert rolling_spend(customer_id=customer.pk) == Decimal("2500")
    assert account_balance(customer) == ledger_sum(customer) == 2500
    assert standing(customer=customer).spend == Decimal("2500")


def test_points_are_taken_back_once_and_the_statement_says_why_in_both_languages(
    programme, customer, tv, manager, django_capture_on_commit_callbacks
):
    sale = buy(customer, "S-1", "2026-03-01", ("TV-65", "2000", "TV1"), capture=django_capture_on_commit_callbacks)
    rma = refund(Unit.objects.get(serial="TV1"), manager, "2000", capture=django_capture_on_commit_callbacks)

    entry = PointsEntry.objects.get(kind=EntryKind.REFUND)
    assert entry.points == -2000 and entry.idempotency_key == f"refund:{rma.pk}"
    assert entry.note == f"{rma.reference} · S-1" and entry.source_ref == f"sale:{sale.pk}"
    assert entry.get_kind_display() == "Refunded purchase"
    with translation.override("es"):
        assert entry.get_kind_display() == "Compra reembolsada"
    assert TimelineEvent.objects.filter(customer=customer, kind="points_taken_back").count() == 1

    # Again by hand, by the sweep, and a second refund: the same single entry.
    assert refund_points_take_back(return_id=rma.pk) == entry
    assert refunds_catch_up() == 0
    assert purchases_sweep() == {"entries": 0, "taken_back": 0}
    with pytest.raises(Conflict):
        returns.return_request_refund(actor=manager, request=rma, method="cash", amount=Decimal("2000"))
    assert PointsEntry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert account_balance(customer) == ledger_sum(customer) == 0


def test_a_missed_refund_signal_is_caught_up_by_the_sweeps(
    programme, tiers, customer, tv, manager, django_capture_on_commit_callbacks
):
    silver, gold = tiers
    buy(customer, "S-1", "2026-03-01", ("TV-65", "2000", "TV1"), capture=django_capture_on_commit_callbacks)
    buy(customer, "S-2", "2026-03-02", ("TV-65", "600", "TV2"), capture=django_capture_on_commit_callbacks)
    assert PointsAccount.objects.get(customer=customer).tier == gold

    refund(Unit.objects.get(serial="TV1"), manager, "2000")  # its after-commit signal never runs

    assert refunds_catch_up() == 1
    assert tiers_recompute() == 1
    account = PointsAccount.objects.get(customer=customer)
    assert account.tier == silver and account.balance == 600


def test_spend_is_never_negative(tiers, customer, tv, manager):
    # The sale's total is below the line's price (a discount on the whole sale); the refund is of the price.
    PointsAccount.objects.create(customer=customer)
    sale = SaleFactory(customer=customer, sold_on=dt.date(2026, 3, 1), total=Decimal("50"))
    unit = UnitFactory(sale_line=SaleLineFactory(sale=sale, product=tv, unit_price=Decimal("200")))
    SaleFactory(customer=customer, sold_on=dt.date(2026, 3, 2), total=Decimal("30"))
    refund(unit, manager, "200")

    assert rolling_spend(customer_id=customer.pk) == Decimal("30")
    tiers_recompute()
    assert PointsAccount.objects.get(customer=customer).rolling_spend == Decimal("30.00")
