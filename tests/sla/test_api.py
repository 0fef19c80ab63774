"""The service-level API: calendars, policies, escalation rules and a ticket's clocks; who may do what."""

from __future__ import annotations

import time_machine

from aftersales.core.models import BusinessCalendar
from aftersales.service.models import EscalationRule, SlaClock, SlaPolicy
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

SPLIT_SHIFT = [
    {"weekday": day, "starts_at": start, "ends_at": end}
    for day in range(5)
    for start, end in (("09:00", "13:00"), ("15:00", "18:00"))
]


def test_a_manager_creates_a_calendar_with_split_shifts_and_a_closed_day(api_as, manager):
    client = api_as(manager)

    created = client.post(
        "/api/v1/sla/calendars",
        {"name": "Madrid workshop", "time_zone": "Europe/Madrid", "country": "es", "subdivision": "MD", "hours": SPLIT_SHIFT},
    )
    assert created.status_code == 201, created.content
    calendar_id = created.json()["id"]
    assert created.json()["country"] == "ES"
    assert len(created.json()["hours"]) == 10

    closed = client.post(f"/api/v1/sla/calendars/{calendar_id}/closed-days", {"date": "2025-08-14", "name": "Summer closure"})
    assert closed.status_code == 201

    holidays = client.get(f"/api/v1/sla/calendars/{calendar_id}/holidays?year=2025").json()
    days = {(day["date"], day["source"]) for day in holidays}
    assert {("2025-05-02", "public"), ("2025-08-14", "company"), ("2025-08-15", "public")} <= days


def test_calendar_input_errors_name_the_field(api_as, manager):
    response = api_as(manager).post(
        "/api/v1/sla/calendars",
        {
            "name": "Office hours",
            "time_zone": "Europe/Atlantis",
            "country": "ES",
            "subdivision": "XX",
            "hours": [{"weekday": 0, "starts_at": "18:00", "ends_at": "09:00"}],
        },
    )

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"name", "time_zone", "subdivision", "hours[0].ends_at"}


def test_the_default_calendar_cannot_be_deleted(api_as, admin_user):
    default = BusinessCalendar.objects.get(is_default=True)

    response = api_as(admin_user).delete(f"/api/v1/sla/calendars/{default.pk}")

    assert response.status_code == 409


def test_an_agent_reads_the_service_levels_but_cannot_change_them(api_as, agent):
    client = api_as(agent)

    assert client.get("/api/v1/sla/policies").status_code == 200
    assert client.get("/api/v1/sla/calendars").status_code == 200
    assert client.post("/api/v1/sla/policies", {"name": "VIP", "targets": [{"first_response_minutes": 30}]}).status_code == 403
    assert client.post("/api/v1/sla/escalation-rules", {"name": "x", "notify_managers": True}).status_code == 403


def test_a_customer_sees_no_service_levels(portal_as, customer):
    assert portal_as(customer).get("/api/v1/sla/policies").status_code == 403


def test_a_manager_adds_a_policy_for_urgent_tickets_that_is_tried_first(api_as, manager, desk):
    client = api_as(manager)

    response = client.post(
        "/api/v1/sla/policies",
        {
            "name": "Urgent",
            "position": 1,
            "priority": "urgent",
            "warn_minutes_before": 15,
            "targets": [{"tier": 1, "first_response_minutes": 30, "resolution_minutes": 240}],
        },
    )
    assert response.status_code == 201, response.content
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(CustomerFactory(), priority="urgent")

    first = SlaClock.objects.get(ticket=ticket, metric="first_response")
    assert (first.policy.name, first.due_at, first.warn_at) == ("Urgent", madrid("2025-03-03 10:30"), madrid("2025-03-03 10:15"))
    assert [policy["name"] for policy in client.get("/api/v1/sla/policies").json()] == ["Urgent", "Standard"]


def test_policy_targets_are_checked_row_by_row(api_as, manager):
    response = api_as(manager).post(
        "/api/v1/sla/policies",
        {
            "name": "Broken",
            "targets": [
                {"priority": "normal", "first_response_minutes": 0},
                {"priority": "normal", "tier": 3, "resolution_minutes": 60},
                {"priority": "sometime", "resolution_minutes": 60},
            ],
        },
    )

    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["targets[0].first_response_minutes", "targets[1].tier", "targets[2].priority"]
    assert not SlaPolicy.objects.filter(name="Broken").exists()


def test_an_escalation_rule_needs_something_to_do(api_as, manager, desk):
    client = api_as(manager)

    refused = client.post("/api/v1/sla/escalation-rules", {"name": "Nothing", "trigger": "breach"})
    created = client.post(
        "/api/v1/sla/escalation-rules",
        {"name": "Urgent late → level 2", "priority": "urgent", "escalate_to_tier_2": True, "queue_id": desk.pk},
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "actions"
    assert created.status_code == 201
    assert EscalationRule.objects.get(pk=created.json()["id"]).queue == desk


def test_ticket_detail_and_lists_show_the_clocks(api_as, desk_agent, desk):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(CustomerFactory())
    client = api_as(desk_agent)

    with time_machine.travel(madrid("2025-03-03 19:00"), tick=False):
        detail = client.get(f"/api/v1/tickets/{ticket.number}").json()
        clocks = client.get(f"/api/v1/tickets/{ticket.number}/sla").json()
        unanswered = client.get("/api/v1/tickets/unanswered").json()["items"]

    assert [(clock["metric"], clock["tier"], clock["status"]) for clock in clocks] == [
        ("first_response", 1, "running"),
        ("resolution", 1, "running"),
    ]
    assert detail["sla_clocks"] == clocks
    row = next(item for item in unanswered if item["number"] == ticket.number)
    assert (row["sla_due_at"], row["sla_breached"]) == ("2025-03-03T17:00:00Z", True)


def test_a_customer_never_sees_the_clocks_of_their_ticket(portal_as, desk):
    customer = CustomerFactory()
    ticket = open_ticket(customer)

    client = portal_as(customer)

    assert client.get(f"/api/v1/tickets/{ticket.number}").json()["sla_clocks"] == []
    assert client.get(f"/api/v1/tickets/{ticket.number}/sla").status_code == 403
