"""Merging, bulk actions, macros, canned replies, logging calls, call-backs and attachments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.models import Notification
from aftersales.core.roles import Role
from aftersales.service.models import Callback, TicketAttachment, TicketChannel, TicketEvent, TicketStatus, Visibility
from aftersales.service.selectors import tickets_unanswered
from aftersales.service.services import (
    call_log,
    callback_done,
    callback_schedule,
    canned_reply_create,
    canned_reply_render,
    macro_apply,
    macro_create,
    ticket_customer_reply,
    ticket_merge,
    ticket_note,
    ticket_reply,
    ticket_tag,
    tickets_bulk,
)
from tests.factories import CustomerFactory, UnitFactory, staff
from tests.service.helpers import PDF, PNG, open_ticket, upload

pytestmark = pytest.mark.django_db


# --- merge ----------------------------------------------------------------------------------------


def test_merging_moves_the_conversation_and_closes_the_source(desk, desk_agent, customer):
    target = open_ticket(customer, subject="Leak")
    source = open_ticket(customer, subject="Leak again", attachments=[upload()])
    ticket_tag(actor=desk_agent, ticket=source, add=["leak"])

    ticket_merge(actor=desk_agent, source=source, target=target)

    source.refresh_from_db()
    assert source.status == TicketStatus.CLOSED and source.merged_into == target
    assert target.messages.count() == 2 and target.attachments.count() == 1
    assert list(target.tags.values_list("name", flat=True)) == ["leak"]
    assert TicketEvent.objects.filter(ticket=target, kind="merged").exists()


def test_mail_to_a_merged_ticket_lands_on_the_target(desk, desk_agent, customer):
    target, source = open_ticket(customer), open_ticket(customer)
    ticket_merge(actor=desk_agent, source=source, target=target)

    message = ticket_customer_reply(ticket=source, body="Any news?", channel=TicketChannel.EMAIL)

    assert message.ticket == target


def test_tickets_of_different_customers_cannot_be_merged(desk, desk_agent):
    with pytest.raises(ValidationFailed) as refused:
        ticket_merge(actor=desk_agent, source=open_ticket(CustomerFactory()), target=open_ticket(CustomerFactory()))

    assert refused.value.errors[0].field == "target"


# --- bulk -----------------------------------------------------------------------------------------


def test_bulk_close_with_a_reply_answers_and_closes_every_ticket(desk, manager, customer):
    tickets = [open_ticket(customer) for _ in range(3)]

    tickets_bulk(actor=manager, ticket_ids=[t.pk for t in tickets], action="close", body="Fixed by the recall.")

    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.CLOSED
        assert ticket.messages.filter(visibility=Visibility.PUBLIC, author_user=manager).count() == 1
    assert not tickets_unanswered().exists()


def test_bulk_assign_and_merge(desk, manager, customer, service_department):
    agent = staff(Role.SUPPORT_AGENT, department=service_department)
    tickets = [open_ticket(customer) for _ in range(3)]

    tickets_bulk(actor=manager, ticket_ids=[t.pk for t in tickets], action="assign", assignee=agent)
    tickets_bulk(actor=manager, ticket_ids=[t.pk for t in tickets], action="merge", target=tickets[0])

    for ticket in tickets:
        ticket.refresh_from_db()
    assert {ticket.assignee for ticket in tickets} == {agent}
    assert tickets[0].messages.count() == 3
    assert [t.merged_into_id for t in tickets[1:]] == [tickets[0].pk, tickets[0].pk]


def test_bulk_is_all_or_nothing(desk, manager, customer):
    mine = open_ticket(customer)
    other = open_ticket(CustomerFactory())

    with pytest.raises(ValidationFailed) as refused:
        tickets_bulk(actor=manager, ticket_ids=[mine.pk, other.pk], action="merge", target=mine)

    assert refused.value.errors[0].field == "ticket_ids[1]"
    other.refresh_from_db()
    assert other.merged_into is None
    with pytest.raises(NotFound):
        tickets_bulk(actor=manager, ticket_ids=[999_999], action="close")
    with pytest.raises(ValidationFailed):
        tickets_bulk(actor=manager, ticket_ids=[mine.pk], action="explode")


# --- canned replies and macros --------------------------------------------------------------------


def test_a_canned_reply_renders_in_the_tickets_language_with_its_variables(desk, manager):
    lucia = CustomerFactory(language="es", name="Lucía Pérez")
    unit = UnitFactory(sale_line__sale__customer=lucia)
    canned = canned_reply_create(
        actor=manager,
        data={
            "title": "Serial",
            "body_en": "Dear {{ customer_first_name }}, about {{ ticket_reference }}…",
            "body_es": "Estimada {{ customer_first_name }}: sobre {{ ticket_reference }} y su {{ unit_serial }}.",
        },
    )
    ticket = open_ticket(unit.customer, unit=unit)

    text = canned_reply_render(canned_reply=canned, ticket=ticket, actor=manager)

    assert text == f"Estimada Lucía: sobre {ticket.reference} y su {unit.serial}."


def test_a_canned_reply_that_does_not_compile_in_the_sandbox_is_refused(manager):
    with pytest.raises(ValidationFailed) as refused:
        canned_reply_create(actor=manager, data={"title": "Bad", "body_en": "{% load static %}{% static 'x' %}"})

    assert refused.value.errors[0].field == "body_en"


def test_a_macro_sets_fields_and_replies_in_one_step(desk, manager, customer, service_department):
    agent = staff(Role.SUPPORT_AGENT, department=service_department)
    canned = canned_reply_create(
        actor=manager, data={"title": "Photo", "body_en": "Please send a photo of {{ ticket_subject }}."}
    )
    macro = macro_create(
        actor=manager,
        data={
            "name": "Ask for photo",
            "status": "waiting_customer",
            "priority": "high",
            "assignee": agent.pk,
            "tags": ["needs-photo"],
            "canned_reply": canned.pk,
        },
    )
    ticket = open_ticket(customer, subject="the leak")

    ticket = macro_apply(actor=manager, ticket=ticket, macro=macro)

    assert ticket.status == TicketStatus.WAITING_CUSTOMER and ticket.priority == "high" and ticket.assignee == agent
    assert list(ticket.tags.values_list("name", flat=True)) == ["needs-photo"]
    reply = ticket.messages.get(author_user=manager)
    assert reply.body == "Please send a photo of the leak." and reply.visibility == Visibility.PUBLIC
    assert TicketEvent.objects.filter(ticket=ticket, kind="macro", data__name="Ask for photo").exists()


def test_a_macro_without_a_reply_only_changes_fields(desk, manager, customer):
    macro = macro_create(actor=manager, data={"name": "Resolve", "status": "resolved"})
    ticket = open_ticket(customer)

    ticket = macro_apply(actor=manager, ticket=ticket, macro=macro)

    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.messages.count() == 1


# --- phone and walk-in ----------------------------------------------------------------------------


def test_logging_a_call_opens_an_answered_phone_ticket(desk, desk_agent, customer):
    ticket = call_log(actor=desk_agent, customer=customer, body="Asked how to descale the machine; explained it.")

    assert ticket.channel == TicketChannel.PHONE and ticket.status == TicketStatus.OPEN
    assert ticket.subject == "Call: Asked how to descale the machine; explained it."
    assert ticket.first_public_reply_at is not None
    assert not tickets_unanswered().exists()
    first = ticket.messages.get()
    assert first.author_customer == customer and first.author_user == desk_agent


def test_logging_a_call_on_an_existing_ticket_adds_the_customers_words_and_reopens_it(desk, desk_agent, customer):
    ticket = open_ticket(customer)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Done", status=TicketStatus.RESOLVED)

    same = call_log(actor=desk_agent, customer=customer, ticket=ticket, body="Called: it leaks again.")

    assert same.pk == ticket.pk and same.status == TicketStatus.OPEN
    assert same.messages.last().channel == TicketChannel.PHONE


def test_a_walk_in_is_logged_in_person_and_a_call_on_someone_elses_ticket_is_refused(desk, desk_agent, customer):
    visit = call_log(actor=desk_agent, customer=customer, body="Brought the kettle in.", channel="in_person")
    assert visit.channel == TicketChannel.IN_PERSON and visit.subject.startswith("Visit:")

    with pytest.raises(ValidationFailed):
        call_log(actor=desk_agent, customer=CustomerFactory(), ticket=visit, body="?")


# --- call-backs -----------------------------------------------------------------------------------


def test_a_call_back_is_scheduled_for_someone_and_done_with_a_note(desk, desk_agent, manager, customer):
    ticket = open_ticket(customer)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)

    callback = callback_schedule(actor=manager, ticket=ticket, due_at=due, assignee=desk_agent, note="Before noon")
    assert Notification.objects.filter(user=desk_agent, verb="callback_assigned").exists()

    callback_done(actor=desk_agent, callback=callback, note="Called; will send the part.")

    callback = Callback.objects.get(pk=callback.pk)
    assert callback.done_at is not None
    assert ticket.messages.filter(visibility=Visibility.INTERNAL, body="Called; will send the part.").exists()
    with pytest.raises(ValidationFailed):
        callback_done(actor=desk_agent, callback=callback)


def test_a_call_back_in_the_past_or_without_a_time_zone_is_refused(desk, desk_agent, customer):
    ticket = open_ticket(customer)

    with pytest.raises(ValidationFailed):
        callback_schedule(actor=desk_agent, ticket=ticket, due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        callback_schedule(actor=desk_agent, ticket=ticket, due_at=dt.datetime(2030, 1, 1, 9))


# --- attachments ----------------------------------------------------------------------------------


def test_images_pdfs_and_text_are_kept_under_a_private_random_name(desk, desk_agent, customer):
    ticket = open_ticket(customer, attachments=[upload("leak.png", PNG), upload("invoice.pdf", PDF)])
    ticket_note(actor=desk_agent, ticket=ticket, body="Log", attachments=[upload("log.txt", "Fehler: Dichtung ñ\n".encode())])

    stored = list(TicketAttachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(a.file_name, a.content_type) for a in stored] == [
        ("leak.png", "image/png"),
        ("invoice.pdf", "application/pdf"),
        ("log.txt", "text/plain"),
    ]
    assert all(a.file.name.startswith("tickets/") and "leak" not in a.file.name for a in stored)


def test_a_file_whose_content_is_not_allowed_is_refused_whatever_its_name(desk, customer):
    disguised = SimpleUploadedFile("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")

    with pytest.raises(ValidationFailed) as refused:
        open_ticket(customer, attachments=[disguised])

    assert [(e.field, e.code) for e in refused.value.errors] == [("attachments[0]", "file_type")]


def test_a_file_over_the_size_limit_is_refused(settings, desk, customer):
    settings.SERVICE_ATTACHMENT_MAX_BYTES = 1024 * 1024

    with pytest.raises(ValidationFailed) as refused:
        open_ticket(customer, attachments=[upload("big.png", PNG + b"\x00" * (1024 * 1024))])

    assert [(e.field, e.code, str(e.reason)) for e in refused.value.errors] == [
        ("attachments[0]", "too_large", "is larger than 1 MB")
    ]
