"""Console screens of follow-up: the playbook editor, my day with outcome logging, a task, the agenda, the customer page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.customers.models import Segment
from aftersales.followup.models import PlaybookStep, StaffTask, TaskKind, TaskOutcome, TaskStatus
from aftersales.followup.services import task_create
from aftersales.service.models import Ticket
from tests.factories import CustomerFactory, staff
from tests.followup.helpers import COURTESY_CALL, DELIVERY_VISIT, USAGE_TIPS, at, bought, only_steps, step, sweep_on

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 3, 10)


def text(response) -> str:
    return response.content.decode()


def a_call(assignee, *, due: dt.datetime, customer=None, title="Courtesy call") -> StaffTask:
    return task_create(
        actor=None, kind=TaskKind.CALL, customer=customer or CustomerFactory(), title=title, due_at=due, assignee=assignee
    )


# --- who may open what -------------------------------------------------------------------------------


SCREENS = {
    "playbooks": lambda: reverse("console:followup_playbooks"),
    "my day": lambda: reverse("console:followup_my_day"),
    "agenda": lambda: reverse("console:followup_agenda"),
}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SALES_REP, {"playbooks", "my day", "agenda"}),
        (Role.SUPPORT_AGENT, {"playbooks", "my day", "agenda"}),
        (Role.TECHNICIAN, {"my day"}),
        (Role.SERVICE_MANAGER, {"playbooks", "my day", "agenda"}),
        (Role.ADMINISTRATOR, {"playbooks", "my day", "agenda"}),
    ],
)
def test_each_role_opens_the_follow_up_screens_its_permissions_allow(signed_in, role, allowed):
    client = signed_in(staff(role))
    home = text(client.get("/"))

    for name, url in SCREENS.items():
        status = client.get(url()).status_code
        assert status == (200 if name in allowed else 403), (name, status)
        assert (f'href="{url()}"' in home) == (name in allowed), name


def test_anonymous_visitors_go_to_sign_in_and_customers_are_refused(client, customer):
    from aftersales.customers.services import customer_portal_user

    response = client.get(reverse("console:followup_my_day"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(customer_portal_user(customer=customer))
    assert client.get(reverse("console:followup_my_day")).status_code == 403


def test_reps_read_playbooks_but_only_managers_change_them(signed_in, rep):
    client = signed_in(rep)
    step_ = step(COURTESY_CALL)

    page = text(client.get(reverse("console:followup_playbook", args=[step_.playbook_id])))
    assert "Default follow-up" in page
    assert "7 days after delivery: a call task for the selling rep" in page
    assert "disabled" in page and "Add a step" not in page
    assert client.get(reverse("console:followup_step_new", args=[step_.playbook_id])).status_code == 403
    assert client.post(reverse("console:followup_step", args=[step_.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("console:followup_step_switch", args=[step_.pk]), {"active": "0"}).status_code == 403
    assert client.post(reverse("console:followup_step_move", args=[step_.pk]), {"direction": "up"}).status_code == 403
    step_.refresh_from_db()
    assert step_.active and step_.name == COURTESY_CALL


# --- the playbook editor -------------------------------------------------------------------------------


def step_form(**changes) -> dict:
    form = {
        "name": "Follow-up call after a repair",
        "active": "on",
        "trigger": "ticket_resolved",
        "offset_days": "2",
        "repeat_months": "",
        "catch_up_days": "3",
        "consent_channel": "",
        "min_sale_value": "",
        "action": "call_task",
        "template_code": "courtesy_call",
        "channel": "",
        "assign_to": "selling_rep",
        "assignee_id": "",
        "department_id": "",
        "task_due_hours": "24",
    }
    form.update(changes)
    return form


def test_the_playbook_page_lists_the_steps_in_order_in_plain_words_with_their_upcoming_touches(signed_in, manager):
    only_steps(COURTESY_CALL, DELIVERY_VISIT, USAGE_TIPS)
    customer = CustomerFactory()
    with time_machine.travel(at(MONDAY), tick=False):
        bought(customer, sold_on=MONDAY, delivered_on=MONDAY - dt.timedelta(days=1))
        page = text(signed_in(manager).get(reverse("console:followup_playbook", args=[step(COURTESY_CALL).playbook_id])))

    names = re.findall(r'<a href="/followup/steps/\d+/">([^<]+)</a>', page)
    assert names[:4] == [DELIVERY_VISIT, "Courtesy call: how is the product working?", USAGE_TIPS, "Satisfaction survey"]
    assert "On the day of delivery: a visit task for the selling rep, to do within 48 hours." in page
    assert "30 days before the warranty ends: an email from the template “warranty_ending”." in page
    assert "Sales worth at least 2,000.00" in page
    counts = dict(re.findall(r'id="step-(\d+)".*?(?:<span class="upcoming-count"[^>]*>(\d+)</span>|>—<)', page, re.S))
    # delivered yesterday: the call (day 7) and the tips (day 14) are ahead; the visit (day 0) is past; the rest are off
    assert counts[str(step(COURTESY_CALL).pk)] == "1"
    assert counts[str(step(USAGE_TIPS).pk)] == "1"
    assert counts[str(step(DELIVERY_VISIT).pk)] == "0"
    assert counts[str(step("Satisfaction survey").pk)] == ""


def test_a_manager_adds_a_step_and_it_lands_last_in_the_playbook(signed_in, manager):
    playbook_id = step(COURTESY_CALL).playbook_id
    client = signed_in(manager)

    response = client.post(reverse("console:followup_step_new", args=[playbook_id]), step_form())

    added = PlaybookStep.objects.get(name="Follow-up call after a repair")
    assert response.status_code == 302
    assert response["Location"] == f"/followup/playbooks/{playbook_id}/#step-{added.pk}"
    assert (added.trigger, added.offset_days, added.action) == ("ticket_resolved", 2, "call_task")
    assert added.template_code == "courtesy_call"
    assert added.position == PlaybookStep.objects.filter(playbook_id=playbook_id).count()
    assert added.playbook.updated_by == manager


def test_refused_step_values_are_shown_next_to_their_fields(signed_in, manager):
    playbook_id = step(COURTESY_CALL).playbook_id
    client = signed_in(manager)

    response = client.post(
        reverse("console:followup_step_new", args=[playbook_id]),
        step_form(template_code="", repeat_months="6", assign_to="queue", catch_up_days="900"),
    )

    page = text(response)
    assert response.status_code == 200
    assert not PlaybookStep.objects.filter(name="Follow-up call after a repair").exists()

    def error_of(field_id: str) -> str:
        field = rf'<div class="field field-invalid">\s*<label for="{field_id}".*?<small class="error"[^>]*>([^<]+)</small>'
        match = re.search(field, page, re.S)
        assert match, field_id
        return match.group(1)

    assert error_of("id_catch_up_days") == "must be between 0 and 365"
    second = step_form(template_code="", repeat_months="6", assign_to="queue")
    page = text(client.post(reverse("console:followup_step_new", args=[playbook_id]), second))
    assert error_of("id_template_code") == "is required for this action"
    assert error_of("id_repeat_months") == "cannot be used with the trigger Ticket resolved"
    assert error_of("id_department_id") == "is required when the task goes to a queue"


def test_the_live_preview_says_what_an_unsaved_step_will_do(signed_in, manager):
    vip = Segment.objects.create(slug="vip", name="VIP")
    client = signed_in(manager)

    data = step_form(trigger="warranty_end", offset_days="-30", action="send_template", template_code="warranty_ending")
    data.update(channel="email", assign_to="", segment_ids=[str(vip.pk)], consent_channel="email", min_sale_value="1500")
    page = text(client.post(reverse("console:followup_step_preview"), data))

    assert "30 days before the warranty ends: an email from the template “warranty_ending”." in page
    assert "Customers in the segments: VIP" in page
    assert "Customers who agreed to be contacted by email" in page
    assert "Sales worth at least 1,500.00" in page
    before_delivery = text(client.post(reverse("console:followup_step_preview"), step_form(trigger="delivery", offset_days="-3")))
    assert "3 days before delivery: a call task for the selling rep" in before_delivery
    assert "a step before it never runs" in before_delivery


def test_the_preview_of_a_saved_step_counts_its_touches_in_the_next_30_days(signed_in, manager):
    only_steps(COURTESY_CALL)
    client = signed_in(manager)
    with time_machine.travel(at(MONDAY), tick=False):
        for _ in range(3):
            bought(CustomerFactory(), sold_on=MONDAY, delivered_on=MONDAY)
        page = text(client.post(reverse("console:followup_step_preview"), step_form(step_id=str(step(COURTESY_CALL).pk))))

    assert "As saved, this step will make 3 touches in the next 30 days." in page


def test_moving_and_switching_steps(signed_in, manager):
    client = signed_in(manager)
    call, visit = step(COURTESY_CALL), step(DELIVERY_VISIT)

    client.post(reverse("console:followup_step_move", args=[call.pk]), {"direction": "up"})
    client.post(reverse("console:followup_step_switch", args=[visit.pk]), {"active": "0"})

    call.refresh_from_db()
    visit.refresh_from_db()
    assert (call.position, visit.position) == (1, 2)
    assert not visit.active
    positions = list(PlaybookStep.objects.filter(playbook=call.playbook).order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


def test_a_step_that_touched_customers_cannot_be_deleted_only_switched_off(signed_in, manager, rep):
    only_steps(DELIVERY_VISIT)
    bought(CustomerFactory(), sold_on=MONDAY, delivered_on=MONDAY, rep=rep)
    sweep_on(MONDAY)

    response = signed_in(manager).post(reverse("console:followup_step_delete", args=[step(DELIVERY_VISIT).pk]), follow=True)

    assert "deactivate it instead" in text(response)
    assert PlaybookStep.objects.filter(name=DELIVERY_VISIT).exists()


# --- my day and outcomes ---------------------------------------------------------------------------------


@time_machine.travel(at(MONDAY, 9), tick=False)
def test_my_day_shows_my_calls_with_the_customers_context_overdue_first(signed_in, rep):
    ana = CustomerFactory(name="Ana García", phone="+34612345678")
    bought(ana, sold_on=MONDAY - dt.timedelta(days=20), name="Washer WM-800")
    late = a_call(rep, due=at(MONDAY - dt.timedelta(days=1)), customer=ana, title="Call from yesterday")
    today = a_call(rep, due=at(MONDAY, 15), title="Call for today")
    later = a_call(rep, due=at(MONDAY + dt.timedelta(days=1)), title="Call for tomorrow")
    a_call(rep, due=at(MONDAY + dt.timedelta(days=9)), title="Call next week")
    a_call(staff(Role.SALES_REP), due=at(MONDAY, 11), title="Call for a colleague")

    page = text(signed_in(rep).get(reverse("console:followup_my_day")))

    titles = re.findall(r'class="task-title"[^>]*>([^<]+)<', page)
    assert titles == ["Call from yesterday", "Call for today", "Call for tomorrow"]
    assert "Due later" in page[page.index(f'id="task-{later.pk}"') :]
    assert "Due later" not in page[: page.index(f'id="task-{later.pk}"')]
    row = page[page.index(f'id="task-{late.pk}"') : page.index(f'id="task-{today.pk}"')]
    assert "Overdue" in row
    assert "Washer WM-800" in row
    assert 'href="tel:+34612345678"' in row


@time_machine.travel(at(MONDAY, 10), tick=False)
def test_reached_fine_closes_the_task_and_redraws_its_row(signed_in, rep):
    task = a_call(rep, due=at(MONDAY, 12))

    url = reverse("console:followup_task_outcome", args=[task.pk])
    response = signed_in(rep).post(url, {"outcome": "reached_fine", "day": "2025-03-10"}, HTTP_HX_REQUEST="true")

    page = text(response)
    task.refresh_from_db()
    assert (task.status, task.outcome, task.attempts) == (TaskStatus.DONE, TaskOutcome.REACHED_FINE, 1)
    assert page.startswith(f'<article class="task task-closed" id="task-{task.pk}"')
    assert "Done: Reached — all fine." in page
    assert 'class="outcome"' not in page  # nothing left to log


@time_machine.travel(at(MONDAY, 10), tick=False)
def test_no_answer_moves_the_task_to_the_chosen_later_time(signed_in, rep):
    task = a_call(rep, due=at(MONDAY, 12))
    client = signed_in(rep)

    page = text(
        client.post(
            reverse("console:followup_task_outcome", args=[task.pk]),
            {"outcome": "no_answer", "retry": "tomorrow", "day": "2025-03-10"},
            HTTP_HX_REQUEST="true",
        )
    )

    task.refresh_from_db()
    assert (task.status, task.outcome, task.attempts) == (TaskStatus.OPEN, TaskOutcome.NO_ANSWER, 1)
    assert task.retry_at == at(MONDAY + dt.timedelta(days=1), 9)
    assert "Moved to Tuesday 11 March." in page
    assert f'id="task-{task.pk}"' not in text(client.get(reverse("console:followup_my_day")))
    assert f'id="task-{task.pk}"' in text(client.get(reverse("console:followup_my_day"), {"day": "2025-03-11"}))

    chosen = client.post(
        reverse("console:followup_task_outcome", args=[task.pk]),
        {"outcome": "no_answer", "retry": "chosen", "retry_at": "2025-03-12T16:30", "day": "2025-03-11"},
        HTTP_HX_REQUEST="true",
    )
    task.refresh_from_db()
    assert task.retry_at == at(MONDAY + dt.timedelta(days=2), 16, 30)
    assert "Moved to Wednesday 12 March." in text(chosen)


@time_machine.travel(at(MONDAY, 10), tick=False)
def test_a_problem_needs_a_note_and_then_opens_a_ticket(signed_in, rep):
    Department.objects.get_or_create(code="service", defaults={"name": "Service"})
    task = a_call(rep, due=at(MONDAY, 12))
    client = signed_in(rep)
    url = reverse("console:followup_task_outcome", args=[task.pk])

    refused = text(client.post(url, {"outcome": "reached_problem", "note": ""}, HTTP_HX_REQUEST="true"))
    assert re.search(r'field-invalid">\s*<label for="note-\d+".*?describe the problem the customer reported', refused, re.S)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN

    page = text(client.post(url, {"outcome": "reached_problem", "note": "The drum squeaks"}, HTTP_HX_REQUEST="true"))

    task.refresh_from_db()
    ticket = Ticket.objects.get()
    assert (task.status, task.outcome) == (TaskStatus.DONE, TaskOutcome.REACHED_PROBLEM)
    assert (ticket.customer, ticket.kind, ticket.messages.get().body) == (task.customer, "complaint", "The drum squeaks")
    assert f'href="/tickets/{ticket.number}/"' in page


def test_someone_elses_task_cannot_be_logged_but_a_manager_can(signed_in, rep, manager):
    task = a_call(staff(Role.SALES_REP), due=at(MONDAY, 12))
    url = reverse("console:followup_task_outcome", args=[task.pk])

    assert signed_in(rep).post(url, {"outcome": "reached_fine"}).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN

    signed_in(manager).post(url, {"outcome": "reached_fine"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_only_managers_open_someone_elses_day_and_see_escalated_tasks(signed_in, rep, manager):
    other = staff(Role.SALES_REP, first_name="Olga", last_name="Ruiz")
    task = a_call(other, due=at(MONDAY - dt.timedelta(days=3)), title="Forgotten call")
    StaffTask.objects.filter(pk=task.pk).update(escalated_at=at(MONDAY - dt.timedelta(days=1)))

    assert signed_in(rep).get(reverse("console:followup_my_day"), {"user": other.pk}).status_code == 403
    assert "Forgotten call" not in text(signed_in(rep).get(reverse("console:followup_my_day")))

    page = text(signed_in(manager).get(reverse("console:followup_my_day")))
    assert 'id="escalated"' in page and "Forgotten call" in page
    theirs = text(signed_in(manager).get(reverse("console:followup_my_day"), {"user": other.pk}))
    assert "The day of Olga Ruiz" in theirs and "Forgotten call" in theirs


def test_a_manager_passes_a_task_on_and_cancels_another(signed_in, rep, manager):
    task = a_call(rep, due=at(MONDAY, 12))
    other = a_call(rep, due=at(MONDAY, 12))
    client = signed_in(manager)

    client.post(reverse("console:followup_task_reassign", args=[task.pk]), {"assignee_id": manager.pk})
    client.post(reverse("console:followup_task_cancel", args=[other.pk]), {"reason": "Customer moved abroad"})

    task.refresh_from_db()
    other.refresh_from_db()
    assert task.assignee == manager
    assert other.status == TaskStatus.CANCELLED
    page = text(client.get(reverse("console:followup_task", args=[other.pk])))
    assert "Customer moved abroad" in page
    assert signed_in(rep).post(reverse("console:followup_task_cancel", args=[task.pk])).status_code == 403


# --- agenda, customer page, timeline ---------------------------------------------------------------------


@time_machine.travel(at(MONDAY), tick=False)
def test_the_agenda_lists_my_customers_coming_touches_and_managers_pick_any_rep(signed_in, rep, manager):
    only_steps(COURTESY_CALL, USAGE_TIPS)
    other = staff(Role.SALES_REP)
    bought(CustomerFactory(name="Mine"), sold_on=MONDAY, delivered_on=MONDAY, rep=rep)
    bought(CustomerFactory(name="Theirs"), sold_on=MONDAY, delivered_on=MONDAY, rep=other)

    page = text(signed_in(rep).get(reverse("console:followup_agenda")))
    assert "Mine" in page and "Theirs" not in page
    assert 'datetime="2025-03-17"' in page and 'datetime="2025-03-24"' in page
    assert page.index(COURTESY_CALL.replace("?", "")) < page.index(USAGE_TIPS)
    assert signed_in(rep).get(reverse("console:followup_agenda"), {"rep": other.pk}).status_code == 403

    theirs = text(signed_in(manager).get(reverse("console:followup_agenda"), {"rep": other.pk}))
    assert "Theirs" in theirs and "Mine" not in theirs


@time_machine.travel(at(MONDAY), tick=False)
def test_the_customer_page_shows_what_is_coming_up_for_30_or_90_days(signed_in, agent):
    only_steps(COURTESY_CALL, "Satisfaction survey")
    customer = CustomerFactory()
    bought(customer, sold_on=MONDAY - dt.timedelta(days=20), delivered_on=MONDAY - dt.timedelta(days=20))
    client = signed_in(agent)

    thirty = text(client.get(reverse("console:customer", args=[customer.pk])))
    assert 'id="coming-up"' in thirty and "Satisfaction survey" in thirty
    assert 'datetime="2025-03-20"' in thirty  # delivery + 30

    bought(customer, sold_on=MONDAY, delivered_on=MONDAY - dt.timedelta(days=60))
    partial = text(client.get(reverse("console:customer_coming_up", args=[customer.pk]), {"upcoming": "90"}))
    assert partial.startswith('<section class="panel" id="coming-up">')
    assert "No follow-up planned" not in partial
    assert 'aria-current="true">90 days' in partial


def test_the_timeline_links_touches_to_their_message_and_task(signed_in, manager, rep):
    only_steps(COURTESY_CALL, USAGE_TIPS)
    customer = CustomerFactory()
    bought(customer, sold_on=MONDAY, delivered_on=MONDAY, rep=rep)
    sweep_on(MONDAY + dt.timedelta(days=7))
    sweep_on(MONDAY + dt.timedelta(days=14))
    task = StaffTask.objects.get()

    page = text(signed_in(manager).get(reverse("console:customer", args=[customer.pk])))

    assert f'href="/followup/tasks/{task.pk}/"' in page
    assert f'href="/messages/{task.message_id}/"' in page
    tips = customer.messages.get(template_code="usage_tips_training")
    assert f'href="/messages/{tips.pk}/"' in page
    # a technician may not read messages: no link to them
    technician = staff(Role.TECHNICIAN)
    assert f'href="/messages/{tips.pk}/"' not in text(signed_in(technician).get(reverse("console:customer", args=[customer.pk])))
