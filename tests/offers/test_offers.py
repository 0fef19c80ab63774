"""Special offers: audience, preview, sending through the outbox in batches, suppression, resumption, results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.customers.models import Segment
from aftersales.messaging.models import Message, MessageStatus, Unsubscribe
from aftersales.offers.models import OfferCode, OfferRecipient, OfferStatus, RecipientStatus, Voucher, VoucherStatus
from aftersales.offers.selectors import offer_audience, offer_preview, offer_results, offers_current_for
from aftersales.offers.services import (
    offer_cancel,
    offer_create,
    offer_deliver,
    offer_send,
    offer_send_batch,
    offer_update,
    offers_resume,
    voucher_redeem,
)
from aftersales.warranty.models import ReturnRequest, ReturnStatus
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

pytestmark = pytest.mark.django_db


def offer_data(**overrides):
    data = {
        "title": "Spring service week",
        "title_es": "Semana del servicio de primavera",
        "body": "A free check-up with any repair.",
        "body_es": "Una revisión gratuita con cualquier reparación.",
        "valid_until": timezone.localdate() + dt.timedelta(days=20),
        "value_kind": "percent",
        "value": Decimal("10"),
    }
    data.update(overrides)
    return data


def consenting(**kwargs):
    return CustomerFactory(consent_email_at=timezone.now(), **kwargs)


def test_the_audience_is_every_condition_together():
    vip = Segment.objects.create(slug="vip", name="VIP")
    bikes = CategoryFactory(slug="bikes")
    ebikes = CategoryFactory(slug="ebikes", parent=bikes)
    target = CustomerFactory(language="es")
    target.segments.add(vip)
    SaleLineFactory(sale=SaleFactory(customer=target, total=Decimal("900")), product=ProductFactory(category=ebikes))
    poorer = CustomerFactory(language="es")
    poorer.segments.add(vip)
    SaleLineFactory(sale=SaleFactory(customer=poorer, total=Decimal("100")), product=ProductFactory(category=ebikes))
    english = CustomerFactory(language="en")
    english.segments.add(vip)
    SaleLineFactory(sale=SaleFactory(customer=english, total=Decimal("900")), product=ProductFactory(category=bikes))
    CustomerFactory(language="es")  # bought nothing, in no segment

    offer = offer_create(
        actor=None,
        data=offer_data(segments=[vip.pk], bought_categories=[bikes.pk], language="es", min_lifetime_spend=Decimal("500")),
    )

    assert list(offer_audience(offer)) == [target]


def test_money_refunded_is_not_spend_for_the_audience():
    kept, refunded = CustomerFactory(), CustomerFactory()
    for customer in (kept, refunded):
        UnitFactory(sale_line=SaleLineFactory(sale=SaleFactory(customer=customer, total=Decimal("900"))))
    unit = refunded.units.get()
    ReturnRequest.objects.create(
        unit=unit,
        customer=refunded,
        wish="return",
        condition="opened",
        requested_on=timezone.localdate(),
        status=ReturnStatus.REFUNDED,
        price=Decimal("900"),
        refund_amount=Decimal("600"),
    )
    offer = offer_create(actor=None, data=offer_data(min_lifetime_spend=Decimal("500")))

    # 900 paid and kept counts; 900 paid with 600 paid back is 300 spent
    assert list(offer_audience(offer)) == [kept]


def test_the_preview_counts_recipients_and_those_without_consent():
    consenting()
    consenting()
    CustomerFactory()  # no consent
    consenting(email="")  # no address
    offer = offer_create(actor=None, data=offer_data())

    preview = offer_preview(offer)

    assert (preview.recipients, preview.suppressed, preview.will_receive) == (4, 2, 2)


def test_sending_queues_one_marketing_message_and_one_voucher_per_consenting_recipient(
    manager, django_capture_on_commit_callbacks
):
    ana = consenting(language="es")
    ben = consenting()
    silent = CustomerFactory()
    gone = consenting()
    Unsubscribe.objects.create(customer=gone, channel="email")
    gone.consent_email_at = None
    gone.save()
    offer = offer_create(actor=manager, data=offer_data())

    with django_capture_on_commit_callbacks() as callbacks:
        offer = offer_send(actor=manager, offer=offer)
    assert offer.status == OfferStatus.SENDING and callbacks  # handed to a worker
    totals = offer_deliver(offer_id=offer.pk, batch_size=2)

    assert totals == {"queued": 2, "suppressed": 2}
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT and offer.sent_at
    message = Message.objects.get(idempotency_key=f"offer:{offer.pk}:{ana.pk}")
    voucher = Voucher.objects.get(customer=ana)
    assert message.purpose == "marketing" and message.status == MessageStatus.QUEUED
    assert message.subject == "Semana del servicio de primavera" and voucher.code in message.body
    assert voucher.offer == offer and voucher.max_uses == 1 and voucher.value_kind == "percent"
    assert Voucher.objects.filter(customer=ben).count() == 1
    assert not Voucher.objects.filter(customer__in=[silent, gone]).exists()
    reasons = dict(OfferRecipient.objects.filter(offer=offer).values_list("customer_id", "suppressed_reason"))
    assert reasons == {ana.pk: "", ben.pk: "", silent.pk: "no_consent", gone.pk: "unsubscribed"}
    assert TimelineEvent.objects.filter(kind="offer_sent").count() == 2


def test_a_shared_code_offer_carries_the_same_code_to_everyone():
    ana, ben = consenting(), consenting()
    offer = offer_send(actor=None, offer=offer_create(actor=None, data=offer_data(code_kind=OfferCode.SHARED)))
    offer_deliver(offer_id=offer.pk)

    code = offer.shared_voucher.code
    assert all(code in message.body for message in Message.objects.all())
    assert Voucher.objects.count() == 1
    voucher_redeem(actor=None, code=code, customer=ana, amount=Decimal("200"), idempotency_key="a")
    voucher_redeem(actor=None, code=code, customer=ben, amount=Decimal("50"), idempotency_key="b")
    results = offer_results(offer)
    assert (results.queued, results.suppressed, results.redeemed, results.discount) == (2, 0, 2, Decimal("25.00"))


def test_sending_resumes_where_it_stopped_without_sending_twice():
    customers = [consenting() for _ in range(5)]
    offer = offer_send(actor=None, offer=offer_create(actor=None, data=offer_data()))

    first = offer_send_batch(offer_id=offer.pk, batch_size=2)  # then the worker dies
    assert first == {"queued": 2, "suppressed": 0, "left": 2}
    rest = offer_deliver(offer_id=offer.pk, batch_size=2)

    assert rest == {"queued": 3, "suppressed": 0}
    assert Message.objects.count() == 5 and Voucher.objects.count() == 5
    assert set(OfferRecipient.objects.values_list("customer_id", flat=True)) == {c.pk for c in customers}
    assert offer_deliver(offer_id=offer.pk) == {"queued": 0, "suppressed": 0}


def test_the_sweep_hands_a_stalled_offer_back_to_the_workers(django_capture_on_commit_callbacks):
    consenting()
    offer = offer_send(actor=None, offer=offer_create(actor=None, data=offer_data()))
    type(offer).objects.filter(pk=offer.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=1), task_id="00000000-0000-0000-0000-000000000000"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert offers_resume() == 1


def test_sending_twice_starts_once_and_a_sent_offer_cannot_change():
    offer = offer_create(actor=None, data=offer_data())
    offer_send(actor=None, offer=offer)
    again = offer_send(actor=None, offer=offer)

    assert again.status == OfferStatus.SENDING
    with pytest.raises(Conflict):
        offer_update(actor=None, offer=offer, data=offer_data(title="Changed"))


def test_an_offer_names_every_bad_field():
    with pytest.raises(ValidationFailed) as caught:
        offer_create(
            actor=None,
            data={"title": "", "value_kind": "percent", "value": "300", "valid_until": "yesterday", "channel": "fax"},
        )

    fields = {error.field for error in caught.value.errors}
    assert {"title", "title_es", "body", "body_es", "value", "valid_until", "channel"} <= fields


def test_cancelling_an_offer_cancels_its_vouchers():
    ana = consenting()
    offer = offer_send(actor=None, offer=offer_create(actor=None, data=offer_data()))
    offer_deliver(offer_id=offer.pk)

    offer_cancel(actor=None, offer=offer, reason="Wrong price")

    assert Voucher.objects.get(customer=ana).status == VoucherStatus.CANCELLED
    assert offers_current_for(ana) == []


def test_a_customer_sees_the_current_offers_sent_to_them():
    ana, ben = consenting(), consenting()
    offer = offer_send(actor=None, offer=offer_create(actor=None, data=offer_data(language="en")))
    offer_deliver(offer_id=offer.pk)

    [(shown, voucher)] = offers_current_for(ana)
    assert shown == offer and voucher.customer == ana
    assert offers_current_for(CustomerFactory()) == []
    assert OfferRecipient.objects.get(customer=ben).status == RecipientStatus.QUEUED
