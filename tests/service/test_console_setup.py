"""Service desk setup screens: queues, routing rules, canned replies, macros and webhooks, for managers and admins."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from aftersales.console.views.tickets_admin import CANNED_VARIABLES, SETUPS
from aftersales.core.models import BusinessCalendar, Department
from aftersales.service.models import (
    CannedReply,
    DeliveryStatus,
    EscalationRule,
    Macro,
    Queue,
    RoutingRule,
    SlaPolicy,
    WebhookDelivery,
    WebhookEndpoint,
)
from aftersales.service.services import canned_context
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket, signed_in, text_of
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db


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
        {
            "name": "Spanish desk",
            "department": department.pk,
            "languages": ["es"],
            "assignment_mode": "least_loaded",
            "active": "on",
        },
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
        reverse("console:setup_new", args=["webhooks"]),
        {"url": "https://erp.example/hooks", "events": ["ticket.created"], "active": "on"},
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


# --- service levels -----------------------------------------------------------------------------


def test_a_manager_sets_a_policys_targets_in_working_hours(manager):
    response = signed_in(manager).post(
        reverse("console:setup_new", args=["sla"]),
        {
            "name": "VIP",
            "priority": "",
            "warn_percent": 75,
            "active": "on",
            "target_urgent_1_first_response": "0.5",
            "target_urgent_1_resolution": "8",
            "target_any_1_first_response": "4",
        },
    )

    policy = SlaPolicy.objects.get(name="VIP")
    assert response.url == reverse("console:setup_edit", args=["sla", policy.pk])
    assert sorted(policy.targets.values_list("priority", "tier", "first_response_minutes", "resolution_minutes")) == [
        ("", 1, 240, None),
        ("urgent", 1, 30, 480),
    ]
    page = text_of(signed_in(manager).get(response.url))
    assert 'name="target_urgent_1_resolution" value="8.0"' in page or 'name="target_urgent_1_resolution" value="8"' in page


def test_a_target_beyond_a_year_of_work_is_refused_next_to_its_cell(manager):
    response = signed_in(manager).post(
        reverse("console:setup_new", args=["sla"]),
        {"name": "Silly", "warn_percent": 80, "target_high_2_resolution": "5000"},
    )

    assert response.status_code == 400
    cell = text_of(response)
    cell = cell[cell.index('name="target_high_2_resolution"') :][:600]
    assert "must be a whole number from 1 to 124800" in cell
    assert not SlaPolicy.objects.filter(name="Silly").exists()


def test_a_calendar_gets_its_hours_and_closed_days_and_lists_the_years_holidays(manager):
    weekdays = {f"hours_{day}": "09:00-14:00, 15:00-18:00" for day in range(5)}

    with time_machine.travel(madrid("2025-05-05 10:00"), tick=False):
        response = signed_in(manager).post(
            reverse("console:setup_new", args=["calendars"]),
            {
                "name": "Madrid shop",
                "time_zone": "Europe/Madrid",
                "country": "ES",
                "subdivision": "MD",
                **weekdays,
                "closed_days": "2025-12-24 Christmas Eve",
            },
        )
        calendar = BusinessCalendar.objects.get(name="Madrid shop")
        page = text_of(signed_in(manager).get(response.url))

    assert calendar.hours.count() == 10
    assert list(calendar.closed_days.values_list("date", "name")) == [(dt.date(2025, 12, 24), "Christmas Eve")]
    assert 'datetime="2025-01-06"' in page  # Epiphany, a public holiday in Spain
    assert 'datetime="2025-12-24"' in page


def test_an_interval_that_ends_before_it_starts_is_refused_next_to_its_day(manager):
    response = signed_in(manager).post(
        reverse("console:setup_new", args=["calendars"]),
        {"name": "Night", "time_zone": "Europe/Madrid", "hours_2": "18:00-09:00"},
    )

    assert response.status_code == 400
    assert re.search(r'for="id_hours_2".*?must be after the start', text_of(response), re.S)


def test_an_escalation_rule_needs_something_to_do(manager):
    client = signed_in(manager)

    refused = client.post(reverse("console:setup_new", args=["escalation"]), {"name": "Nothing", "trigger": "breach"})
    client.post(
        reverse("console:setup_new", args=["escalation"]),
        {"name": "Tell the boss", "trigger": "breach", "metric": "first_response", "notify_managers": "on", "active": "on"},
    )

    assert refused.status_code == 400 and "choose at least one thing to do" in text_of(refused)
    rule = EscalationRule.objects.get(name="Tell the boss")
    assert (rule.name, rule.metric, rule.notify_managers, rule.tier) == ("Tell the boss", "first_response", True, None)
