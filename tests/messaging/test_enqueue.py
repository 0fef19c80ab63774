"""Putting messages in the outbox: idempotency, language, consent, caps, addresses, calls."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from aftersales.core.errors import ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.core.roles import Role
from aftersales.core.timeline import event_describe
from aftersales.customers.services import customer_set_consent
from aftersales.messaging.models import Message, MessageStatus, MessageTemplate, Purpose, SuppressedReason
from aftersales.messaging.services import message_deliver, message_enqueue, template_create
from tests.factories import CustomerFactory, SaleFactory, UnitFactory, staff

pytestmark = pytest.mark.django_db


def enqueue(customer, code="welcome", channel="email", key=None, **kwargs):
    return message_enqueue(
        actor=None,
        customer=customer,
        template_code=code,
        channel=channel,
        idempotency_key=key or f"{code}:{customer.pk}:{channel}",
        **kwargs,
    )


def test_the_same_key_twice_makes_one_message_and_one_send(fan, immediate_tasks, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(fan, key="welcome:42:first-sale")
    with django_capture_on_commit_callbacks(execute=True):
        second = enqueue(fan, key="welcome:42:first-sale")
    # then
    assert second.pk == first.pk
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [fan.email]
    first.refresh_from_db()
    assert first.status == MessageStatus.SENT
    # delivering again (a duplicate task) sends nothing more
    assert message_deliver(message_id=first.pk, worker_id="late-worker") == "skipped"
    assert len(mail.outbox) == 1


def test_a_spanish_customer_gets_the_spanish_template(db):
    customer = CustomerFactory(name="Lucía Fernández", language="es")
    message = enqueue(customer)
    assert message.language == "es"
    assert message.subject == "Le damos la bienvenida, Lucía"
    assert "Gracias por confiar en nosotros" in message.body


def test_without_a_template_in_the_customer_language_english_is_used(db, manager):
    template_create(
        actor=manager, data={"code": "recall", "channel": "email", "subject": "Recall", "body": "Hi {{ customer.first_name }}"}
    )
    customer = CustomerFactory(name="Lucía Fernández", language="es")
    message = enqueue(customer, code="recall")
    assert message.language == "en"
    assert message.body == "Hi Lucía\n"


def test_marketing_without_consent_is_suppressed_and_on_the_timeline(db):
    customer = CustomerFactory(consent_email_at=None)
    message = enqueue(customer, code="birthday")
    assert message.status == MessageStatus.SUPPRESSED
    assert message.suppressed_reason == SuppressedReason.NO_CONSENT
    assert message.events.get().status == MessageStatus.SUPPRESSED
    event = TimelineEvent.objects.get(customer=customer, kind="message_suppressed")
    assert "no consent" in event_describe(event)


def test_transactional_messages_go_without_marketing_consent(db):
    customer = CustomerFactory(consent_email_at=None)
    message = enqueue(customer, code="welcome")
    assert message.status == MessageStatus.QUEUED
    assert message.purpose == Purpose.TRANSACTIONAL


def test_marketing_with_consent_is_queued_with_an_unsubscribe_link(fan):
    message = enqueue(fan, code="birthday")
    assert message.status == MessageStatus.QUEUED
    assert "/u/" in message.body


def test_a_marketing_template_cannot_be_sent_as_transactional(db):
    customer = CustomerFactory(consent_email_at=None)
    message = enqueue(customer, code="birthday", purpose=Purpose.TRANSACTIONAL)
    assert message.purpose == Purpose.MARKETING
    assert message.status == MessageStatus.SUPPRESSED


def test_a_message_without_an_address_is_suppressed(db):
    customer = CustomerFactory(email="")
    message = enqueue(customer, code="welcome")
    assert (message.status, message.suppressed_reason) == (MessageStatus.SUPPRESSED, SuppressedReason.NO_ADDRESS)


def test_a_letter_needs_a_postal_address(fan):
    no_address = CustomerFactory(consent_post_at=timezone.now())
    template_create(
        actor=None, data={"code": "notice", "channel": "letter", "subject": "Notice", "body": "Dear {{ customer.name }}"}
    )
    assert enqueue(no_address, code="notice", channel="letter").suppressed_reason == SuppressedReason.NO_ADDRESS
    letter = enqueue(fan, code="notice", channel="letter")
    assert letter.status == MessageStatus.QUEUED
    assert "Calle Mayor 1" in letter.recipient


def test_the_frequency_cap_suppresses_marketing_over_the_limit_until_the_period_passes(fan, settings):
    settings.MESSAGING_MARKETING_CAP = "2/30"
    with time_machine.travel(dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC), tick=False):
        first = enqueue(fan, code="birthday", key="b1")
        second = enqueue(fan, code="warranty_ending", channel="sms", key="w1")
        third = enqueue(fan, code="birthday", key="b2")
        transactional = enqueue(fan, code="welcome", key="t1")
    assert [first.status, second.status] == [MessageStatus.QUEUED, MessageStatus.QUEUED]
    assert (third.status, third.suppressed_reason) == (MessageStatus.SUPPRESSED, SuppressedReason.FREQUENCY_CAP)
    assert transactional.status == MessageStatus.QUEUED  # the cap is for marketing only
    with time_machine.travel(dt.datetime(2025, 5, 31, 11, tzinfo=dt.UTC), tick=False):
        assert enqueue(fan, code="birthday", key="b3").suppressed_reason == SuppressedReason.FREQUENCY_CAP
    with time_machine.travel(dt.datetime(2025, 6, 1, 13, tzinfo=dt.UTC), tick=False):
        assert enqueue(fan, code="birthday", key="b4").status == MessageStatus.QUEUED


def test_suppressed_messages_do_not_count_toward_the_cap(db, settings):
    settings.MESSAGING_MARKETING_CAP = "1/30"
    customer = CustomerFactory(consent_email_at=timezone.now(), consent_sms_at=None)
    assert enqueue(customer, code="warranty_ending", channel="sms", key="s").status == MessageStatus.SUPPRESSED
    assert enqueue(customer, code="birthday", key="e").status == MessageStatus.QUEUED


def test_consent_withdrawn_while_queued_stops_the_send(fan):
    message = enqueue(fan, code="birthday")
    customer_set_consent(actor=None, customer=fan, channel="email", given=False)
    assert message_deliver(message_id=message.pk, worker_id="w") == "suppressed"
    message.refresh_from_db()
    assert (message.status, message.suppressed_reason) == (MessageStatus.SUPPRESSED, SuppressedReason.NO_CONSENT)
    assert mail.outbox == []


def test_template_variables_come_from_the_customer_and_unit(db):
    unit = UnitFactory(serial="SN-777", delivered_at=dt.datetime(2025, 1, 10, 10, tzinfo=dt.UTC))
    unit.product.name = "Dishwasher D5"
    unit.product.save()
    unit.customer.consent_email_at = timezone.now()
    unit.customer.save()
    message = enqueue(unit.customer, code="warranty_ending", unit=unit)
    assert message.subject == "The warranty of your Dishwasher D5 ends on Jan. 9, 2027"
    assert "(serial SN-777)" in message.body


def test_the_context_may_only_hold_plain_data(fan):
    with pytest.raises(ValidationFailed) as refused:
        enqueue(fan, context={"link": fan})
    assert refused.value.errors[0].field == "context.link"
    assert Message.objects.count() == 0


def test_a_unit_of_another_customer_is_refused(fan):
    with pytest.raises(ValidationFailed) as refused:
        enqueue(fan, unit=UnitFactory())
    assert refused.value.errors[0].field == "unit"


def test_an_unknown_template_is_refused_by_name(fan):
    with pytest.raises(ValidationFailed) as refused:
        enqueue(fan, code="no_such_thing")
    assert refused.value.errors[0].field == "template_code"
    assert "no_such_thing" in refused.value.errors[0].reason


def test_a_call_lands_as_a_task_for_the_customers_sales_rep(fan):
    rep = staff(Role.SALES_REP)
    SaleFactory(customer=fan, sales_rep=rep)
    message = enqueue(fan, code="courtesy_call", channel="call")
    assert message.status == MessageStatus.QUEUED
    assert message.assignee == rep
    assert message.recipient == fan.phone
    assert message.subject == f"Courtesy call to {fan.name}"
    # no worker ever "sends" a call: it waits for the person
    assert message_deliver(message_id=message.pk, worker_id="w") == "skipped"
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED


def test_template_edits_raise_the_version_and_leave_queued_messages_alone(fan, manager):
    from aftersales.messaging.services import template_update

    message = enqueue(fan, code="welcome")
    template = MessageTemplate.objects.get(code="welcome", channel="email", language="en")
    updated = template_update(actor=manager, template=template, data={"subject": "Hello {{ customer.name }}"})
    assert updated.version == 2
    assert updated.updated_by == manager
    message.refresh_from_db()
    assert message.subject.startswith("Welcome")
    assert message.template_version == 1


def test_a_later_send_time_is_kept_and_must_be_aware(fan):
    later = timezone.now() + dt.timedelta(days=2)
    assert enqueue(fan, key="later", send_after=later).scheduled_for == later
    with pytest.raises(ValidationFailed) as refused:
        enqueue(fan, key="naive", send_after=dt.datetime(2030, 1, 1, 9, 0))
    assert refused.value.errors[0].field == "send_after"


def test_a_suppressed_message_about_a_unit_stays_off_the_units_history(db):
    unit = UnitFactory()  # its customer gave no marketing consent
    message = enqueue(unit.customer, code="warranty_ending", unit=unit)
    assert message.status == MessageStatus.SUPPRESSED
    event = TimelineEvent.objects.get(kind="message_suppressed")
    assert event.customer_id == unit.customer_id
    assert event.unit_id is None
    assert event.data["unit_id"] == unit.pk
