"""Console screens of the outbox: template editor with live preview, and the message log."""

from __future__ import annotations

import pytest

from aftersales.messaging.models import MessageTemplate
from aftersales.messaging.services import message_deliver, message_enqueue
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FORM = {
    "code": "repair_ready",
    "channel": "email",
    "language": "es",
    "purpose": "transactional",
    "description": "",
    "subject": "Tu {{ product }} está listo",
    "body": "Hola {{ customer.first_name }}, ya puedes recogerlo.",
}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/messages/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_roles_without_permission_are_refused(signed_in, technician):
    client = signed_in(technician)
    assert client.get("/messages/").status_code == 403
    assert client.get("/messages/templates/").status_code == 403
    assert client.post("/messages/templates/preview/", {"body": "x"}).status_code == 403
    assert b'href="/messages/"' not in client.get("/").content


def test_agents_read_templates_but_cannot_change_them(signed_in, agent):
    client = signed_in(agent)
    template = MessageTemplate.objects.get(code="welcome", channel="email", language="en")
    listing = client.get("/messages/templates/")
    assert listing.status_code == 200
    assert b"welcome" in listing.content
    page = client.get(f"/messages/templates/{template.pk}/")
    assert page.status_code == 200
    assert b"disabled" in page.content
    assert b">Save<" not in page.content
    assert client.post(f"/messages/templates/{template.pk}/", {**FORM, "code": "welcome"}).status_code == 403
    assert client.get("/messages/templates/new/").status_code == 403
    template.refresh_from_db()
    assert template.version == 1


def test_a_manager_creates_and_edits_a_template(signed_in, manager):
    client = signed_in(manager)
    created = client.post("/messages/templates/new/", FORM)
    template = MessageTemplate.objects.get(code="repair_ready")
    assert created.status_code == 302
    assert created["Location"] == f"/messages/templates/{template.pk}/"
    edited = client.post(f"/messages/templates/{template.pk}/", {**FORM, "subject": "¡Listo!"}, follow=True)
    assert "saved (version 2)" in edited.content.decode()
    template.refresh_from_db()
    assert (template.subject, template.version, template.updated_by) == ("¡Listo!", 2, manager)


def test_a_refused_template_shows_the_reason_next_to_the_field(signed_in, manager):
    client = signed_in(manager)
    response = client.post("/messages/templates/new/", {**FORM, "body": "{% include 'x.html' %}"})
    assert response.status_code == 200
    assert "Invalid block tag" in response.content.decode()
    assert b"field-invalid" in response.content
    assert not MessageTemplate.objects.filter(code="repair_ready").exists()


def test_the_editor_posts_to_the_live_preview_as_you_type(signed_in, manager):
    page = signed_in(manager).get("/messages/templates/new/").content.decode()
    assert 'hx-post="/messages/templates/preview/"' in page
    assert "keyup changed delay:400ms" in page


def test_the_preview_renders_for_a_sample_customer_in_the_chosen_language(signed_in, agent):
    response = signed_in(agent).post("/messages/templates/preview/", {**FORM, "channel": "email"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tu Lavadora WM-8000 está listo" in html
    assert "Hola Ana, ya puedes recogerlo." in html


def test_the_preview_renders_for_a_real_customer_and_reports_errors(signed_in, agent):
    client = signed_in(agent)
    customer = CustomerFactory(name="Marta Ruiz")
    for_marta = client.post("/messages/templates/preview/", {**FORM, "preview_customer": customer.pk}).content.decode()
    assert "Hola Marta" in for_marta
    broken = client.post("/messages/templates/preview/", {**FORM, "body": "{% if %}"}).content.decode()
    assert "alert-error" in broken and "body:" in broken
    nobody = client.post("/messages/templates/preview/", {**FORM, "preview_customer": 999999}).content.decode()
    assert "There is no customer number 999999." in nobody


def test_the_message_log_filters_and_shows_the_delivery_log(signed_in, agent):
    sent_to = CustomerFactory(name="Rosa Sent")
    skipped = CustomerFactory(name="Tom Noaddress", email="")
    sent = message_enqueue(actor=None, customer=sent_to, template_code="welcome", channel="email", idempotency_key="a")
    message_deliver(message_id=sent.pk, worker_id="w")
    message_enqueue(actor=None, customer=skipped, template_code="welcome", channel="email", idempotency_key="b")
    client = signed_in(agent)
    everything = client.get("/messages/").content.decode()
    assert "Rosa Sent" in everything and "Tom Noaddress" in everything
    suppressed = client.get("/messages/", {"status": "suppressed"}).content.decode()
    assert "Tom Noaddress" in suppressed and "Rosa Sent" not in suppressed
    detail = client.get(f"/messages/{sent.pk}/").content.decode()
    assert "Accepted by the provider" in detail
    assert sent.idempotency_key in detail
    assert client.get("/messages/999999/").status_code == 404
