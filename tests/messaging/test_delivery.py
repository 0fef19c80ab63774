"""Sending: leases, retries with backoff, headers, letters, SMS files, delivery reports, recovery sweeps."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.core.errors import Conflict
from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe
from aftersales.messaging.backends import email_message_id
from aftersales.messaging.models import Message, MessageStatus
from aftersales.messaging.services import (
    message_deliver,
    message_enqueue,
    message_mark_bounced,
    message_mark_delivered,
    messages_redispatch_due,
    template_create,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 5, 5, 10, 0, tzinfo=dt.UTC)


def enqueue(customer, code="welcome", channel="email", key="k1"):
    return message_enqueue(actor=None, customer=customer, template_code=code, channel=channel, idempotency_key=key)


def test_a_sent_email_carries_a_message_id_derived_from_its_key_and_no_unsubscribe_header(fan):
    message = enqueue(fan, key="welcome:7:sale-1")
    assert message_deliver(message_id=message.pk, worker_id="w") == "sent"
    [email] = mail.outbox
    message.refresh_from_db()
    assert email.extra_headers["Message-ID"] == email_message_id("welcome:7:sale-1")
    assert email.extra_headers["Message-ID"].endswith("@shop.example>")
    assert message.provider_message_id == email.extra_headers["Message-ID"]
    assert "List-Unsubscribe" not in email.extra_headers
    assert email.subject == message.subject
    assert email.body == message.body
    assert message.sent_at is not None and message.attempts == 1


def test_message_ids_are_stable_per_message_and_differ_between_messages():
    assert email_message_id("a:1:x") == email_message_id("a:1:x")
    assert email_message_id("a:1:x") != email_message_id("a:1:y")


def test_marketing_email_has_one_click_unsubscribe_headers(fan, client):
    message = enqueue(fan, code="birthday")
    message_deliver(message_id=message.pk, worker_id="w")
    [email] = mail.outbox
    header = email.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/u/" in header
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the header's link is a working one-click link
    path = header.strip("<>").split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{path}", data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    fan.refresh_from_db()
    assert fan.consent_email_at is None


def test_a_sent_message_appears_on_the_customer_timeline(fan):
    message = enqueue(fan)
    message_deliver(message_id=message.pk, worker_id="w")
    event = TimelineEvent.objects.get(customer=fan, kind="message_sent")
    assert event_describe(event) == f"Email “{message.subject}” sent to {fan.email}"


def test_a_failing_mail_server_is_retried_with_growing_waits_then_given_up(fan, settings):
    settings.EMAIL_BACKEND = "tests.messaging.helpers.BrokenMailServerBackend"
    with time_machine.travel(START, tick=False) as clock:
        message = enqueue(fan)
        waits = []
        for _attempt in range(5):
            outcome = message_deliver(message_id=message.pk, worker_id="w")
            message.refresh_from_db()
            if outcome == "failed":
                break
            assert outcome == "retry"
            assert message.status == MessageStatus.QUEUED
            waits.append(message.next_attempt_at - timezone.now())
            # not due yet: a task that runs early does nothing
            assert message_deliver(message_id=message.pk, worker_id="early") == "skipped"
            clock.move_to(message.next_attempt_at)
    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=4), dt.timedelta(minutes=16), dt.timedelta(minutes=64)]
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 5
    assert "Connection unexpectedly closed" in message.last_error
    assert TimelineEvent.objects.filter(customer=fan, kind="message_failed").count() == 1
    statuses = list(message.events.values_list("status", flat=True))
    assert statuses == ["queued"] + ["sending", "queued"] * 4 + ["sending", "failed"]


def test_a_refused_recipient_fails_at_once(fan, settings):
    settings.EMAIL_BACKEND = "tests.messaging.helpers.RefusingMailServerBackend"
    message = enqueue(fan)
    assert message_deliver(message_id=message.pk, worker_id="w") == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1


def test_a_message_claimed_by_a_live_worker_is_not_sent_twice(fan):
    message = enqueue(fan)
    # a worker holds the lease (it is sending right now)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_by="other", claimed_until=timezone.now() + dt.timedelta(minutes=5), attempts=1
    )
    assert message_deliver(message_id=message.pk, worker_id="w") == "skipped"
    assert mail.outbox == []


def test_a_message_left_sending_by_a_dead_worker_is_taken_over_after_its_lease(fan):
    with time_machine.travel(START, tick=False) as clock:
        message = enqueue(fan)
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENDING, claimed_by="dead", claimed_until=START + dt.timedelta(minutes=5), attempts=1
        )
        DBTaskResult.objects.all().delete()
        assert messages_redispatch_due() == {"failed": 0, "abandoned": 0, "requeued": 0}
        clock.move_to(START + dt.timedelta(minutes=6))
        with_sweep = messages_redispatch_due()
    assert with_sweep == {"failed": 0, "abandoned": 1, "requeued": 0}
    assert DBTaskResult.objects.count() == 0  # handed over only when the sweep's transaction commits
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        assert message_deliver(message_id=message.pk, worker_id="w") == "sent"
    message.refresh_from_db()
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_the_sweep_hands_over_messages_on_commit(fan, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as clock:
        message = enqueue(fan)
        DBTaskResult.objects.all().delete()  # as if the process died right after the commit
        clock.move_to(START + dt.timedelta(minutes=6))
        with django_capture_on_commit_callbacks(execute=True):
            assert messages_redispatch_due()["requeued"] == 1
        # handed over once: the next sweep waits for the lease time before trying again
        with django_capture_on_commit_callbacks(execute=True):
            assert messages_redispatch_due()["requeued"] == 0
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "aftersales.messaging.tasks.deliver_message"
    assert task.args_kwargs["args"] == [message.pk]


def test_a_dead_worker_on_the_last_attempt_leaves_a_failed_message(fan, settings):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    with time_machine.travel(START, tick=False) as clock:
        message = enqueue(fan)
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENDING, claimed_by="dead", claimed_until=START + dt.timedelta(minutes=5), attempts=2
        )
        clock.move_to(START + dt.timedelta(minutes=6))
        assert message_deliver(message_id=message.pk, worker_id="w") == "skipped"
        assert messages_redispatch_due()["failed"] == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "may or may not have been sent" in message.last_error


def test_letters_go_to_the_print_queue_as_escaped_html(fan, settings):
    fan.name = "Ana <b>García</b>"
    fan.save()
    template_create(
        actor=None,
        data={"code": "notice", "channel": "letter", "subject": "Your notice", "body": "Dear {{ customer.name }},\n\nAll good."},
    )
    message = enqueue(fan, code="notice", channel="letter")
    assert message_deliver(message_id=message.pk, worker_id="w") == "sent"
    [letter] = list(settings.LETTERS_PATH.glob("*/*.html"))
    html = letter.read_text()
    assert "Dear Ana &lt;b&gt;García&lt;/b&gt;," in html
    assert "Calle Mayor 1" in html
    assert "<b>" not in html


def test_the_sms_file_backend_writes_one_file_per_message_even_when_sent_twice(fan, settings):
    message = enqueue(fan, code="warranty_ending", channel="sms")
    assert message_deliver(message_id=message.pk, worker_id="w") == "sent"
    # a re-send of the same message (as after a lease take-over) lands in the same file
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.QUEUED)
    assert message_deliver(message_id=message.pk, worker_id="w2") == "sent"
    [written] = list(settings.SMS_FILE_PATH.glob("*.json"))
    record = json.loads(written.read_text())
    assert record["to"] == fan.phone
    assert "/u/" in record["body"]


def test_delivery_reports_move_a_sent_message_forward_once(fan):
    message = enqueue(fan)
    with pytest.raises(Conflict):
        message_mark_delivered(message=message)
    message_deliver(message_id=message.pk, worker_id="w")
    delivered = message_mark_delivered(message=message)
    assert delivered.status == MessageStatus.DELIVERED and delivered.delivered_at
    assert message_mark_delivered(message=message).delivered_at == delivered.delivered_at
    bounced = message_mark_bounced(message=message, detail="mailbox full")
    assert bounced.status == MessageStatus.BOUNCED
    assert TimelineEvent.objects.filter(customer=fan, kind="message_failed").count() == 1
    assert list(bounced.events.values_list("status", flat=True)) == ["queued", "sending", "sent", "delivered", "bounced"]
