"""Gift vouchers asked for by follow-up touches (birthday cards, thank-you notes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.followup.models import Action, Playbook, PlaybookStep, Touch, Trigger
from aftersales.followup.signals import touch_gift_requested
from aftersales.offers.models import Voucher, VoucherSource
from aftersales.offers.receivers import gift_voucher_for_touch
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def touch_for(customer, trigger):
    playbook = Playbook.objects.create(name=f"Playbook {trigger}")
    step = PlaybookStep.objects.create(
        playbook=playbook, name="Card", trigger=trigger, action=Action.SEND_TEMPLATE, template_code="card", channel="email"
    )
    today = timezone.localdate()
    return Touch.objects.create(step=step, customer=customer, occurrence_key=f"{today.year}", anchor_on=today, due_on=today)


def test_a_birthday_touch_gets_one_personal_birthday_voucher_whatever_the_repeats():
    customer = CustomerFactory(language="es")
    touch = touch_for(customer, Trigger.BIRTHDAY)
    arguments = {"touch": touch, "customer": customer, "step": touch.step, "value": Decimal("1500"), "valid_days": 30}

    answer = gift_voucher_for_touch(sender=None, **arguments)
    again = gift_voucher_for_touch(sender=None, **arguments)

    voucher = Voucher.objects.get()
    assert answer == again
    assert answer["voucher_code"] == voucher.code
    assert answer["voucher_value"] == "1\xa0500,00 EUR"  # Spanish groups thousands with a non-breaking space
    assert answer["voucher_valid_until"] == timezone.localdate() + dt.timedelta(days=30)
    assert voucher.customer == customer and voucher.source == VoucherSource.BIRTHDAY
    assert voucher.value_kind == "fixed" and voucher.value == Decimal("1500")
    assert voucher.idempotency_key == f"followup:gift:{touch.pk}"


def test_another_step_gets_a_gift_voucher_through_the_signal():
    customer = CustomerFactory(language="en")
    touch = touch_for(customer, Trigger.SALE)

    answers = touch_gift_requested.send(
        sender=Touch, touch=touch, customer=customer, step=touch.step, value=Decimal("5"), valid_days=14
    )

    ours = [answer for receiver, answer in answers if receiver is gift_voucher_for_touch]
    assert ours and ours[0]["voucher_value"] == "5.00 EUR"
    assert Voucher.objects.get(code=ours[0]["voucher_code"]).source == VoucherSource.GIFT
