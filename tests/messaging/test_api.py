"""The outbox API: who may do what, templates, preview, the message log and enqueueing."""

from __future__ import annotations

import pytest

from aftersales.messaging.models import Message, MessageTemplate
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NEW_TEMPLATE = {
    "code": "repair_ready",
    "channel": "email",
    "language": "en",
    "subject": "Your {{ product }} is ready",
    "body": "Hello {{ customer.first_name }}, come and collect it.",
}


def test_anonymous_callers_get_401(api_as):
    client = api_as()
    assert client.get("/api/v1/messaging/messages").status_code == 401
    assert client.get("/api/v1/messaging/templates").status_code == 401
    assert client.post("/api/v1/messaging/templates", NEW_TEMPLATE).status_code == 401


def test_roles_without_the_permission_get_403(api_as, technician, agent, customer, portal_as):
    assert api_as(technician).get("/api/v1/messaging/messages").status_code == 403
    assert api_as(technician).get("/api/v1/messaging/templates").status_code == 403
    assert api_as(agent).get("/api/v1/messaging/templates").status_code == 200
    assert api_as(agent).post("/api/v1/messaging/templates", NEW_TEMPLATE).status_code == 403
    assert portal_as(customer).get("/api/v1/messaging/messages").status_code == 403
    assert not MessageTemplate.objects.filter(code="repair_ready").exists()


def test_a_manager_creates_edits_and_deletes_a_template(api_as, manager):
    client = api_as(manager)
    created = client.post("/api/v1/messaging/templates", NEW_TEMPLATE)
    assert created.status_code == 201, created.content
    template_id = created.json()["id"]
    assert created.json()["version"] == 1
    changed = client.patch(f"/api/v1/messaging/templates/{template_id}", {"subject": "Ready: {{ product }}"})
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert changed.json()["updated_by"] == str(manager)
    listed = client.get("/api/v1/messaging/templates", {"code": "repair_ready"}).json()
    assert [item["subject"] for item in listed["items"]] == ["Ready: {{ product }}"]
    assert client.delete(f"/api/v1/messaging/templates/{template_id}").status_code == 204
    assert client.get(f"/api/v1/messaging/templates/{template_id}").status_code == 404


def test_template_errors_name_the_field(api_as, admin_user):
    client = api_as(admin_user)
    response = client.post("/api/v1/messaging/templates", {**NEW_TEMPLATE, "body": "{% include 'secrets.txt' %}"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    duplicate = client.post("/api/v1/messaging/templates", {**NEW_TEMPLATE, "code": "welcome"})
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"][0]["code"] == "duplicate"
    assert (
        client.post("/api/v1/messaging/templates", {**NEW_TEMPLATE, "channel": "pigeon"}).json()["errors"][0]["field"]
        == "channel"
    )


def test_preview_renders_for_a_sample_or_a_chosen_customer(api_as, agent, unit):
    client = api_as(agent)
    sample = client.post(
        "/api/v1/messaging/templates/preview",
        {"subject": "Hola {{ customer.first_name }}", "body": "Garantía hasta {{ warranty_end|date }}", "language": "es"},
    )
    assert sample.status_code == 200, sample.content
    assert sample.json()["subject"] == "Hola Ana"
    assert " de " in sample.json()["body"]
    chosen = client.post(
        "/api/v1/messaging/templates/preview",
        {"body": "{{ customer.name }} {{ unit.serial }}", "purpose": "marketing", "customer_id": unit.customer_id},
    )
    assert chosen.json()["body"].startswith(f"{unit.customer.name} {unit.serial}\n")
    assert "Unsubscribe: " in chosen.json()["body"]
    assert client.post("/api/v1/messaging/templates/preview", {"body": "x", "customer_id": 999999}).status_code == 404


def test_enqueue_is_idempotent_per_key(api_as, agent, customer):
    client = api_as(agent)
    body = {"customer_id": customer.pk, "template_code": "welcome", "channel": "email"}
    first = client.post("/api/v1/messaging/messages", body, HTTP_IDEMPOTENCY_KEY="order-77")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/messaging/messages", body, HTTP_IDEMPOTENCY_KEY="order-77")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1
    assert [event["status"] for event in first.json()["events"]] == ["queued"]
    other = {**body, "template_code": "usage_tips"}
    assert client.post("/api/v1/messaging/messages", other, HTTP_IDEMPOTENCY_KEY="order-77").status_code == 409


def test_enqueue_needs_the_key_and_valid_input(api_as, agent, customer, technician):
    client = api_as(agent)
    body = {"customer_id": customer.pk, "template_code": "welcome", "channel": "email"}
    missing = client.post("/api/v1/messaging/messages", body)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "Idempotency-Key"
    wrong = client.post("/api/v1/messaging/messages", {**body, "channel": "fax"}, HTTP_IDEMPOTENCY_KEY="k")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "channel"
    nobody = client.post("/api/v1/messaging/messages", {**body, "customer_id": 999999}, HTTP_IDEMPOTENCY_KEY="k2")
    assert nobody.status_code == 404
    call = {**body, "template_code": "courtesy_call", "channel": "call", "assignee_id": customer.pk + 10_000}
    assert (
        client.post("/api/v1/messaging/messages", call, HTTP_IDEMPOTENCY_KEY="k3").json()["errors"][0]["field"] == "assignee_id"
    )
    assert api_as(technician).post("/api/v1/messaging/messages", body, HTTP_IDEMPOTENCY_KEY="k4").status_code == 403
    assert Message.objects.count() == 0


def test_the_log_filters_by_customer_status_channel_and_assignee(api_as, agent, rep):
    client = api_as(agent)
    ana, bob = CustomerFactory(), CustomerFactory(email="")
    for customer, code, channel in [(ana, "welcome", "email"), (bob, "welcome", "email"), (ana, "courtesy_call", "call")]:
        payload = {"customer_id": customer.pk, "template_code": code, "channel": channel}
        if channel == "call":
            payload["assignee_id"] = rep.pk
        client.post("/api/v1/messaging/messages", payload, HTTP_IDEMPOTENCY_KEY=f"{customer.pk}-{code}")
    everything = client.get("/api/v1/messaging/messages").json()
    assert everything["count"] == 3
    assert client.get("/api/v1/messaging/messages", {"customer_id": ana.pk}).json()["count"] == 2
    suppressed = client.get("/api/v1/messaging/messages", {"status": "suppressed"}).json()["items"]
    assert [(item["customer_id"], item["suppressed_reason"]) for item in suppressed] == [(bob.pk, "no_address")]
    calls = client.get("/api/v1/messaging/messages", {"assignee_id": rep.pk, "channel": "call"}).json()["items"]
    assert [item["template_code"] for item in calls] == ["courtesy_call"]


def test_message_detail_has_its_events_and_unknown_ids_are_404(api_as, agent, customer):
    client = api_as(agent)
    created = client.post(
        "/api/v1/messaging/messages",
        {"customer_id": customer.pk, "template_code": "welcome", "channel": "email"},
        HTTP_IDEMPOTENCY_KEY="x",
    ).json()
    detail = client.get(f"/api/v1/messaging/messages/{created['id']}")
    assert detail.status_code == 200
    assert detail.json()["body"].startswith("Hello ")
    assert detail.json()["events"][0]["actor"] == str(agent)
    assert client.get("/api/v1/messaging/messages/999999").status_code == 404
