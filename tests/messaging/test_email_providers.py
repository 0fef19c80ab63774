"""Email through a provider (django-anymail): provider ids, metadata, and the provider's signed reports."""

from __future__ import annotations

import base64
import importlib
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.urls import clear_url_caches

from aftersales.config import urls as site_urls
from aftersales.messaging.models import MessageStatus, Unsubscribe
from aftersales.messaging.services import message_deliver, message_enqueue

pytestmark = pytest.mark.django_db

AUTH = "HTTP_AUTHORIZATION"


@pytest.fixture
def provider(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}


def sent_email(customer, code="welcome"):
    message = message_enqueue(actor=None, customer=customer, template_code=code, channel="email", idempotency_key=code)
    assert message_deliver(message_id=message.pk, worker_id="w") == "sent"
    message.refresh_from_db()
    return message


def postmark(client, event, password="s3cret"):
    credentials = base64.b64encode(f"hook:{password}".encode()).decode()
    return client.post(
        "/anymail/postmark/tracking/", json.dumps(event), content_type="application/json", **{AUTH: f"Basic {credentials}"}
    )


def test_the_provider_gets_our_message_id_header_and_the_outbox_id_as_metadata(fan, provider):
    message = sent_email(fan)
    [email] = mail.outbox
    assert email.anymail_test_params["metadata"] == {"aftersales_message": str(message.pk)}
    assert email.extra_headers["Message-ID"].endswith("@shop.example>")
    assert message.provider_message_id == "0"  # the test provider's own id for the first email


@pytest.mark.urls("tests.messaging.urls_with_email_webhooks")
def test_a_delivery_report_marks_the_email_delivered(fan, provider, client):
    message = sent_email(fan)
    response = postmark(
        client,
        {
            "RecordType": "Delivery",
            "MessageID": "pm-1",
            "Recipient": fan.email,
            "Metadata": {"aftersales_message": str(message.pk)},
        },
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


@pytest.mark.urls("tests.messaging.urls_with_email_webhooks")
def test_a_hard_bounce_marks_the_email_bounced(fan, provider, client):
    message = sent_email(fan)
    postmark(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "MessageID": "pm-2",
            "Email": fan.email,
            "Description": "The server was unable to deliver your message",
            "Details": "550 5.1.1 user unknown",
            "Metadata": {"aftersales_message": str(message.pk)},
        },
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED
    assert "550 5.1.1 user unknown" in message.last_error


@pytest.mark.urls("tests.messaging.urls_with_email_webhooks")
def test_a_spam_complaint_withdraws_email_consent(fan, provider, client):
    message = sent_email(fan, code="birthday")
    postmark(
        client,
        {
            "RecordType": "SpamComplaint",
            "Type": "SpamComplaint",
            "MessageID": "x",
            "Email": fan.email,
            "Metadata": {"aftersales_message": str(message.pk)},
        },
    )
    fan.refresh_from_db()
    assert fan.consent_email_at is None
    assert Unsubscribe.objects.get(customer=fan).channel == "email"


@pytest.mark.urls("tests.messaging.urls_with_email_webhooks")
def test_reports_without_the_webhook_password_are_refused(fan, provider, client):
    message = sent_email(fan)
    response = postmark(
        client,
        {"RecordType": "Delivery", "MessageID": "pm-1", "Metadata": {"aftersales_message": str(message.pk)}},
        password="guess",
    )
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_without_a_webhook_secret_the_provider_webhooks_are_not_served(client, settings):
    # The URL map decides when it is loaded, as a server does at start-up.
    settings.ANYMAIL = {}
    importlib.reload(site_urls)
    clear_url_caches()
    assert client.post("/anymail/postmark/tracking/", "{}", content_type="application/json").status_code == 404


def test_reports_are_matched_by_provider_id_when_metadata_is_missing(fan, provider):
    message = sent_email(fan)
    event = AnymailTrackingEvent(event_type="bounced", message_id=message.provider_message_id, description="mailbox full")
    tracking.send(sender=object, event=event, esp_name="Test")
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED
    assert message.last_error == "Test: mailbox full"
