"""Customer care touches: purchase anniversaries, the thank-you after a first purchase, birthday cards with a gift."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.followup import services
from aftersales.followup.models import Playbook, PlaybookStep, Touch, TouchResult, TouchStatus, Trigger
from aftersales.followup.signals import touch_gift_requested
from aftersales.messaging.models import Message, MessageStatus
from tests.factories import CustomerFactory
from tests.followup.helpers import at, bought, sweep_on, touches

pytestmark = pytest.mark.django_db

CARE = "Customer care touches"
BIRTHDAY_CARD = "Birthday card by email"
BIRTHDAY_LETTER = "Birthday card by post"
ANNIVERSARY = "Purchase anniversary"
THANKS = "Thank you for your first purchase"


def care_steps(*names: str) -> None:
    """Switch on the shipped care playbook with only the named steps; everything else off."""
    Playbook.objects.update(active=False)
    Playbook.objects.filter(name=CARE).update(active=True)
    PlaybookStep.objects.update(active=False)
    PlaybookStep.objects.filter(playbook__name=CARE, name__in=names).update(active=True)


def consenting(name: str, **fields) -> object:
    return CustomerFactory(name=name, consent_email_at=at(dt.date(2020, 1, 1)), **fields)


@pytest.fixture
def gift_receiver():
    """Connect a small vouchers receiver (the real one belongs to the offers capability) and record its calls."""
    calls: list[dict] = []

    def issue(sender, touch, customer, step, value, valid_days, **kwargs):
        calls.append({"touch": touch.pk, "customer": customer.pk, "value": value, "valid_days": valid_days})
        return {
            "voucher_code": f"GIFT-{touch.pk}",
            "voucher_value": value,
            "voucher_valid_until": touch.due_on + dt.timedelta(days=valid_days),
        }

    with offers_receiver_disconnected():
        touch_gift_requested.connect(issue, dispatch_uid="test-gift")
        yield calls
        touch_gift_requested.disconnect(dispatch_uid="test-gift")


@contextlib.contextmanager
def offers_receiver_disconnected():
    """Follow-up's side alone: the vouchers capability's own receiver is set aside for the test."""
    from aftersales.offers.receivers import gift_voucher_for_touch

    touch_gift_requested.disconnect(gift_voucher_for_touch, dispatch_uid="offers.gift_voucher_for_touch")
    try:
        yield
    finally:
        touch_gift_requested.connect(gift_voucher_for_touch, dispatch_uid="offers.gift_voucher_for_touch")


def test_the_care_playbook_ships_switched_off_with_its_bilingual_templates():
    playbook = Playbook.objects.get(name=CARE)
    assert playbook.active is False
    steps = {step.name: step for step in playbook.steps.all()}
    assert steps[BIRTHDAY_CARD].gift_voucher_value == Decimal("10.00")
    assert steps[BIRTHDAY_LETTER].channel == "letter"
    assert steps[ANNIVERSARY].trigger == Trigger.PURCHASE_ANNIVERSARY
    assert steps[THANKS].trigger == Trigger.FIRST_PURCHASE
    consenting("Birthday girl", birthday=dt.date(1990, 5, 10))
    sweep_on(dt.date(2025, 5, 10))
    assert not Touch.objects.filter(step__playbook=playbook).exists()


def test_each_purchase_has_its_own_anniversary_every_year():
    care_steps(ANNIVERSARY)
    customer = consenting("Two purchases")
    bought(customer, sold_on=dt.date(2023, 3, 15))
    bought(customer, sold_on=dt.date(2024, 7, 1))  # a later purchase does not cancel the first one's anniversary

    for day in (dt.date(2024, 3, 14), dt.date(2024, 3, 15), dt.date(2024, 7, 1), dt.date(2025, 3, 15), dt.date(2025, 7, 1)):
        sweep_on(day)

    assert [(touch.anchor_on, touch.due_on, touch.occurrence_key) for touch in touches(ANNIVERSARY)] == [
        (dt.date(2023, 3, 15), dt.date(2024, 3, 15), "2023-03-15#1"),
        (dt.date(2023, 3, 15), dt.date(2025, 3, 15), "2023-03-15#2"),
        (dt.date(2024, 7, 1), dt.date(2025, 7, 1), "2024-07-01#1"),
    ]
    assert set(Message.objects.values_list("template_code", flat=True)) == {"purchase_anniversary"}


def test_the_sale_trigger_repeated_yearly_counts_only_from_the_latest_sale():
    # Why "Purchase anniversary" exists: "Sale" every 12 months restarts with each new purchase.
    Playbook.objects.update(active=False)
    playbook = services.playbook_create(actor=None, data={"name": "Yearly after sale"})
    services.step_create(
        actor=None,
        playbook=playbook,
        data={
            "name": "Yearly",
            "trigger": "sale",
            "repeat_months": 12,
            "action": "send_template",
            "template_code": "purchase_anniversary",
            "channel": "email",
        },
    )
    customer = consenting("Two purchases")
    bought(customer, sold_on=dt.date(2023, 3, 15))
    bought(customer, sold_on=dt.date(2024, 1, 10))

    sweep_on(dt.date(2024, 3, 15))
    sweep_on(dt.date(2025, 1, 10))

    assert [touch.due_on for touch in touches("Yearly")] == [dt.date(2025, 1, 10)]


def test_the_thank_you_goes_once_the_day_after_the_first_purchase_only():
    care_steps(THANKS)
    newcomer = consenting("Newcomer")
    bought(newcomer, sold_on=dt.date(2025, 4, 2))
    regular = consenting("Regular")
    bought(regular, sold_on=dt.date(2023, 1, 5))
    bought(regular, sold_on=dt.date(2025, 4, 2))  # not their first purchase

    sweep_on(dt.date(2025, 4, 3))
    bought(newcomer, sold_on=dt.date(2025, 4, 20))
    sweep_on(dt.date(2025, 4, 21))

    assert [(touch.customer.name, touch.due_on) for touch in touches(THANKS)] == [("Newcomer", dt.date(2025, 4, 3))]
    message = Message.objects.get()
    assert message.template_code == "first_purchase_thanks"
    assert "Thank you for your first purchase" in message.body


def test_a_birthday_card_carries_the_gift_a_receiver_issues(gift_receiver):
    care_steps(BIRTHDAY_CARD)
    customer = consenting("Ana", birthday=dt.date(1988, 6, 12), language="es")

    sweep_on(dt.date(2025, 6, 12))

    touch = Touch.objects.get()
    assert gift_receiver == [{"touch": touch.pk, "customer": customer.pk, "value": Decimal("10.00"), "valid_days": 60}]
    message = Message.objects.get()
    assert message.language == "es"
    assert f"GIFT-{touch.pk}" in message.body
    assert "vale de 10" in message.body
    assert (touch.status, touch.result) == (TouchStatus.DONE, TouchResult.MESSAGE_QUEUED)
    assert touch.detail == f"gift voucher GIFT-{touch.pk}"


def test_without_a_receiver_the_card_goes_without_a_gift_and_the_touch_says_so():
    care_steps(BIRTHDAY_CARD)
    consenting("Alex", birthday=dt.date(1988, 6, 12))

    with offers_receiver_disconnected():
        sweep_on(dt.date(2025, 6, 12))

    message = Message.objects.get()
    assert "Happy birthday" in message.subject
    assert "voucher" not in message.body
    touch = Touch.objects.get()
    assert (touch.status, touch.result) == (TouchStatus.DONE, TouchResult.MESSAGE_QUEUED_NO_GIFT)


def test_with_the_vouchers_capability_the_birthday_card_carries_a_real_voucher():
    from aftersales.offers.models import Voucher, VoucherSource

    care_steps(BIRTHDAY_CARD)
    customer = consenting("Marta", birthday=dt.date(1990, 6, 12), language="es")

    sweep_on(dt.date(2025, 6, 12))
    sweep_on(dt.date(2025, 6, 13))  # a second run issues nothing more

    voucher = Voucher.objects.get()
    touch = Touch.objects.get()
    assert (voucher.customer_id, voucher.source, voucher.value) == (customer.pk, VoucherSource.BIRTHDAY, Decimal("10.00"))
    assert voucher.source_ref == f"touch:{touch.pk}"
    message = Message.objects.get()
    assert voucher.code in message.body
    assert (touch.status, touch.result) == (TouchStatus.DONE, TouchResult.MESSAGE_QUEUED)


def test_a_card_that_cannot_go_issues_no_gift(gift_receiver):
    care_steps(BIRTHDAY_CARD)
    Playbook.objects.filter(name=CARE).first().steps.filter(name=BIRTHDAY_CARD).update(consent_channel="")
    CustomerFactory(name="No consent", birthday=dt.date(1988, 6, 12))  # marketing email without consent is refused

    sweep_on(dt.date(2025, 6, 12))

    message = Message.objects.get()
    assert message.status == MessageStatus.SUPPRESSED
    assert "voucher" not in message.body
    touch = Touch.objects.get()
    assert (touch.status, touch.result) == (TouchStatus.SKIPPED, TouchResult.MESSAGE_SUPPRESSED)


def test_the_birthday_letter_goes_by_post_to_customers_who_agreed_to_post():
    care_steps(BIRTHDAY_LETTER)
    CustomerFactory(
        name="Post only",
        birthday=dt.date(1970, 9, 20),
        consent_post_at=at(dt.date(2020, 1, 1)),
        address_line1="Calle Mayor 1",
        city="Madrid",
        postal_code="28013",
    )
    CustomerFactory(name="No post", birthday=dt.date(1970, 9, 20), consent_email_at=at(dt.date(2020, 1, 1)))

    sweep_on(dt.date(2025, 9, 17))  # three days ahead, for the post

    message = Message.objects.get()
    assert (message.channel, message.customer.name, message.status) == ("letter", "Post only", MessageStatus.QUEUED)
    assert "Calle Mayor 1" in message.recipient


def test_a_touch_is_acted_on_once_however_often_the_sweep_runs(gift_receiver):
    care_steps(BIRTHDAY_CARD, THANKS)
    customer = consenting("Twice", birthday=dt.date(1980, 2, 2))
    bought(customer, sold_on=dt.date(2025, 2, 1))

    for _ in range(3):
        sweep_on(dt.date(2025, 2, 2))
    sweep_on(dt.date(2025, 2, 3))  # still inside both catch-up windows

    assert Touch.objects.count() == 2
    assert Message.objects.count() == 2
    assert len(gift_receiver) == 1


def test_the_gift_fields_are_checked_and_named():
    playbook = services.playbook_create(actor=None, data={"name": "Gifts"})
    base = {
        "name": "Card",
        "trigger": "birthday",
        "action": "send_template",
        "template_code": "birthday_card",
        "channel": "email",
    }
    with pytest.raises(ValidationFailed) as refused:
        services.step_create(actor=None, playbook=playbook, data={**base, "gift_voucher_value": "-5", "gift_voucher_days": 0})
    assert {error.field for error in refused.value.errors} == {"gift_voucher_value", "gift_voucher_days"}
    with pytest.raises(ValidationFailed) as refused:
        services.step_create(
            actor=None,
            playbook=playbook,
            data={
                **base,
                "action": "visit_task",
                "template_code": "",
                "channel": "",
                "assign_to": "selling_rep",
                "gift_voucher_value": "5",
            },
        )
    assert [error.field for error in refused.value.errors] == ["gift_voucher_value"]
    step = services.step_create(
        actor=None, playbook=playbook, data={**base, "gift_voucher_value": "15.5", "gift_voucher_days": 30}
    )
    assert (step.gift_voucher_value, step.gift_voucher_days) == (Decimal("15.50"), 30)


def test_the_step_editor_shows_the_gift_fields_and_names_a_refused_one(signed_in, manager):
    from django.urls import reverse

    from tests.followup.test_console import step_form

    playbook = Playbook.objects.get(name=CARE)
    client = signed_in(manager)
    card = {
        "action": "send_template",
        "template_code": "birthday_card",
        "channel": "email",
        "assign_to": "",
        "trigger": "birthday",
    }

    page = client.get(reverse("console:followup_step_new", args=[playbook.pk])).content.decode()
    assert 'name="gift_voucher_value"' in page and 'name="gift_voucher_days"' in page

    refused = client.post(
        reverse("console:followup_step_new", args=[playbook.pk]),
        step_form(name="Card with gift", gift_voucher_value="0", **card),
    )
    assert refused.status_code == 200
    assert "must be an amount above 0" in refused.content.decode()

    client.post(
        reverse("console:followup_step_new", args=[playbook.pk]),
        step_form(name="Card with gift", gift_voucher_value="25", gift_voucher_days="", **card),
    )
    added = PlaybookStep.objects.get(name="Card with gift")
    assert (added.gift_voucher_value, added.gift_voucher_days) == (Decimal("25.00"), 60)
