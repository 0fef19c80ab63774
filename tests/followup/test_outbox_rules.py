"""Touches obey the outbox's rules: consent, one-click unsubscribe, quiet hours in the customer's time zone, the cap."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from aftersales.followup import services
from aftersales.followup.models import Playbook, TouchResult, TouchStatus
from aftersales.followup.services import followup_sweep
from aftersales.messaging.models import Message, MessageStatus, SuppressedReason
from aftersales.messaging.services import unsubscribe_apply
from aftersales.messaging.signing import unsubscribe_token
from tests.factories import CustomerFactory
from tests.followup.helpers import BIRTHDAY, WARRANTY_OFFER, at, bought, only_steps, sweep_on, touches

pytestmark = pytest.mark.django_db


def results() -> list[tuple[str, str, str]]:
    return [(touch.step.name, touch.status, touch.detail) for touch in touches()]


def test_marketing_touches_need_consent_and_stop_after_one_click_unsubscribe():
    only_steps(BIRTHDAY)
    fan = CustomerFactory(birthday=dt.date(1980, 5, 10), consent_email_at=at(dt.date(2024, 1, 1)))
    CustomerFactory(birthday=dt.date(1980, 5, 10))  # never agreed to marketing email

    sweep_on(dt.date(2025, 5, 10))
    assert sorted(results()) == sorted(
        [(BIRTHDAY, TouchStatus.DONE, ""), (BIRTHDAY, TouchStatus.SKIPPED, SuppressedReason.NO_CONSENT)]
    )
    greeting = Message.objects.get(customer=fan, status=MessageStatus.QUEUED)
    assert "/u/" in greeting.body  # the one-click link travels with every marketing message

    unsubscribe_apply(token=unsubscribe_token(customer_id=fan.pk, channel="email"))
    sweep_on(dt.date(2026, 5, 10))
    latest = touches()[-2:]
    assert {(touch.customer, touch.result, touch.detail) for touch in latest if touch.customer == fan} == {
        (fan, TouchResult.MESSAGE_SUPPRESSED, SuppressedReason.UNSUBSCRIBED)
    }


def test_the_frequency_cap_holds_across_touches(settings):
    settings.MESSAGING_MARKETING_CAP = "1/30"
    only_steps(BIRTHDAY, WARRANTY_OFFER)
    customer = CustomerFactory(birthday=dt.date(1980, 12, 12), consent_email_at=at(dt.date(2024, 1, 1)))
    bought(customer, sold_on=dt.date(2024, 1, 9), delivered_on=dt.date(2024, 1, 10), warranty_months=24)

    sweep_on(dt.date(2025, 12, 10))  # the warranty offer, 30 days before 9 January 2026
    sweep_on(dt.date(2025, 12, 12))  # the birthday, two days later: over the cap of one a month

    assert results() == [
        (WARRANTY_OFFER, TouchStatus.DONE, ""),
        (BIRTHDAY, TouchStatus.SKIPPED, SuppressedReason.FREQUENCY_CAP),
    ]


def test_a_text_found_due_at_night_waits_for_the_end_of_the_customers_quiet_hours(
    settings, tmp_path, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.MESSAGING_QUIET_HOURS = "21-8"
    Playbook.objects.update(active=False)
    playbook = services.playbook_create(actor=None, data={"name": "Texts"})
    services.step_create(
        actor=None,
        playbook=playbook,
        data={
            "name": "Warranty text",
            "trigger": "warranty_end",
            "offset_days": -30,
            "action": "send_template",
            "template_code": "warranty_ending",
            "channel": "sms",
        },
    )
    # a customer in the Canary Islands, an hour behind Madrid
    customer = CustomerFactory(time_zone="Atlantic/Canary", consent_sms_at=at(dt.date(2024, 1, 1)))
    bought(customer, sold_on=dt.date(2024, 1, 9), delivered_on=dt.date(2024, 1, 10), warranty_months=24)

    with time_machine.travel(at(dt.date(2025, 12, 10), 0, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        followup_sweep()
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    # 08:00 in the Canaries is 09:00 in Madrid
    assert message.scheduled_for == at(dt.date(2025, 12, 10), 9)

    for hour in (8, 9):
        with (
            time_machine.travel(at(dt.date(2025, 12, 10), hour, 10), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("tick", only="messaging.retry_due")
        message.refresh_from_db()
        assert (message.status == MessageStatus.SENT) == (hour == 9)
    [sms] = [json.loads(path.read_text()) for path in (tmp_path / "sms").rglob("*.json")]
    assert sms["to"] == customer.phone
    assert not mail.outbox
