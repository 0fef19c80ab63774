"""Vouchers: codes, issuing, every reason a redemption is refused, limits, eligibility and discounts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe
from aftersales.customers.models import Segment
from aftersales.offers import codes
from aftersales.offers.models import CODE_ALPHABET, ValueKind, Voucher, VoucherRedemption, VoucherSource, VoucherStatus
from aftersales.offers.selectors import voucher_check
from aftersales.offers.services import voucher_cancel, voucher_redeem
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory
from tests.offers.conftest import issue

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def codes_of(error: ValidationFailed) -> set[tuple[str, str]]:
    return {(item.field, item.code) for item in error.errors}


def refused(**kwargs) -> set[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        voucher_redeem(actor=None, idempotency_key=f"r:{timezone.now().timestamp()}", **kwargs)
    return codes_of(caught.value)


# --- codes ----------------------------------------------------------------------------------------


def test_a_code_is_twelve_unambiguous_characters_in_three_groups():
    voucher = issue(CustomerFactory())

    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", voucher.code)
    assert not set(voucher.code.replace("-", "")) & set("IO01")
    assert len(CODE_ALPHABET) == 32  # 12 symbols of 32: 60 random bits


def test_codes_come_from_the_secrets_module(monkeypatch):
    drawn = []

    def choice(alphabet):
        drawn.append(alphabet)
        return "K"

    monkeypatch.setattr(codes.secrets, "choice", choice)

    assert codes.code_generate() == "KKKK-KKKK-KKKK"
    assert drawn == [CODE_ALPHABET] * 12


def test_a_thousand_codes_are_all_different_and_spread_over_the_alphabet():
    drawn = [codes.code_generate() for _ in range(1000)]

    assert len(set(drawn)) == 1000
    assert set("".join(drawn).replace("-", "")) == set(CODE_ALPHABET)


def test_a_clashing_code_is_drawn_again(monkeypatch):
    first = issue(CustomerFactory())
    draws = iter([first.code, "ABCD-EFGH-JKLM"])
    monkeypatch.setattr("aftersales.offers.services.code_generate", lambda: next(draws))

    second = issue(CustomerFactory())

    assert second.code == "ABCD-EFGH-JKLM"


def test_the_database_refuses_two_vouchers_with_one_code():
    voucher = issue(CustomerFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(
            code=voucher.code,
            value_kind="fixed",
            value=1,
            valid_from=TODAY(),
            valid_until=TODAY(),
            source="manual",
            idempotency_key="other",
        )


def test_typed_codes_are_read_whatever_the_case_spaces_and_dashes():
    customer = CustomerFactory()
    voucher = issue(customer)
    typed = voucher.code.replace("-", " ").lower()

    redemption = voucher_redeem(actor=None, code=f"  {typed} ", customer=customer, idempotency_key="sale-1")

    assert redemption.voucher == voucher
    assert codes.code_normalise("abcd efgh-jklm") == "ABCD-EFGH-JKLM"
    assert codes.code_normalise("ABCD-EFGH-JKL0") == ""  # 0 is not in the alphabet
    assert codes.code_normalise("ABCD") == ""


# --- issuing --------------------------------------------------------------------------------------


def test_the_same_issue_twice_returns_the_first_voucher():
    customer = CustomerFactory()

    first = issue(customer, key="referral:42")
    again = issue(customer, key="referral:42", value=Decimal("99"))

    assert again.pk == first.pk and again.value == Decimal("10.00")
    assert Voucher.objects.count() == 1
    assert TimelineEvent.objects.filter(customer=customer, kind="voucher_issued").count() == 1


def test_issuing_a_personal_voucher_writes_the_timeline():
    customer = CustomerFactory()
    voucher = issue(customer, source=VoucherSource.BIRTHDAY)

    event = TimelineEvent.objects.get(customer=customer, kind="voucher_issued")
    assert voucher.code in event_describe(event)
    assert "Birthday gift" in event_describe(event)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value_kind": "bogus"}, "value_kind"),
        ({"value": Decimal("0")}, "value"),
        ({"value": "ten"}, "value"),
        ({"value_kind": ValueKind.PERCENT, "value": Decimal("120")}, "value"),
        ({"value_kind": ValueKind.PERCENT, "value": Decimal("0.5")}, "value"),
        ({"value": Decimal("1.234")}, "value"),
        ({"valid_until": dt.date(2000, 1, 1)}, "valid_until"),
        ({"valid_from": TODAY() + dt.timedelta(days=40)}, "valid_until"),
        ({"valid_until": None}, "valid_until"),
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses_per_customer": 0}, "max_uses_per_customer"),
        ({"min_sale_value": Decimal("-1")}, "min_sale_value"),
        ({"source": "lottery"}, "source"),
        ({"idempotency_key": " "}, "idempotency_key"),
        ({"segments": [999999]}, "segments"),
        ({"categories": [999999]}, "categories"),
    ],
)
def test_issuing_refuses_bad_input_naming_the_field(overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        issue(CustomerFactory(), **overrides)

    assert field in {error.field for error in caught.value.errors}
    assert Voucher.objects.count() == 0


def test_the_database_refuses_a_percentage_above_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(
            code="AAAA-BBBB-CCCC",
            value_kind="percent",
            value=150,
            valid_from=TODAY(),
            valid_until=TODAY(),
            source="manual",
            idempotency_key="x",
        )


# --- refusals -------------------------------------------------------------------------------------


def test_an_unknown_code_is_refused():
    assert refused(code="ZZZZ-ZZZZ-ZZZZ", customer=CustomerFactory()) == {("code", "unknown")}
    assert refused(code="not a code", customer=CustomerFactory()) == {("code", "unknown")}


def test_a_voucher_is_refused_before_its_first_day_and_after_its_last():
    customer = CustomerFactory()
    voucher = issue(customer, valid_from=TODAY() + dt.timedelta(days=5), valid_until=TODAY() + dt.timedelta(days=10))

    assert refused(code=voucher.code, customer=customer) == {("code", "not_yet_valid")}
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        assert refused(code=voucher.code, customer=customer) == {("code", "expired")}
    with time_machine.travel(timezone.now() + dt.timedelta(days=7)):
        assert voucher_redeem(actor=None, code=voucher.code, customer=customer, idempotency_key="in-time")


def test_a_cancelled_voucher_is_refused(manager):
    customer = CustomerFactory()
    voucher = voucher_cancel(actor=manager, voucher=issue(customer), reason="Issued by mistake")

    assert voucher.status == VoucherStatus.CANCELLED and voucher.cancelled_by == manager
    assert refused(code=voucher.code, customer=customer) == {("code", "cancelled")}
    with pytest.raises(Conflict):
        voucher_cancel(actor=manager, voucher=voucher, reason="again")


def test_cancelling_needs_a_reason(manager):
    with pytest.raises(ValidationFailed) as caught:
        voucher_cancel(actor=manager, voucher=issue(CustomerFactory()), reason=" ")
    assert codes_of(caught.value) == {("reason", "invalid")}


def test_a_single_use_code_is_used_up_after_one_use():
    voucher = issue(None, max_uses=1, max_uses_per_customer=None)
    voucher_redeem(actor=None, code=voucher.code, customer=CustomerFactory(), idempotency_key="a")

    assert refused(code=voucher.code, customer=CustomerFactory()) == {("code", "used_up")}
    voucher.refresh_from_db()
    assert voucher.uses == 1


def test_a_shared_code_allows_each_customer_only_their_uses():
    voucher = issue(None, max_uses=None, max_uses_per_customer=2)
    ana, ben = CustomerFactory(), CustomerFactory()
    voucher_redeem(actor=None, code=voucher.code, customer=ana, idempotency_key="a1")
    voucher_redeem(actor=None, code=voucher.code, customer=ana, idempotency_key="a2")

    assert refused(code=voucher.code, customer=ana) == {("customer", "used_up_for_customer")}
    assert voucher_redeem(actor=None, code=voucher.code, customer=ben, idempotency_key="b1")
    voucher.refresh_from_db()
    assert voucher.uses == 3


def test_someone_elses_personal_voucher_is_refused():
    owner = CustomerFactory()
    voucher = issue(owner)

    assert refused(code=voucher.code, customer=CustomerFactory()) == {("customer", "not_yours")}


def test_a_segment_voucher_is_only_for_customers_in_the_segment():
    vip = Segment.objects.create(slug="vip", name="VIP")
    voucher = issue(None, max_uses=None, segments=[vip])
    member, outsider = CustomerFactory(), CustomerFactory()
    member.segments.add(vip)

    assert refused(code=voucher.code, customer=outsider) == {("customer", "segment")}
    assert voucher_redeem(actor=None, code=voucher.code, customer=member, idempotency_key="vip")


def test_a_category_voucher_needs_a_sale_with_products_of_the_category_or_below_it():
    appliances = CategoryFactory(slug="appliances")
    washers = CategoryFactory(slug="washers", parent=appliances)
    bikes = CategoryFactory(slug="bikes")
    customer = CustomerFactory()
    voucher = issue(customer, max_uses=None, max_uses_per_customer=None, categories=[appliances])
    bike_sale = SaleFactory(customer=customer)
    SaleLineFactory(sale=bike_sale, product=ProductFactory(category=bikes))
    washer_sale = SaleFactory(customer=customer)
    SaleLineFactory(sale=washer_sale, product=ProductFactory(category=washers))

    assert refused(code=voucher.code, customer=customer, sale=bike_sale) == {("sale", "category")}
    assert refused(code=voucher.code, customer=customer, amount=Decimal("50")) == {("sale", "category_unknown")}
    assert voucher_redeem(actor=None, code=voucher.code, customer=customer, sale=washer_sale, idempotency_key="w")
    assert voucher_check(code=voucher.code, customer=customer, categories=[washers.pk]).applies
    assert {(e.field, e.code) for e in voucher_check(code=voucher.code, customer=customer, categories=[bikes.pk]).errors} == {
        ("categories", "category")
    }


def test_a_sale_below_the_minimum_is_refused():
    customer = CustomerFactory()
    voucher = issue(customer, min_sale_value=Decimal("100"))
    small = SaleFactory(customer=customer, total=Decimal("99.99"))

    assert refused(code=voucher.code, customer=customer, sale=small) == {("sale", "below_minimum")}
    assert refused(code=voucher.code, customer=customer, amount=Decimal("20")) == {("amount", "below_minimum")}
    assert refused(code=voucher.code, customer=customer) == {("amount", "required")}
    assert voucher_redeem(actor=None, code=voucher.code, customer=customer, amount=Decimal("100"), idempotency_key="ok")


def test_a_sale_of_another_customer_is_refused():
    customer = CustomerFactory()
    voucher = issue(customer)

    assert refused(code=voucher.code, customer=customer, sale=SaleFactory()) == {("sale", "other_customer")}


def test_every_reason_is_given_at_once():
    owner = CustomerFactory()
    voucher = issue(owner, valid_until=TODAY() + dt.timedelta(days=1))
    voucher_cancel(actor=None, voucher=voucher, reason="Withdrawn")

    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        found = refused(code=voucher.code, customer=CustomerFactory())

    assert found == {("code", "cancelled"), ("code", "expired"), ("customer", "not_yours")}


# --- discounts ------------------------------------------------------------------------------------


def test_a_percentage_is_taken_off_the_eligible_lines_only():
    appliances = CategoryFactory(slug="appliances")
    customer = CustomerFactory()
    voucher = issue(customer, value_kind=ValueKind.PERCENT, value=Decimal("15"), categories=[appliances])
    sale = SaleFactory(customer=customer, total=Decimal("0"))
    SaleLineFactory(sale=sale, product=ProductFactory(category=appliances), quantity=2, unit_price=Decimal("99.99"))
    SaleLineFactory(sale=sale, product=ProductFactory(category=CategoryFactory(slug="bikes")), unit_price=Decimal("500"))

    redemption = voucher_redeem(actor=None, code=voucher.code, customer=customer, sale=sale, idempotency_key="p")

    # 15 % of 199.98 = 29.997, rounded half up to the cent.
    assert redemption.eligible_amount == Decimal("199.98")
    assert redemption.discount == Decimal("30.00")


def test_a_percentage_without_categories_applies_to_the_whole_sale():
    customer = CustomerFactory()
    voucher = issue(customer, value_kind=ValueKind.PERCENT, value=Decimal("12.5"))
    check = voucher_check(code=voucher.code, customer=customer, amount=Decimal("80.10"))

    assert check.applies and check.discount == Decimal("10.01")


def test_a_percentage_needs_an_amount_to_be_redeemed():
    customer = CustomerFactory()
    voucher = issue(customer, value_kind=ValueKind.PERCENT, value=Decimal("10"))

    assert refused(code=voucher.code, customer=customer) == {("amount", "required")}


def test_a_fixed_value_never_exceeds_what_it_applies_to():
    customer = CustomerFactory()
    voucher = issue(customer, value=Decimal("25"))

    assert voucher_check(code=voucher.code, customer=customer, amount=Decimal("18.50")).discount == Decimal("18.50")
    assert voucher_check(code=voucher.code, customer=customer).discount == Decimal("25.00")


def test_checking_redeems_nothing():
    customer = CustomerFactory()
    voucher = issue(customer)

    assert voucher_check(code=voucher.code, customer=customer).applies
    voucher.refresh_from_db()
    assert voucher.uses == 0 and not VoucherRedemption.objects.exists()


# --- idempotent redemption ------------------------------------------------------------------------


def test_the_same_redemption_twice_is_recorded_once():
    customer = CustomerFactory()
    voucher = issue(customer)
    sale = SaleFactory(customer=customer)

    first = voucher_redeem(actor=None, code=voucher.code, customer=customer, sale=sale, idempotency_key="till:7:1")
    again = voucher_redeem(actor=None, code=voucher.code, customer=customer, sale=sale, idempotency_key="till:7:1")

    assert again.pk == first.pk
    voucher.refresh_from_db()
    assert voucher.uses == 1
    event = TimelineEvent.objects.get(customer=customer, kind="voucher_redeemed")
    assert sale.number in event_describe(event) and voucher.code in event_describe(event)


def test_a_key_reused_for_another_customer_is_a_conflict():
    voucher = issue(None, max_uses=None)
    voucher_redeem(actor=None, code=voucher.code, customer=CustomerFactory(), idempotency_key="k")

    with pytest.raises(Conflict):
        voucher_redeem(actor=None, code=voucher.code, customer=CustomerFactory(), idempotency_key="k")


def test_a_sale_takes_a_voucher_once():
    customer = CustomerFactory()
    voucher = issue(customer, max_uses=None, max_uses_per_customer=None)
    sale = SaleFactory(customer=customer)
    voucher_redeem(actor=None, code=voucher.code, customer=customer, sale=sale, idempotency_key="s1")

    assert refused(code=voucher.code, customer=customer, sale=sale) == {("sale", "already_used")}
