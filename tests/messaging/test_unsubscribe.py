"""One-click unsubscribe links: signed, bilingual, safe against link scanners, honoured afterwards."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.core.models import TimelineEvent
from aftersales.messaging.models import MessageStatus, SuppressedReason, Unsubscribe
from aftersales.messaging.services import message_enqueue
from aftersales.messaging.signing import unsubscribe_token, unsubscribe_url

pytestmark = pytest.mark.django_db


def link_path(customer, channel="email"):
    return f"/u/{unsubscribe_token(customer_id=customer.pk, channel=channel)}/"


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(fan, client):
    response = client.get(link_path(fan))
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    fan.refresh_from_db()
    assert fan.consent_email_at is not None
    assert not Unsubscribe.objects.exists()


def test_the_page_speaks_the_customers_language(fan, client):
    fan.language = "es"
    fan.save()
    response = client.get(link_path(fan), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "es"
    assert b'<html lang="es">' in response.content


def test_one_click_withdraws_marketing_consent_for_that_channel_only(fan):
    client = Client(enforce_csrf_checks=True)  # a mail client's RFC 8058 POST has no CSRF token
    response = client.post(
        link_path(fan, "sms"), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    fan.refresh_from_db()
    assert fan.consent_sms_at is None
    assert fan.consent_email_at is not None
    assert Unsubscribe.objects.get().channel == "sms"
    consent_event = TimelineEvent.objects.get(customer=fan, kind="consent_changed")
    assert consent_event.data["channel"] == "sms"
    # clicking again changes nothing more
    assert client.post(link_path(fan, "sms")).status_code == 200
    assert Unsubscribe.objects.count() == 1


def test_after_unsubscribing_marketing_is_suppressed_but_service_messages_still_go(fan, client):
    client.post(link_path(fan, "email"))
    birthday = message_enqueue(actor=None, customer=fan, template_code="birthday", channel="email", idempotency_key="b")
    welcome = message_enqueue(actor=None, customer=fan, template_code="welcome", channel="email", idempotency_key="w")
    assert (birthday.status, birthday.suppressed_reason) == (MessageStatus.SUPPRESSED, SuppressedReason.UNSUBSCRIBED)
    assert welcome.status == MessageStatus.QUEUED


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2] + "xx", lambda t: t.replace(t.split(":")[0], "eyJjIjo5OTksImNoIjoiZW1haWwifQ"), lambda t: "nonsense"],
)
def test_a_tampered_link_is_refused(fan, client, mangle):
    token = unsubscribe_token(customer_id=fan.pk, channel="email")
    response = client.post(f"/u/{mangle(token)}/")
    assert response.status_code == 404
    fan.refresh_from_db()
    assert fan.consent_email_at is not None


def test_a_link_for_a_deleted_customer_is_refused(client, fan):
    path = link_path(fan)
    fan.delete()
    assert client.get(path).status_code == 404


def test_links_are_absolute_and_carry_the_site_address(fan, settings):
    settings.SITE_URL = "https://service.example.com"
    assert unsubscribe_url(customer_id=fan.pk, channel="email").startswith("https://service.example.com/u/")
