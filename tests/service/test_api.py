"""The tickets API: staff and portal customers, field errors, idempotency, internal notes kept internal."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from aftersales.core.roles import Role
from aftersales.service.models import Ticket, TicketStatus
from aftersales.service.services import ticket_note
from tests.factories import CustomerFactory, UnitFactory, staff
from tests.service.helpers import PNG, open_ticket

pytestmark = pytest.mark.django_db


def _fields(response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def test_an_agent_opens_a_ticket_and_a_retry_with_the_same_key_returns_it(api_as, desk, desk_agent, customer):
    client = api_as(desk_agent)
    payload = {"customer_id": customer.pk, "subject": "No hot water", "body": "Since Monday.", "kind": "repair"}

    first = client.post("/api/v1/tickets", payload, HTTP_IDEMPOTENCY_KEY="erp-1")
    again = client.post("/api/v1/tickets", payload, HTTP_IDEMPOTENCY_KEY="erp-1")

    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    body = first.json()
    assert body["reference"] == f"#{body['number']}" and body["channel"] == "api" and body["status"] == "new"
    assert Ticket.objects.count() == 1


def test_bad_input_answers_400_with_every_field_and_reason(api_as, desk, desk_agent, customer):
    response = api_as(desk_agent).post(
        "/api/v1/tickets", {"customer_id": customer.pk, "subject": "", "body": "x", "kind": "gossip", "priority": "meh"}
    )

    assert response.status_code == 400
    fields = _fields(response)
    assert set(fields) == {"subject", "kind", "priority"}
    assert fields["subject"] == "is required"
    assert fields["kind"].startswith("must be one of question, complaint, claim")


def test_a_missing_field_answers_422_naming_it(api_as, desk, desk_agent):
    response = api_as(desk_agent).post("/api/v1/tickets", {"subject": "x"})

    assert response.status_code == 422
    assert "body" in _fields(response)


def test_a_staff_member_without_the_role_is_refused(api_as, desk, customer):
    response = api_as(staff(Role.TECHNICIAN)).post("/api/v1/tickets", {"customer_id": customer.pk, "subject": "x", "body": "y"})

    assert response.status_code == 403


def test_the_list_filters_and_the_detail_shows_the_conversation_and_history(api_as, desk, desk_agent, customer):
    urgent = open_ticket(customer, priority="urgent")
    open_ticket(customer)
    client = api_as(desk_agent)

    listed = client.get("/api/v1/tickets", {"priority": "urgent"})
    detail = client.get(f"/api/v1/tickets/{urgent.number}")

    assert [item["number"] for item in listed.json()["items"]] == [urgent.number]
    assert detail.status_code == 200
    assert detail.json()["events"][0]["kind"] == "created"
    assert detail.json()["messages"][0]["from_customer"] is True


def test_an_agent_replies_changes_and_merges_through_the_api(api_as, desk, desk_agent, customer):
    first, second = open_ticket(customer), open_ticket(customer)
    client = api_as(desk_agent)

    reply = client.post(f"/api/v1/tickets/{first.number}/replies", {"body": "On our way", "status": "waiting_customer"})
    patch = client.patch(f"/api/v1/tickets/{first.number}", {"priority": "high", "tags": ["Leak"]})
    merged = client.post(f"/api/v1/tickets/{second.number}/merge", {"target_number": first.number})

    assert reply.status_code == 201 and reply.json()["visibility"] == "public"
    assert patch.json()["priority"] == "high" and patch.json()["tags"] == ["leak"]
    assert patch.json()["status"] == TicketStatus.WAITING_CUSTOMER
    assert merged.status_code == 200 and merged.json()["number"] == first.number
    refused = client.patch(f"/api/v1/tickets/{first.number}", {"status": "new"})
    assert refused.status_code == 400 and "status" in _fields(refused)


def test_an_agent_cannot_reach_another_departments_ticket(api_as, desk, customer):
    outsider = staff(Role.SUPPORT_AGENT)
    ticket = open_ticket(customer)

    assert api_as(outsider).get(f"/api/v1/tickets/{ticket.number}").status_code == 404
    assert api_as(outsider).post(f"/api/v1/tickets/{ticket.number}/replies", {"body": "hi"}).status_code == 404


def test_a_portal_customer_opens_follows_and_answers_only_their_own_tickets(portal_as, desk, desk_agent, customer):
    unit = UnitFactory(sale_line__sale__customer=customer)
    someone_elses_unit = UnitFactory()
    client = portal_as(customer)

    created = client.post(
        "/api/v1/tickets", {"subject": "Noise", "body": "It rattles.", "unit_id": unit.pk, "priority": "urgent"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["channel"] == "portal" and created.json()["priority"] == "normal"
    refused = client.post("/api/v1/tickets", {"subject": "x", "body": "y", "unit_id": someone_elses_unit.pk})
    assert refused.status_code == 400 and "unit_id" in _fields(refused)

    other = open_ticket(CustomerFactory())
    assert client.get(f"/api/v1/tickets/{other.number}").status_code == 404
    assert [item["number"] for item in client.get("/api/v1/tickets").json()["items"]] == [created.json()["number"]]

    number = created.json()["number"]
    answer = client.post(f"/api/v1/tickets/{number}/replies", {"body": "Still rattling"})
    assert answer.status_code == 201 and answer.json()["from_customer"] is True
    assert client.post(f"/api/v1/tickets/{number}/notes", {"body": "sneaky"}).status_code == 403
    assert client.post(f"/api/v1/tickets/{number}/status", {"status": "closed"}).status_code == 403


def test_internal_notes_and_their_files_never_reach_a_portal_customer(api_as, portal_as, desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_note(actor=desk_agent, ticket=ticket, body="Customer owes us money", attachments=[SimpleUploadedFile("n.png", PNG)])
    note_file = ticket.attachments.get()
    client = portal_as(customer)

    detail = client.get(f"/api/v1/tickets/{ticket.number}").json()

    assert "Customer owes us money" not in str(detail)
    assert detail["events"] == [] and detail["ticket"]["tags"] == []
    assert client.get(f"/api/v1/tickets/{ticket.number}/attachments/{note_file.pk}").status_code == 404
    staff_download = api_as(desk_agent).get(f"/api/v1/tickets/{ticket.number}/attachments/{note_file.pk}")
    assert staff_download.status_code == 200 and b"".join(staff_download.streaming_content) == PNG


def test_files_are_uploaded_as_multipart_and_refused_by_content(api_as, desk, desk_agent, customer):
    ticket = open_ticket(customer)
    client = api_as(desk_agent)

    good = client.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"files": [SimpleUploadedFile("a.png", PNG)], "body": "Photo attached"},
        content_type=MULTIPART_CONTENT,
    )
    bad = client.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"files": [SimpleUploadedFile("a.png", b"\x7fELF\x02\x01\x01")]},
        content_type=MULTIPART_CONTENT,
    )

    assert good.status_code == 201, good.content
    assert good.json()["attachments"][0]["content_type"] == "image/png"
    assert bad.status_code == 400 and list(_fields(bad)) == ["attachments[0]"]


def test_bulk_close_and_the_unanswered_list(api_as, desk, manager, customer):
    tickets = [open_ticket(customer) for _ in range(3)]
    client = api_as(manager)

    assert [item["number"] for item in client.get("/api/v1/tickets/unanswered").json()["items"]] == [t.number for t in tickets]
    response = client.post(
        "/api/v1/tickets/bulk", {"numbers": [t.number for t in tickets[:2]], "action": "close", "body": "Done."}
    )

    assert response.status_code == 200 and response.json()["changed"] == [t.number for t in tickets[:2]]
    assert [item["number"] for item in client.get("/api/v1/tickets/unanswered").json()["items"]] == [tickets[2].number]


def test_a_call_is_logged_and_a_call_back_scheduled(api_as, desk, desk_agent, customer):
    client = api_as(desk_agent)

    call = client.post("/api/v1/tickets/calls", {"customer_id": customer.pk, "body": "Wants a visit"})
    number = call.json()["number"]
    callback = client.post(f"/api/v1/tickets/{number}/callbacks", {"due_at": "2099-01-01T09:00:00+01:00"})
    naive = client.post(f"/api/v1/tickets/{number}/callbacks", {"due_at": "2099-01-01T09:00:00"})

    assert call.status_code == 201 and call.json()["channel"] == "phone"
    assert callback.status_code == 201
    assert [item["ticket_number"] for item in client.get("/api/v1/callbacks").json()["items"]] == [number]
    assert naive.status_code == 400 and "due_at" in _fields(naive)


def test_managers_configure_and_agents_only_read_the_setup(api_as, desk, manager, desk_agent):
    client = api_as(manager)

    queue = client.post(
        "/api/v1/queues", {"name": "Claims", "department_id": desk.department_id, "assignment_mode": "least_loaded"}
    )
    rule = client.post("/api/v1/routing-rules", {"name": "Claims", "kind": "claim", "queue_id": queue.json()["id"]})
    canned = client.post(
        "/api/v1/canned-replies", {"title": "Thanks", "body_en": "Thanks {{ customer_first_name }}", "body_es": "Gracias"}
    )
    macro = client.post(
        "/api/v1/macros", {"name": "Thank and resolve", "status": "resolved", "canned_reply_id": canned.json()["id"]}
    )

    assert [r.status_code for r in (queue, rule, canned, macro)] == [201, 201, 201, 201]
    assert api_as(desk_agent).get("/api/v1/macros").status_code == 200
    assert api_as(desk_agent).post("/api/v1/queues", {"name": "Mine", "department_id": desk.department_id}).status_code == 403
    bad = client.post("/api/v1/routing-rules", {"name": "", "kind": "gossip", "queue_id": 999999})
    assert bad.status_code == 400 and set(_fields(bad)) == {"name", "kind", "queue"}


def test_a_macro_and_a_canned_reply_through_the_api(api_as, desk, manager, customer):
    client = api_as(manager)
    canned = client.post("/api/v1/canned-replies", {"title": "Thanks", "body_en": "Thanks, {{ customer_name }}."}).json()
    macro = client.post("/api/v1/macros", {"name": "Resolve", "status": "resolved", "canned_reply_id": canned["id"]}).json()
    ticket = open_ticket(customer)

    rendered = client.get(f"/api/v1/canned-replies/{canned['id']}/render", {"ticket": ticket.number})
    applied = client.post(f"/api/v1/tickets/{ticket.number}/macros/{macro['id']}")

    assert rendered.json() == {"body": f"Thanks, {customer.name}."}
    assert applied.json()["status"] == "resolved"


def test_managers_set_agents_languages_and_shifts_and_agents_switch_their_own_availability(api_as, desk, manager, desk_agent):
    shifts = [{"weekday": 0, "starts_at": "08:00", "ends_at": "14:00"}]

    set_by_manager = api_as(manager).put(f"/api/v1/agents/{desk_agent.pk}", {"languages": ["en", "es"], "shifts": shifts})
    away = api_as(desk_agent).put(f"/api/v1/agents/{desk_agent.pk}", {"available": False})
    sneaky = api_as(desk_agent).put(f"/api/v1/agents/{desk_agent.pk}", {"languages": ["es"]})
    bad_shift = api_as(manager).put(
        f"/api/v1/agents/{desk_agent.pk}", {"shifts": [{"weekday": 7, "starts_at": "14:00", "ends_at": "14:00"}]}
    )

    assert set_by_manager.status_code == 200 and set_by_manager.json()["languages"] == ["en", "es"]
    assert set_by_manager.json()["shifts"] == [{"weekday": 0, "starts_at": "08:00:00", "ends_at": "14:00:00"}]
    assert away.json()["available"] is False
    assert sneaky.status_code == 403
    assert bad_shift.status_code == 400 and set(_fields(bad_shift)) == {"shifts[0].weekday", "shifts[0].ends_at"}
