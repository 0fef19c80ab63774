"""The customer's communication preferences in the portal: consent per channel, language, unsubscribing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from aftersales.customers.services import customer_portal_user
from aftersales.messaging.models import MessageStatus, SuppressedReason, Unsubscribe
from aftersales.messaging.services import message_enqueue
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def ana(db):
    agreed = MONDAY - dt.timedelta(days=400)
    return CustomerFactory(name="Ana Ruiz", email="ana@example.es", language="es", consent_email_at=agreed)


@pytest.fixture
def tom(db):
    return CustomerFactory(name="Tom Hughes", email="tom@example.co.uk", language="en")


def signed_in(client, customer):
    client.force_login(customer_portal_user(customer=customer))
    return client


def save(client, *, consents, language):
    return client.post(reverse("portal:preferences"), {"consents": consents, "language": language}, follow=True)


def test_the_page_shows_each_channel_with_the_day_it_was_agreed(client, ana):
    page = signed_in(client, ana).get(reverse("portal:preferences")).content.decode()

    assert "Preferencias de comunicación" in page  # Ana reads Spanish
    assert 'id="consent-email" checked' in page
    assert 'id="consent-sms">' in page
    assert "Aceptado el 4 de febrero de 2024" in page


@time_machine.travel(MONDAY, tick=False)
def test_ticking_channels_records_today_and_unticking_clears_them(client, tom):
    signed_in(client, tom)

    save(client, consents=["sms", "post"], language="en")
    tom.refresh_from_db()
    assert (tom.consent_sms_at, tom.consent_post_at) == (MONDAY, MONDAY)
    assert tom.consent_email_at is None and tom.consent_phone_at is None

    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        page = save(client, consents=["sms", "email"], language="en").content.decode()
    tom.refresh_from_db()
    assert tom.consent_sms_at == MONDAY  # already agreed: keeps its day
    assert tom.consent_email_at == MONDAY + dt.timedelta(days=3)
    assert tom.consent_post_at is None
    assert "Your preferences were saved." in page
    changes = list(tom.timeline_events.filter(kind="consent_changed").order_by("pk").values_list("data", "actor"))
    assert [data for data, _actor in changes] == [
        {"channel": "sms", "state": "given"},
        {"channel": "post", "state": "given"},
        {"channel": "email", "state": "given"},
        {"channel": "post", "state": "withdrawn"},
    ]
    assert {actor for _data, actor in changes} == {tom.user_id}


def test_changing_the_language_changes_the_portal_and_the_account(client, ana):
    signed_in(client, ana)

    save(client, consents=["email"], language="en")
    response = client.get(reverse("portal:products"), HTTP_ACCEPT_LANGUAGE="es")

    ana.refresh_from_db()
    assert (ana.language, ana.user.language) == ("en", "en")
    assert response["Content-Language"] == "en"
    event = ana.timeline_events.get(kind="language_changed")
    assert (event.data, event.actor) == ({"language": "en"}, ana.user)
    assert not ana.timeline_events.filter(kind="consent_changed").exists()  # email stayed as it was


def test_an_unknown_language_or_channel_is_refused_next_to_its_field_and_nothing_changes(client, ana):
    signed_in(client, ana)

    response = client.post(reverse("portal:preferences"), {"consents": ["email", "pigeon"], "language": "fr"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="error" role="alert"') == 2
    assert "Escoja una opción válida" in page  # Django's own Spanish: Ana reads Spanish
    ana.refresh_from_db()
    assert ana.language == "es" and ana.consent_email_at is not None
    assert not ana.timeline_events.exists()


def test_a_customer_changes_only_their_own_preferences(client, ana, tom):
    signed_in(client, tom)

    save(client, consents=["sms"], language="es")

    ana.refresh_from_db()
    tom.refresh_from_db()
    assert ana.consent_sms_at is None and ana.consent_email_at is not None
    assert tom.consent_sms_at is not None and tom.language == "es"


def test_staff_cannot_use_the_preferences_page(client, agent, ana):
    client.force_login(agent)

    assert client.get(reverse("portal:preferences")).status_code == 403
    assert client.post(reverse("portal:unsubscribe")).status_code == 403
    assert client.post(reverse("portal:preferences"), {"consents": [], "language": "en"}).status_code == 403
    ana.refresh_from_db()
    assert ana.consent_email_at is not None


def test_a_change_without_the_csrf_token_is_refused(ana):
    client = signed_in(Client(enforce_csrf_checks=True), ana)

    assert client.post(reverse("portal:preferences"), {"consents": [], "language": "en"}).status_code == 403
    assert client.post(reverse("portal:unsubscribe")).status_code == 403
    ana.refresh_from_db()
    assert ana.consent_email_at is not None and not Unsubscribe.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_unsubscribing_stops_marketing_on_every_channel_but_not_service_messages(client, tom):
    tom.consent_email_at = tom.consent_sms_at = MONDAY - dt.timedelta(days=30)
    tom.save()
    signed_in(client, tom)

    page = client.post(reverse("portal:unsubscribe"), follow=True).content.decode()

    tom.refresh_from_db()
    assert [tom.has_consent(channel) for channel in ("email", "sms", "phone", "post")] == [False] * 4
    opted_out = Unsubscribe.objects.filter(customer=tom).values_list("channel", flat=True)
    assert sorted(opted_out) == ["call", "email", "letter", "sms"]
    assert "You will no longer receive marketing from us." in page
    assert page.count("Unsubscribed on March 10, 2025") == 4
    assert tom.timeline_events.filter(kind="marketing_unsubscribed").count() == 1
    assert tom.timeline_events.filter(kind="consent_changed", data__state="withdrawn").count() == 2
    offer = message_enqueue(actor=None, customer=tom, template_code="birthday", channel="email", idempotency_key="b:1")
    service = message_enqueue(actor=None, customer=tom, template_code="welcome", channel="email", idempotency_key="w:1")
    assert (offer.status, offer.suppressed_reason) == (MessageStatus.SUPPRESSED, SuppressedReason.UNSUBSCRIBED)
    assert service.status == MessageStatus.QUEUED


def test_unsubscribing_twice_records_nothing_more_and_agreeing_again_is_possible(client, tom):
    signed_in(client, tom)
    client.post(reverse("portal:unsubscribe"))
    client.post(reverse("portal:unsubscribe"))
    assert Unsubscribe.objects.filter(customer=tom).count() == 4
    assert tom.timeline_events.filter(kind="marketing_unsubscribed").count() == 1

    page = save(client, consents=["email"], language="en").content.decode()

    tom.refresh_from_db()
    assert tom.has_consent("email")
    assert 'id="consent-email" checked' in page
    assert page.count("Unsubscribed on") == 3
