"""Simultaneous enqueues on PostgreSQL: one message per key, and the cap holds under contention."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.messaging.models import Message, MessageStatus, SuppressedReason
from aftersales.messaging.services import message_enqueue, template_create
from tests.concurrency import at_once
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def customer(db):
    template_create(actor=None, data={"code": "promo", "channel": "email", "purpose": "marketing", "subject": "Hi", "body": "Hi"})
    return CustomerFactory(consent_email_at=timezone.now())


def test_eight_simultaneous_enqueues_with_one_key_make_one_message(customer):
    results = at_once(
        8,
        lambda _n: message_enqueue(actor=None, customer=customer, template_code="promo", channel="email", idempotency_key="same"),
    )
    assert all(isinstance(result, Message) for result in results), results
    assert {result.pk for result in results} == {Message.objects.get().pk}


def test_the_cap_holds_when_triggers_race(customer, settings):
    settings.MESSAGING_MARKETING_CAP = "3/30"
    results = at_once(
        8,
        lambda n: message_enqueue(actor=None, customer=customer, template_code="promo", channel="email", idempotency_key=f"k{n}"),
    )
    assert all(isinstance(result, Message) for result in results), results
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == 3
    assert Message.objects.filter(suppressed_reason=SuppressedReason.FREQUENCY_CAP).count() == 5
