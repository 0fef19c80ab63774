"""The service desk in the staff console: lists, filters, bulk actions, a ticket's page and its actions, calls."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.service.models import (
    Callback,
    CannedReply,
    Macro,
    Queue,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    Visibility,
)
from aftersales.service.services import callback_schedule, ticket_assign, ticket_follow, ticket_note, ticket_reply, ticket_tag
from tests.factories import CustomerFactory, UnitFactory, UserFactory, staff
from tests.service.helpers import PDF, open_ticket, signed_in, text_of, upload
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    """Return the ticket references listed in a page, in order."""
    return re.findall(r"<strong>(#\d+)</strong>", text_of(response))


@pytest.fixture(autouse=True)
def manual_desk(desk):
    """Agents take tickets by hand here, so each test decides who has what."""
    desk.assignment_mode = "manual"
    desk.save()
    return desk


@pytest.fixture
def other_department():
    return Department.objects.get(code="sales")


@pytest.fixture
def other_queue(other_department):
    return Queue.objects.create(name="Sales desk", department=other_department)


# --- access -------------------------------------------------------------------------------------

TICKET_PAGES = ["console:tickets", "console:tickets_unanswered", "console:my_work", "console:ticket_new"]


@pytest.mark.parametrize("name", TICKET_PAGES)
def test_staff_without_a_role_get_the_403_page_on_every_ticket_screen(name):
    response = signed_in(UserFactory()).get(reverse(name))

    assert response.status_code == 403
    assert "Your role does not allow you to open this page." in text_of(response)


@pytest.mark.parametrize("name", TICKET_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("console:login"))


def test_navigation_shows_tickets_unanswered_and_my_work_with_counts(desk_agent, customer):
    open_ticket(customer)
    mine = open_ticket(customer)
    ticket_assign(actor=None, ticket=mine, assignee=desk_agent)

    page = text_of(signed_in(desk_agent).get(reverse("console:home")))

    nav = page[page.index('<nav class="sidenav"') : page.index("</nav>")]
    assert re.search(r"Tickets <span[^>]*>2</span>", nav)
    assert re.search(r"Unanswered <span[^>]*>2</span>", nav)
    assert re.search(r"My work <span[^>]*>1</span>", nav)


def test_staff_without_ticket_permission_see_no_service_desk_in_the_navigation():
    page = text_of(signed_in(UserFactory()).get(reverse("console:home")))

    assert "Unanswered" not in page


def test_an_agent_sees_only_the_tickets_of_their_department(desk_agent, customer, other_queue):
    ours = open_ticket(customer, subject="Our department's")
    theirs = open_ticket(customer, subject="Another department's")
    theirs.queue, theirs.department = other_queue, other_queue.department
    theirs.save()
    client = signed_in(desk_agent)

    listed = references(client.get(reverse("console:tickets")))

    assert listed == [ours.reference]
    assert client.get(reverse("console:ticket", args=[theirs.number])).status_code == 404
    assert client.get(reverse("console:ticket", args=[ours.number])).status_code == 200


def test_a_technician_sees_only_the_tickets_given_to_them_and_cannot_reply(technician, customer):
    theirs = open_ticket(customer, subject="Repair at home")
    open_ticket(customer, subject="Someone else's")
    ticket_assign(actor=None, ticket=theirs, assignee=technician)
    client = signed_in(technician)

    listed = references(client.get(reverse("console:tickets")))
    page = text_of(client.get(reverse("console:ticket", args=[theirs.number])))

    assert listed == [theirs.reference]
    assert 'id="note"' in page and 'id="reply"' not in page and 'id="change"' not in page


# --- the list -----------------------------------------------------------------------------------


def test_the_list_filters_by_status_priority_kind_tag_queue_customer_and_text(desk_agent, desk, other_queue):
    ana, ben = CustomerFactory(name="Ana Ruiz"), CustomerFactory(name="Ben Cole")
    leak = open_ticket(ana, subject="Dishwasher leaks", priority=TicketPriority.URGENT, kind=TicketKind.COMPLAINT)
    noise = open_ticket(ben, subject="Fridge noise")
    resolved = open_ticket(ben, subject="Old question")
    ticket_reply(actor=desk_agent, ticket=resolved, body="Done.", status=TicketStatus.RESOLVED)
    ticket_tag(actor=desk_agent, ticket=noise, add=["vip"])
    client = signed_in(desk_agent)

    def listed(**query):
        return set(references(client.get(reverse("console:tickets"), query)))

    assert listed() == {leak.reference, noise.reference}  # active ones by default
    assert listed(status="any") == {leak.reference, noise.reference, resolved.reference}
    assert listed(status="resolved") == {resolved.reference}
    assert listed(priority="urgent") == {leak.reference}
    assert listed(kind="complaint") == {leak.reference}
    assert listed(tag="vip") == {noise.reference}
    assert listed(customer=ben.pk, status="any") == {noise.reference, resolved.reference}
    assert listed(q="leaks") == {leak.reference}
    assert listed(q=noise.reference) == {noise.reference}
    assert listed(queue=desk.pk) == {leak.reference, noise.reference}
    assert listed(queue=other_queue.pk) == set()


def test_the_list_filters_by_assignee_me_and_nobody(desk_agent, customer):
    mine = open_ticket(customer)
    nobodys = open_ticket(customer)
    ticket_assign(actor=None, ticket=mine, assignee=desk_agent)
    client = signed_in(desk_agent)

    assert references(client.get(reverse("console:tickets"), {"assignee": "me"})) == [mine.reference]
    assert references(client.get(reverse("console:tickets"), {"assignee": "none"})) == [nobodys.reference]


def test_the_list_sorts_by_priority_and_by_age(desk_agent, customer):
    low = open_ticket(customer, priority=TicketPriority.LOW)
    urgent = open_ticket(customer, priority=TicketPriority.URGENT)
    normal = open_ticket(customer)
    client = signed_in(desk_agent)

    by_priority = references(client.get(reverse("console:tickets"), {"sort": "-priority"}))
    oldest_first = references(client.get(reverse("console:tickets"), {"sort": "created"}))

    assert by_priority == [urgent.reference, normal.reference, low.reference]
    assert oldest_first == [low.reference, urgent.reference, normal.reference]


def test_the_list_shows_how_long_until_the_first_response_target(desk_agent, customer):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):  # a Monday: 8 working hours to answer
        open_ticket(customer)
    with time_machine.travel(madrid("2025-03-03 15:30"), tick=False):
        page = text_of(signed_in(desk_agent).get(reverse("console:tickets")))
    with time_machine.travel(madrid("2025-03-03 18:35"), tick=False):
        late = text_of(signed_in(desk_agent).get(reverse("console:tickets")))

    assert '<span class="sla sla-ok">due in 2 h 30 min</span>' in page
    assert '<span class="sla sla-breached">breached by 35 min</span>' in late


def test_a_filter_change_through_htmx_returns_only_the_results(desk_agent, customer):
    open_ticket(customer)

    response = signed_in(desk_agent).get(reverse("console:tickets"), {"priority": "normal"}, HTTP_HX_REQUEST="true")

    assert "<html" not in text_of(response)
    assert 'id="bulk-form"' in text_of(response)


def test_a_sales_rep_gets_no_checkboxes_or_bulk_actions(rep, customer):
    ticket = open_ticket(customer)
    ticket_follow(actor=None, ticket=ticket, user=rep)

    page = text_of(signed_in(rep).get(reverse("console:tickets")))

    assert ticket.reference in page
    assert 'name="ticket"' not in page and "bulk-form" not in page


# --- bulk actions -------------------------------------------------------------------------------


def test_bulk_assign_gives_the_ticked_tickets_to_an_agent(desk_agent, customer, service_department):
    first, second, untouched = open_ticket(customer), open_ticket(customer), open_ticket(customer)
    colleague = staff(Role.SUPPORT_AGENT, department=service_department)

    response = signed_in(desk_agent).post(
        reverse("console:tickets_bulk"),
        {"ticket": [first.pk, second.pk], "action": "assign", "assignee": colleague.pk, "query": "sort=created"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "2 tickets changed." in text_of(response)
    assert {ticket.assignee_id for ticket in Ticket.objects.filter(pk__in=[first.pk, second.pk])} == {colleague.pk}
    untouched.refresh_from_db()
    assert untouched.assignee_id != colleague.pk


def test_bulk_close_with_a_reply_answers_and_closes_each_ticket(desk_agent, customer):
    first, second = open_ticket(customer), open_ticket(customer)

    response = signed_in(desk_agent).post(
        reverse("console:tickets_bulk"),
        {"ticket": [first.pk, second.pk], "action": "close", "body": "Fixed by the last update.", "status": "closed"},
    )

    assert response.status_code == 302
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.CLOSED
        assert ticket.messages.filter(visibility=Visibility.PUBLIC, body="Fixed by the last update.").exists()


def test_bulk_merge_moves_the_conversations_into_the_target(desk_agent, customer):
    target, duplicate = open_ticket(customer), open_ticket(customer, body="Me again")

    signed_in(desk_agent).post(
        reverse("console:tickets_bulk"), {"ticket": [duplicate.pk], "action": "merge", "target": target.reference}
    )

    duplicate.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.status == TicketStatus.CLOSED
    assert target.messages.filter(body="Me again").exists()


def test_bulk_without_ticked_tickets_says_so_and_changes_nothing(desk_agent, customer):
    open_ticket(customer)

    response = signed_in(desk_agent).post(
        reverse("console:tickets_bulk"), {"action": "close", "status": "closed"}, HTTP_HX_REQUEST="true"
    )

    assert "choose at least one ticket" in text_of(response)
    assert not Ticket.objects.filter(status=TicketStatus.CLOSED).exists()


def test_bulk_merge_into_an_unknown_reference_shows_the_error_next_to_the_field(desk_agent, customer):
    ticket = open_ticket(customer)

    response = signed_in(desk_agent).post(
        reverse("console:tickets_bulk"), {"ticket": [ticket.pk], "action": "merge", "target": "#99999"}, HTTP_HX_REQUEST="true"
    )

    page = text_of(response)
    target_field = page[page.index('id="id_target"') :]
    assert "No ticket you can see has this reference." in target_field[:400]


def test_bulk_ignores_tickets_the_agent_cannot_see(desk_agent, customer, other_queue):
    theirs = open_ticket(customer)
    theirs.queue, theirs.department = other_queue, other_queue.department
    theirs.save()

    signed_in(desk_agent).post(
        reverse("console:tickets_bulk"), {"ticket": [theirs.pk], "action": "close", "status": "closed", "body": "Bye"}
    )

    theirs.refresh_from_db()
    assert theirs.status == TicketStatus.NEW


def test_bulk_actions_are_refused_to_a_sales_rep(rep, customer):
    ticket = open_ticket(customer)
    ticket_follow(actor=None, ticket=ticket, user=rep)

    response = signed_in(rep).post(reverse("console:tickets_bulk"), {"ticket": [ticket.pk], "action": "close"})

    assert response.status_code == 403


# --- unanswered and my work ---------------------------------------------------------------------


def test_unanswered_lists_the_oldest_first_and_drops_a_ticket_once_answered(desk_agent, customer):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=5), tick=False):
        oldest = open_ticket(customer, subject="Oldest")
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2), tick=False):
        answered = open_ticket(customer, subject="Answered")
    newest = open_ticket(customer, subject="Newest")
    ticket_reply(actor=desk_agent, ticket=answered, body="Hello")

    page = signed_in(desk_agent).get(reverse("console:tickets_unanswered"))

    assert references(page) == [oldest.reference, newest.reference]
    assert re.search(r"\b5 h \d+ min", text_of(page))  # how long the oldest has waited, in the SLA column's words


def test_my_work_shows_my_open_tickets_and_due_call_backs(desk_agent, customer):
    mine = open_ticket(customer, subject="Mine")
    open_ticket(customer, subject="Not mine")
    ticket_assign(actor=None, ticket=mine, assignee=desk_agent)
    callback_schedule(actor=desk_agent, ticket=mine, due_at=timezone.now() + dt.timedelta(hours=1), note="About the part")

    page = text_of(signed_in(desk_agent).get(reverse("console:my_work")))

    assert "Mine" in page and "Not mine" not in page
    assert "About the part" in page


def test_marking_a_call_back_done_from_my_work_records_what_was_said(desk_agent, customer):
    ticket = open_ticket(customer)
    callback = callback_schedule(actor=desk_agent, ticket=ticket, due_at=timezone.now() + dt.timedelta(hours=1))

    response = signed_in(desk_agent).post(
        reverse("console:callback_done", args=[callback.pk]),
        {"note": "Customer will send photos", "next": reverse("console:my_work")},
    )

    assert response.status_code == 302 and response.url == reverse("console:my_work")
    callback.refresh_from_db()
    assert callback.done_at is not None
    assert ticket.messages.filter(visibility=Visibility.INTERNAL, body="Customer will send photos").exists()


def test_a_call_back_done_form_never_redirects_to_another_site(desk_agent, customer):
    ticket = open_ticket(customer)
    callback = callback_schedule(actor=desk_agent, ticket=ticket, due_at=timezone.now() + dt.timedelta(hours=1))

    response = signed_in(desk_agent).post(reverse("console:callback_done", args=[callback.pk]), {"next": "https://evil.example/"})

    assert response.url == reverse("console:ticket", args=[ticket.number])


# --- a ticket's page ----------------------------------------------------------------------------


def test_the_ticket_page_tells_public_replies_from_internal_notes(desk_agent, customer):
    ticket = open_ticket(customer, body="My washer stopped")
    ticket_reply(actor=desk_agent, ticket=ticket, body="We will call you")
    ticket_note(actor=desk_agent, ticket=ticket, body="Probably the pump")

    page = text_of(signed_in(desk_agent).get(reverse("console:ticket", args=[ticket.number])))

    assert re.search(r'class="msg msg-customer"[^>]*>.*?My washer stopped', page, re.S)
    assert re.search(r'class="msg msg-public"[^>]*>.*?We will call you', page, re.S)
    assert re.search(r'class="msg msg-internal"[^>]*>.*?Internal note.*?Probably the pump', page, re.S)


def test_the_ticket_page_shows_customer_unit_sla_history_and_repeat_link(desk_agent):
    unit = UnitFactory(serial="WM-1")
    first = open_ticket(unit.customer, unit=unit)
    repeat = open_ticket(unit.customer, unit=unit)

    page = text_of(signed_in(desk_agent).get(reverse("console:ticket", args=[repeat.number])))

    assert reverse("console:customer", args=[unit.customer_id]) in page
    assert reverse("console:unit", args=[unit.pk]) in page and "WM-1" in page
    assert f'href="{reverse("console:ticket", args=[first.number])}" id="repeat-of"' in page
    assert "First response" in page and "Resolution" in page
    assert "Opened" in page and "Repeat contact" in page


def test_a_reply_with_a_status_answers_the_customer_and_moves_the_ticket(desk_agent, customer):
    ticket = open_ticket(customer)

    response = signed_in(desk_agent).post(
        reverse("console:ticket_reply", args=[ticket.number]),
        {"body": "Please send a photo of the label.", "status": "waiting_customer", "attachments": [upload("guide.pdf", PDF)]},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_CUSTOMER and ticket.first_public_reply_at is not None
    reply = ticket.messages.get(author_user=desk_agent)
    assert reply.visibility == Visibility.PUBLIC and reply.attachments.get().file_name == "guide.pdf"


def test_an_empty_reply_is_refused_next_to_the_reply_box(desk_agent, customer):
    ticket = open_ticket(customer)

    response = signed_in(desk_agent).post(reverse("console:ticket_reply", args=[ticket.number]), {"body": "  "})

    assert response.status_code == 400
    page = text_of(response)
    assert re.search(r'id="reply-body">.*?This field is required', page, re.S)
    assert ticket.messages.count() == 1


def test_a_file_of_a_refused_type_is_named_next_to_the_attachments_field(desk_agent, customer):
    ticket = open_ticket(customer)

    response = signed_in(desk_agent).post(
        reverse("console:ticket_reply", args=[ticket.number]),
        {"body": "See attached", "attachments": [upload("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")]},
    )

    assert response.status_code == 400
    page = text_of(response)
    field = page[page.index('for="id_attachments"') :][:800]
    assert "must be an image (JPEG, PNG, GIF, WebP), a PDF or plain text" in field
    assert ticket.messages.count() == 1


def test_the_canned_reply_picker_fills_the_reply_box_in_the_customers_language(desk_agent):
    lucia = CustomerFactory(name="Lucía Fernández", language="es")
    ticket = open_ticket(lucia, subject="Lavadora")
    canned = CannedReply.objects.create(
        title="Thanks",
        body_en="Hello {{ customer_first_name }}",
        body_es="Hola {{ customer_first_name }}, gracias por {{ ticket_reference }}.",
    )

    response = signed_in(desk_agent).get(
        reverse("console:ticket_canned", args=[ticket.number]), {"canned_reply": canned.pk}, HTTP_HX_REQUEST="true"
    )

    assert f"Hola Lucía, gracias por {ticket.reference}." in text_of(response)
    assert 'name="body"' in text_of(response)


def test_changing_fields_writes_one_event_per_change(desk_agent, customer, service_department, desk):
    ticket = open_ticket(customer)
    colleague = staff(Role.SUPPORT_AGENT, department=service_department)

    response = signed_in(desk_agent).post(
        reverse("console:ticket_fields", args=[ticket.number]),
        {"status": "open", "priority": "high", "queue": desk.pk, "assignee": colleague.pk, "escalation_tier": 2},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee, ticket.escalation_tier) == ("open", "high", colleague, 2)
    kinds = set(TicketEvent.objects.filter(ticket=ticket, actor=desk_agent).values_list("kind", flat=True))
    assert {"status", "priority", "assigned", "escalated"} <= kinds
    assert "queue" not in kinds  # unchanged


def test_a_closed_ticket_cannot_be_changed_and_the_reason_is_shown(desk_agent, customer, desk):
    ticket = open_ticket(customer)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Bye", status=TicketStatus.CLOSED)

    response = signed_in(desk_agent).post(
        reverse("console:ticket_fields", args=[ticket.number]),
        {"status": "closed", "priority": "urgent", "queue": desk.pk, "assignee": "", "escalation_tier": 1},
    )

    assert response.status_code == 400
    assert "the ticket is closed" in text_of(response)
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.NORMAL


def test_tags_follow_merge_and_macro_from_the_ticket_page(desk_agent, customer):
    ticket = open_ticket(customer)
    other = open_ticket(customer)
    macro = Macro.objects.create(name="Escalate", priority=TicketPriority.URGENT)
    client = signed_in(desk_agent)

    client.post(reverse("console:ticket_tags", args=[ticket.number]), {"tags": "VIP, noise"})
    client.post(reverse("console:ticket_follow", args=[ticket.number]), {"following": "1"})
    client.post(reverse("console:ticket_macro", args=[ticket.number]), {"macro": macro.pk})
    response = client.post(reverse("console:ticket_merge", args=[other.number]), {"target": ticket.reference})

    ticket.refresh_from_db()
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["noise", "vip"]
    assert ticket.followers.filter(pk=desk_agent.pk).exists()
    assert ticket.priority == TicketPriority.URGENT
    assert response.url == reverse("console:ticket", args=[ticket.number])
    other.refresh_from_db()
    assert other.merged_into == ticket


def test_a_call_back_in_the_past_is_refused_next_to_its_field(desk_agent, customer):
    ticket = open_ticket(customer)

    response = signed_in(desk_agent).post(
        reverse("console:ticket_callback", args=[ticket.number]), {"due_at": "2020-01-01T10:00", "note": "Call"}
    )

    assert response.status_code == 400
    page = text_of(response)
    assert re.search(r'for="id_due_at".*?is in the past', page, re.S)
    assert not Callback.objects.exists()


def test_a_sales_rep_may_add_a_note_but_not_reply(rep, customer):
    ticket = open_ticket(customer)
    ticket_follow(actor=None, ticket=ticket, user=rep)
    client = signed_in(rep)

    page = text_of(client.get(reverse("console:ticket", args=[ticket.number])))
    noted = client.post(reverse("console:ticket_note", args=[ticket.number]), {"body": "I sold it last week"})
    replied = client.post(reverse("console:ticket_reply", args=[ticket.number]), {"body": "Hi"})

    assert 'id="note"' in page and 'id="reply"' not in page
    assert noted.status_code == 302 and replied.status_code == 403
    assert list(ticket.messages.values_list("visibility", flat=True)) == ["public", "internal"]


def test_every_form_on_the_ticket_page_carries_a_csrf_token_and_posting_without_one_fails(desk_agent, customer):
    ticket = open_ticket(customer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_agent)

    page = text_of(client.get(reverse("console:ticket", args=[ticket.number])))
    forms = re.findall(r'<form[^>]*method="post".*?</form>', page, re.S)
    refused = client.post(reverse("console:ticket_reply", args=[ticket.number]), {"body": "Hi"})

    assert len(forms) >= 6 and all("csrfmiddlewaretoken" in form for form in forms)
    assert refused.status_code == 403
    assert ticket.messages.count() == 1


# --- attachments --------------------------------------------------------------------------------


def test_attachments_are_served_only_to_staff_who_see_the_ticket(desk_agent, customer, other_department):
    ticket = open_ticket(customer, attachments=[upload("label.pdf", PDF)])
    attachment = ticket.attachments.get()
    url = reverse("console:ticket_attachment", args=[attachment.pk])
    outsider = staff(Role.SUPPORT_AGENT, department=other_department)

    allowed = signed_in(desk_agent).get(url)
    refused = signed_in(outsider).get(url)

    assert allowed.status_code == 200
    assert allowed["Content-Disposition"].startswith('attachment; filename="label.pdf"')
    assert b"".join(allowed.streaming_content).startswith(b"%PDF")
    assert refused.status_code == 404


# --- new tickets and calls ----------------------------------------------------------------------


def test_an_agent_finds_the_customer_then_opens_a_ticket_about_their_unit(desk_agent):
    unit = UnitFactory(sale_line__sale__customer__name="Marta Gil")
    client = signed_in(desk_agent)

    found = text_of(client.get(reverse("console:ticket_new"), {"q": "Marta"}))
    response = client.post(
        f"{reverse('console:ticket_new')}?customer={unit.customer_id}",
        {"subject": "Noisy drum", "kind": "repair", "channel": "phone", "unit": unit.pk, "body": "It bangs when spinning."},
    )

    assert f"?customer={unit.customer_id}" in found
    ticket = Ticket.objects.get()
    assert response.url == reverse("console:ticket", args=[ticket.number])
    assert (ticket.customer, ticket.unit, ticket.channel, ticket.created_by) == (unit.customer, unit, "phone", desk_agent)


def test_a_new_ticket_without_a_subject_is_refused_next_to_the_field(desk_agent, customer):
    response = signed_in(desk_agent).post(
        f"{reverse('console:ticket_new')}?customer={customer.pk}",
        {"subject": "", "kind": "question", "channel": "phone", "body": "?"},
    )

    assert response.status_code == 400
    assert re.search(r'for="id_subject".*?This field is required', text_of(response), re.S)
    assert not Ticket.objects.exists()


def test_the_customer_page_lists_their_tickets_and_offers_to_log_a_call(desk_agent, customer):
    ticket = open_ticket(customer, subject="Where is my part?")

    page = text_of(signed_in(desk_agent).get(reverse("console:customer", args=[customer.pk])))

    assert "Where is my part?" in page and ticket.reference in page
    assert "Log a call" in page
    assert f'<option value="{ticket.number}">{ticket.reference} Where is my part?</option>' in page


def test_logging_a_call_opens_a_phone_ticket_already_answered_with_a_call_back(desk_agent, customer):
    due = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = signed_in(desk_agent).post(
        reverse("console:customer_call", args=[customer.pk]),
        {
            "ticket": "",
            "channel": "phone",
            "body": "Asks when the technician comes",
            "answered": "on",
            "kind": "repair",
            "callback_at": due,
        },
    )

    ticket = Ticket.objects.get()
    assert response.url == reverse("console:ticket", args=[ticket.number])
    assert (ticket.channel, ticket.kind, ticket.status) == (TicketChannel.PHONE, "repair", TicketStatus.OPEN)
    assert ticket.first_public_reply_at is not None  # the call itself answered the customer
    assert ticket.callbacks.get().assignee == desk_agent


def test_a_message_taken_for_someone_leaves_the_ticket_in_the_unanswered_list(desk_agent, customer):
    client = signed_in(desk_agent)

    client.post(reverse("console:customer_call", args=[customer.pk]), {"channel": "phone", "body": "Please call me back"})

    ticket = Ticket.objects.get()
    assert ticket.first_public_reply_at is None
    assert ticket.subject == "Call: Please call me back"
    assert ticket.reference in text_of(client.get(reverse("console:tickets_unanswered")))


def test_logging_a_call_on_an_open_ticket_adds_the_customers_words_to_it(desk_agent, customer):
    ticket = open_ticket(customer)

    signed_in(desk_agent).post(
        reverse("console:customer_call", args=[customer.pk]),
        {"ticket": ticket.number, "channel": "in_person", "body": "Came to the shop to ask again"},
    )

    message = ticket.messages.order_by("-id").first()
    assert (message.body, message.channel, message.author_customer, message.author_user) == (
        "Came to the shop to ask again",
        "in_person",
        customer,
        desk_agent,
    )
    assert Ticket.objects.count() == 1


def test_a_call_without_words_is_refused_on_the_customer_page(desk_agent, customer):
    response = signed_in(desk_agent).post(reverse("console:customer_call", args=[customer.pk]), {"channel": "phone", "body": ""})

    assert response.status_code == 400
    assert re.search(r"<details class=\"log-call\" open>.*?This field is required", text_of(response), re.S)
    assert not TicketMessage.objects.exists()
