"""The generic HTTP SMS backend against a real gateway on 127.0.0.1, and the signed delivery-report webhook."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from aftersales.messaging.backends import HttpSmsBackend, key_digest
from aftersales.messaging.models import Message, MessageStatus
from aftersales.messaging.services import message_deliver, message_enqueue
from tests.messaging.helpers import SmsGateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings):
    with SmsGateway() as running:
        settings.MESSAGING_SMS_BACKEND = "aftersales.messaging.backends.HttpSmsBackend"
        settings.SMS_HTTP_URL = running.url
        settings.SMS_HTTP_TOKEN = "gw-token"
        settings.SMS_HTTP_SENDER = "ACME"
        yield running


def queue_sms(customer, key="sms-1"):
    return message_enqueue(actor=None, customer=customer, template_code="warranty_ending", channel="sms", idempotency_key=key)


def test_a_text_is_posted_as_json_with_the_token_and_an_idempotency_key(fan, gateway):
    gateway.answer = {"id": "gw-981"}
    message = queue_sms(fan)
    assert message_deliver(message_id=message.pk, worker_id="w") == "sent"
    [request] = gateway.requests
    assert request["headers"]["Authorization"] == "Bearer gw-token"
    assert request["headers"]["Idempotency-Key"] == key_digest("sms-1")
    assert request["body"]["to"] == fan.phone
    assert request["body"]["from"] == "ACME"
    assert request["body"]["body"] == message.body
    message.refresh_from_db()
    assert message.provider_message_id == "gw-981"


def test_a_gateway_error_is_retried_later(fan, gateway):
    gateway.status, gateway.answer = 503, {"error": "busy"}
    message = queue_sms(fan)
    assert message_deliver(message_id=message.pk, worker_id="w") == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.next_attempt_at
    assert "503" in message.last_error


def test_a_refused_number_fails_for_good(fan, gateway):
    gateway.status, gateway.answer = 400, {"error": "invalid number"}
    message = queue_sms(fan)
    assert message_deliver(message_id=message.pk, worker_id="w") == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "invalid number" in message.last_error


def test_a_silent_gateway_times_out_and_is_retried(fan, gateway, monkeypatch):
    monkeypatch.setattr(HttpSmsBackend, "timeout", 0.3)
    gateway.delay = 1.0
    message = queue_sms(fan)
    assert message_deliver(message_id=message.pk, worker_id="w") == "retry"


def test_an_answer_without_an_id_is_retried(fan, gateway):
    gateway.answer = {"ok": True}
    message = queue_sms(fan)
    assert message_deliver(message_id=message.pk, worker_id="w") == "retry"


def report(client, body, secret="webhook-secret"):
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post("/api/v1/messaging/sms/delivery-reports", raw, content_type="application/json", HTTP_X_SIGNATURE=signature)


def test_signed_delivery_reports_mark_texts_delivered_or_bounced(fan, gateway, client):
    gateway.answer = {"message_id": "gw-5"}
    message = queue_sms(fan)
    message_deliver(message_id=message.pk, worker_id="w")
    response = report(client, {"message_id": "gw-5", "status": "DELIVERED"})
    assert response.status_code == 200, response.content
    assert response.json() == {"id": message.pk, "status": "delivered"}
    assert report(client, {"message_id": "gw-5", "status": "delivered"}).status_code == 200  # repeated: no change
    assert report(client, {"message_id": "gw-5", "status": "rejected", "detail": "handset off"}).json()["status"] == "bounced"
    assert Message.objects.get().last_error == "handset off"


def test_unsigned_or_wrongly_signed_reports_are_refused(fan, gateway, client):
    message = queue_sms(fan)
    message_deliver(message_id=message.pk, worker_id="w")
    assert report(client, {"message_id": "gw-1", "status": "delivered"}, secret="guess").status_code == 403
    raw = json.dumps({"message_id": "gw-1", "status": "delivered"})
    assert client.post("/api/v1/messaging/sms/delivery-reports", raw, content_type="application/json").status_code == 403
    assert Message.objects.get().status == MessageStatus.SENT


def test_reports_for_unknown_messages_or_statuses_are_rejected(fan, gateway, client):
    message = queue_sms(fan)
    message_deliver(message_id=message.pk, worker_id="w")
    assert report(client, {"message_id": "nope", "status": "delivered"}).status_code == 404
    response = report(client, {"message_id": "gw-1", "status": "exploded"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_without_a_webhook_secret_no_report_is_accepted(fan, gateway, client, settings):
    settings.SMS_WEBHOOK_SECRET = ""
    assert report(client, {"message_id": "gw-1", "status": "delivered"}, secret="").status_code == 403
