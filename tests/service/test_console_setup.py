"""Service desk setup screens: queues, routing rules, canned replies, macros and webhooks, for managers and admins."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.console.views.tickets_admin import CANNED_VARIABLES, SETUPS
from aftersales.core.models import Department
from aftersales.service.models import (
    CannedReply,
    DeliveryStatus,
    Macro,
    Queue,
    RoutingRule,
    WebhookDelivery,
    WebhookEndpoint,
)
from aftersales.service.services import canned_context
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("slug", list(SETUPS))
def test_agents_get_the_403_page_and_managers_the_list(slug, desk_agent, manager, admin_user):
    url = reverse("console:setup_list", args=[slug])

    assert signed_in(desk_agent).get(url).status_code == 403
    assert signed_in(desk_agent).post(reverse("console:setup_new", args=[slug]), {}).status_code == 403
    assert signed_in(manager).get(url).status_code == 200
    assert signed_in(admin_user).get(reverse("console:setup_new", args=[slug])).status_code == 200


def test_the_setup_entry_shows_in_the_navigation_for_managers_only(desk_agent, manager):
    assert "Service desk setup" in text_of(signed_in(manager).get(reverse("console:home")))
    assert "Service desk setup" not in text_of(signed_in(desk_agent).get(reverse("console:home")))


def test_a_manager_creates_a_queue_for_spanish_customers(manager):
    department = Department.objects.get(code="service")

    response = signed_in(manager).post(
        reverse("console:setup_new", args=["queues"]),
        {"name": "Spanish desk", "department": department.pk, "languages": ["es"], "assignment_mode": "least_loaded", "active": "on"},
    )

    queue = Queue.objects.get(name="Spanish desk")
    assert response.url == reverse("console:setup_edit", args=["queues", queue.pk])
    assert (queue.department, queue.languages, queue.assignment_mode, queue.active) == (department, ["es"], "least_loaded", True)


def test_a_duplicate_queue_name_is_refused_next_to_the_name(manager, desk):
    response = signed_in(manager).post(
        reverse("console:setup_new", args=["queues"]),
        {"name": desk.name.upper(), "department": desk.department_id, "assignment_mode": "manual"},
    )

    assert response.status_code == 400
    assert re.search(r'for="id_name".*?another queue has this name', text_of(response), re.S)


def test_a_queue_holding_tickets_cannot_be_deleted_and_says_why(manager):
    queue = Queue.objects.create(name="Busy", department=Department.objects.get(code="service"))
    ticket = open_ticket(CustomerFactory())
    ticket.queue = queue
    ticket.save()

    response = signed_in(manager).post(reverse("console:setup_delete", args=["queues", queue.pk]), follow=True)

    assert Queue.objects.filter(pk=queue.pk).exists()
    assert "The queue holds tickets; switch it off instead." in text_of(response)


def test_a_routing_rule_without_a_position_goes_last(manager, desk):
    RoutingRule.objects.create(name="First", position=10, queue=desk)

    signed_in(manager).post(
        reverse("console:setup_new", args=["rules"]),
        {"name": "Complaints", "kind": "complaint", "queue": desk.pk, "priority": "high", "active": "on"},
    )

    rule = RoutingRule.objects.get(name="Complaints")
    assert (rule.position, rule.kind, rule.priority, rule.category) == (20, "complaint", "high", None)


def test_a_canned_reply_that_does_not_compile_is_refused_next_to_its_text(manager):
    response = signed_in(manager).post(
        reverse("console:setup_new", args=["canned"]), {"title": "Broken", "body_en": "Hello {% if %}", "active": "on"}
    )

    assert response.status_code == 400
    assert re.search(r'for="id_body_en".*?role="alert"', text_of(response), re.S)
    assert not CannedReply.objects.exists()


def test_the_canned_reply_page_lists_every_variable_the_reply_can_use(manager):
    reply = CannedReply.objects.create(title="Hi", body_en="Hi {{ customer_first_name }}")
    ticket = open_ticket(CustomerFactory())

    page = text_of(signed_in(manager).get(reverse("console:setup_edit", args=["canned", reply.pk])))

    assert [name for name, _meaning in CANNED_VARIABLES] == list(canned_context(ticket=ticket))
    assert all(f"{{{{ {name} }}}}" in page for name, _meaning in CANNED_VARIABLES)


def test_a_macro_is_saved_with_its_tags_and_reply(manager):
    reply = CannedReply.objects.create(title="Solved", body_en="Solved!")

    signed_in(manager).post(
        reverse("console:setup_new", args=["macros"]),
        {"name": "Close as solved", "status": "resolved", "tags": "solved, auto", "canned_reply": reply.pk, "active": "on"},
    )

    macro = Macro.objects.get()
    assert (macro.status, macro.canned_reply) == ("resolved", reply)
    assert sorted(macro.tags.values_list("name", flat=True)) == ["auto", "solved"]


def test_a_webhook_secret_is_shown_once_when_created_and_never_again(admin_user):
    client = signed_in(admin_user)

    created = client.post(
        reverse("console:setup_new", args=["webhooks"]), {"url": "https://erp.example/hooks", "events": ["ticket.created"], "active": "on"}
    )
    endpoint = WebhookEndpoint.objects.get()
    later = client.get(reverse("console:setup_edit", args=["webhooks", endpoint.pk]))

    assert endpoint.secret in text_of(created)
    assert endpoint.secret not in text_of(later)
    assert endpoint.events == ["ticket.created"]


def test_the_webhook_page_shows_its_delivery_log_and_sends_a_failed_delivery_again(admin_user, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endpoint = WebhookEndpoint.objects.create(url="https://erp.example/hooks", secret="s")
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint, event="ticket.created", payload={}, status=DeliveryStatus.FAILED, attempts=8, response_status=500
    )
    client = signed_in(admin_user)

    page = text_of(client.get(reverse("console:setup_edit", args=["webhooks", endpoint.pk])))
    client.post(reverse("console:webhook_retry", args=[failed.pk]))

    assert "HTTP 500" in page and "Send again" in page
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)
