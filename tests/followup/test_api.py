"""The follow-up API: playbooks for managers, tasks for whoever holds them, the agenda, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.followup.models import Playbook, StaffTask, TaskKind, TaskStatus
from aftersales.followup.services import task_create
from aftersales.service.models import Ticket
from tests.factories import CustomerFactory, staff
from tests.followup.helpers import COURTESY_CALL, at, bought, only_steps, step, sweep_on

pytestmark = pytest.mark.django_db

STEP = {
    "name": "Call after the repair",
    "trigger": "ticket_resolved",
    "offset_days": 2,
    "action": "call_task",
    "template_code": "courtesy_call",
    "assign_to": "selling_rep",
}


def test_only_managers_and_administrators_edit_playbooks(api_as, rep, agent, technician, manager, customer, portal_as):
    assert api_as().get("/api/v1/followup/playbooks").status_code == 401
    assert api_as(technician).get("/api/v1/followup/playbooks").status_code == 403
    assert portal_as(customer).get("/api/v1/followup/playbooks").status_code == 403
    assert api_as(rep).get("/api/v1/followup/playbooks").status_code == 200
    assert api_as(agent).post("/api/v1/followup/playbooks", {"name": "Mine"}).status_code == 403
    playbook = Playbook.objects.get(name="Default follow-up")
    assert api_as(rep).post(f"/api/v1/followup/playbooks/{playbook.pk}/steps", STEP).status_code == 403
    assert api_as(manager).post("/api/v1/followup/playbooks", {"name": "Mine"}).status_code == 201


def test_a_manager_builds_a_playbook_step_by_step(api_as, manager):
    client = api_as(manager)
    created = client.post("/api/v1/followup/playbooks", {"name": "After repairs", "description": "Calls after service"})
    assert created.status_code == 201, created.content
    playbook_id = created.json()["id"]

    added = client.post(f"/api/v1/followup/playbooks/{playbook_id}/steps", STEP)
    assert added.status_code == 201, added.content
    assert (added.json()["position"], added.json()["trigger"]) == (1, "ticket_resolved")

    changed = client.patch(f"/api/v1/followup/steps/{added.json()['id']}", {"offset_days": 3, "min_sale_value": "500"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["offset_days"], changed.json()["min_sale_value"]) == (3, "500.00")

    shown = client.get(f"/api/v1/followup/playbooks/{playbook_id}").json()
    assert [item["name"] for item in shown["steps"]] == ["Call after the repair"]
    assert shown["updated_by"] == str(manager)

    assert client.delete(f"/api/v1/followup/steps/{added.json()['id']}").status_code == 204
    assert client.delete(f"/api/v1/followup/playbooks/{playbook_id}").status_code == 204


def test_an_inconsistent_step_is_refused_naming_each_field(api_as, manager):
    client = api_as(manager)
    playbook = Playbook.objects.get(name="Default follow-up")
    response = client.post(
        f"/api/v1/followup/playbooks/{playbook.pk}/steps",
        {
            "name": "",
            "trigger": "birthday",
            "repeat_months": 6,
            "action": "send_template",
            "channel": "email",
            "template_code": "nope",
        },
    )
    assert response.status_code == 400
    fields = {error["field"]: error["reason"] for error in response.json()["errors"]}
    assert set(fields) == {"name", "repeat_months", "template_code"}
    assert fields["repeat_months"] == "cannot be used with the trigger Birthday"

    spanish = client.post(
        f"/api/v1/followup/playbooks/{playbook.pk}/steps",
        {"name": "x", "trigger": "someday", "action": "send_survey"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert spanish.json()["errors"][0]["field"] == "trigger"
    assert spanish.json()["errors"][0]["reason"].startswith("debe ser uno de")


def test_a_step_or_playbook_that_already_touched_customers_cannot_be_deleted(api_as, manager):
    only_steps(COURTESY_CALL)
    bought(CustomerFactory(), sold_on=dt.date(2025, 3, 3), delivered_on=dt.date(2025, 3, 3))
    sweep_on(dt.date(2025, 3, 10))

    client = api_as(manager)
    response = client.delete(f"/api/v1/followup/steps/{step(COURTESY_CALL).pk}")
    assert response.status_code == 409
    default = Playbook.objects.get(name="Default follow-up")
    assert client.delete(f"/api/v1/followup/playbooks/{default.pk}").status_code == 409
    assert client.patch(f"/api/v1/followup/steps/{step(COURTESY_CALL).pk}", {"active": False}).status_code == 200


def test_the_rep_works_the_call_from_my_day_and_logs_its_outcome(api_as):
    seller, colleague, manager = staff("sales_rep"), staff("sales_rep"), staff("service_manager")
    only_steps(COURTESY_CALL)
    bought(CustomerFactory(name="Ana", language="es"), sold_on=dt.date(2025, 3, 3), delivered_on=dt.date(2025, 3, 3), rep=seller)
    sweep_on(dt.date(2025, 3, 10))
    task = StaffTask.objects.get()

    with time_machine.travel(at(dt.date(2025, 3, 10), 12), tick=False):
        day = api_as(seller).get("/api/v1/followup/tasks/my-day").json()
        assert [(item["task"]["id"], item["overdue"]) for item in day] == [(task.pk, False)]
        assert day[0]["task"]["script"].startswith("Llama a Ana")
        assert api_as(colleague).get("/api/v1/followup/tasks/my-day").json() == []
        assert api_as(colleague).get("/api/v1/followup/tasks/my-day", {"user_id": seller.pk}).status_code == 403
        assert len(api_as(manager).get("/api/v1/followup/tasks/my-day", {"user_id": seller.pk}).json()) == 1

        url = f"/api/v1/followup/tasks/{task.pk}/outcome"
        assert api_as(colleague).post(url, {"outcome": "reached_fine"}).status_code == 403
        missing_note = api_as(seller).post(url, {"outcome": "reached_problem"})
        assert missing_note.status_code == 400
        assert missing_note.json()["errors"][0]["field"] == "note"
        logged = api_as(seller).post(url, {"outcome": "reached_problem", "note": "Leaks water"})
    assert logged.status_code == 200, logged.content
    assert (logged.json()["status"], logged.json()["outcome"]) == ("done", "reached_problem")
    assert [event["kind"] for event in logged.json()["events"]] == ["created", "outcome"]
    ticket = Ticket.objects.get()
    assert (ticket.customer_id, ticket.kind) == (task.customer_id, "complaint")
    assert logged.json()["events"][-1]["data"]["ticket"] == ticket.reference
    assert api_as(manager).get(f"/api/v1/tickets/{ticket.number}").status_code == 200


def test_reassigning_and_cancelling_tasks(api_as):
    seller, colleague, manager = staff("sales_rep"), staff("sales_rep"), staff("service_manager")
    customer = CustomerFactory()
    task = task_create(
        actor=None, kind=TaskKind.VISIT, customer=customer, title="Visit", due_at=at(dt.date(2025, 3, 3)), assignee=seller
    )

    assert api_as(colleague).post(f"/api/v1/followup/tasks/{task.pk}/reassign", {"assignee_id": colleague.pk}).status_code == 403
    handed = api_as(seller).post(f"/api/v1/followup/tasks/{task.pk}/reassign", {"assignee_id": colleague.pk})
    assert handed.status_code == 200
    assert handed.json()["assignee_id"] == colleague.pk
    assert api_as(seller).post(f"/api/v1/followup/tasks/{task.pk}/cancel", {"reason": "x"}).status_code == 403
    cancelled = api_as(manager).post(f"/api/v1/followup/tasks/{task.pk}/cancel", {"reason": "Moved away"})
    assert cancelled.json()["status"] == TaskStatus.CANCELLED
    again = api_as(manager).post(f"/api/v1/followup/tasks/{task.pk}/cancel", {"reason": "Twice"})
    assert again.status_code == 409


def test_staff_create_a_task_by_hand(api_as, rep):
    customer = CustomerFactory()
    response = api_as(rep).post(
        "/api/v1/followup/tasks",
        {
            "kind": "call",
            "customer_id": customer.pk,
            "title": "Call back about the offer",
            "due_at": "2025-06-01T10:00:00+02:00",
            "assignee_id": rep.pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["assignee_id"] == rep.pk
    naive = api_as(rep).post(
        "/api/v1/followup/tasks", {"kind": "call", "customer_id": customer.pk, "title": "x", "due_at": "2025-06-01T10:00:00"}
    )
    assert naive.status_code == 400
    assert naive.json()["errors"][0]["field"] == "due_at"
    assert (
        api_as(rep)
        .post(
            "/api/v1/followup/tasks", {"kind": "call", "customer_id": 999999, "title": "x", "due_at": "2025-06-01T10:00:00+02:00"}
        )
        .status_code
        == 404
    )


def test_the_agenda_per_customer_and_per_rep(api_as, rep, technician):
    customer = CustomerFactory()
    bought(customer, sold_on=dt.date(2025, 3, 3), delivered_on=dt.date(2025, 3, 3), rep=rep)
    with time_machine.travel(at(dt.date(2025, 3, 4)), tick=False):
        for_customer = api_as(rep).get(f"/api/v1/followup/customers/{customer.pk}/upcoming", {"days": 10}).json()
        for_rep = api_as(rep).get(f"/api/v1/followup/reps/{rep.pk}/upcoming", {"days": 10}).json()
        assert api_as(technician).get(f"/api/v1/followup/reps/{rep.pk}/upcoming").status_code == 403
    assert [(item["step_name"], item["due_on"]) for item in for_customer] == [(COURTESY_CALL, "2025-03-10")]
    assert for_rep == for_customer
    assert api_as(rep).get("/api/v1/followup/customers/999999/upcoming").status_code == 404
    sweep_on(dt.date(2025, 3, 10))
    history = api_as(rep).get(f"/api/v1/followup/customers/{customer.pk}/touches").json()
    assert [(item["step_name"], item["status"], item["task_id"] is not None) for item in history["items"]] == [
        (COURTESY_CALL, "done", True)
    ]
