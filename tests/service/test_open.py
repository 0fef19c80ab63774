"""Opening tickets: numbers, validation, idempotency, repeat contacts, the selling rep, events and timelines."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import Notification, TimelineEvent
from aftersales.core.roles import Role
from aftersales.core.timeline import event_describe
from aftersales.service.models import Ticket, TicketEvent, TicketKind, TicketStatus
from aftersales.service.services import ticket_open
from aftersales.service.signals import ticket_changed, ticket_committed
from tests.factories import CustomerFactory, SaleFactory, SaleLineFactory, UnitFactory, staff
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def test_a_new_ticket_gets_the_next_number_and_lands_in_the_default_queue(customer, desk):
    first = open_ticket(customer)
    second = open_ticket(customer)

    assert second.number == first.number + 1
    assert first.reference == f"#{first.number}"
    assert first.queue == desk and first.department == desk.department
    assert first.status == TicketStatus.NEW
    assert first.messages.get().author_customer == customer
    assert TicketEvent.objects.filter(ticket=first, kind="created").exists()
    assert TimelineEvent.objects.filter(customer=customer, kind="ticket_opened").count() == 2


def test_the_ticket_speaks_the_customers_language_unless_told_otherwise(desk):
    spanish = CustomerFactory(language="es")

    assert open_ticket(spanish).language == "es"
    assert open_ticket(spanish, language="en").language == "en"


def test_bad_input_is_refused_naming_every_field(customer, desk):
    someone_elses = UnitFactory()

    with pytest.raises(ValidationFailed) as refused:
        ticket_open(
            actor=None, customer=customer, subject=" ", body="", kind="gossip", channel="fax", unit=someone_elses, priority="meh"
        )

    fields = {error.field for error in refused.value.errors}
    assert fields == {"subject", "body", "kind", "channel", "unit", "priority"}
    assert not Ticket.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_first_ticket(customer, desk):
    first = open_ticket(customer, idempotency_key="crm-4711")
    again = open_ticket(customer, idempotency_key="crm-4711", subject="Something else")

    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    with pytest.raises(Conflict):
        open_ticket(CustomerFactory(), idempotency_key="crm-4711")


def test_a_ticket_about_the_same_unit_within_the_window_is_a_repeat_contact(settings, desk):
    settings.SERVICE_REPEAT_CONTACT_DAYS = 14
    unit = UnitFactory()
    with time_machine.travel(dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC)):
        original = open_ticket(unit.customer, unit=unit)
    with time_machine.travel(dt.datetime(2025, 5, 10, 10, tzinfo=dt.UTC)):
        repeat = open_ticket(unit.customer, unit=unit)
        about_nothing = open_ticket(unit.customer)
    with time_machine.travel(dt.datetime(2025, 6, 20, 10, tzinfo=dt.UTC)):
        much_later = open_ticket(unit.customer, unit=unit)

    assert repeat.is_repeat and repeat.repeat_of == original
    assert TicketEvent.objects.filter(ticket=repeat, kind="repeat").exists()
    assert not about_nothing.is_repeat, "a ticket without a unit repeats only one without a unit"
    assert not much_later.is_repeat


def test_two_tickets_without_a_unit_are_repeats_of_each_other(desk, customer):
    first = open_ticket(customer)
    second = open_ticket(customer)

    assert second.repeat_of == first


def test_the_rep_who_sold_the_unit_follows_a_complaint_and_is_notified(desk, django_capture_on_commit_callbacks):
    rep = staff(Role.SALES_REP, email="rep@shop.example")
    line = SaleLineFactory(sale=SaleFactory(sales_rep=rep))
    unit = UnitFactory(sale_line=line)

    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(unit.customer, unit=unit, kind=TicketKind.COMPLAINT)

    assert list(ticket.followers.all()) == [rep]
    notification = Notification.objects.get(user=rep)
    assert notification.verb == "ticket_rep_follower"
    assert notification.link == f"/tickets/{ticket.number}/"
    assert any(ticket.reference in message.body and message.to == ["rep@shop.example"] for message in mail.outbox)


def test_the_rep_does_not_follow_a_plain_question(desk):
    rep = staff(Role.SALES_REP)
    unit = UnitFactory(sale_line=SaleLineFactory(sale=SaleFactory(sales_rep=rep)))

    ticket = open_ticket(unit.customer, unit=unit, kind=TicketKind.QUESTION)

    assert not ticket.followers.exists()
    assert not Notification.objects.filter(user=rep).exists()


def test_a_claim_without_a_unit_brings_in_the_rep_of_the_customers_latest_sale(desk, customer):
    old_rep, new_rep = staff(Role.SALES_REP), staff(Role.SALES_REP)
    SaleFactory(customer=customer, sales_rep=old_rep, sold_on=dt.date(2023, 1, 1))
    SaleFactory(customer=customer, sales_rep=new_rep, sold_on=dt.date(2025, 1, 1))

    ticket = open_ticket(customer, kind=TicketKind.CLAIM)

    assert list(ticket.followers.all()) == [new_rep]


def test_signals_go_out_inside_the_transaction_and_again_after_commit(customer, desk, django_capture_on_commit_callbacks):
    inside, after = [], []

    def on_change(sender, ticket, change, actor, data, **kwargs):
        inside.append((change, Ticket.objects.filter(pk=ticket.pk).exists()))

    def on_commit(sender, ticket, change, actor, data, **kwargs):
        after.append(change)

    ticket_changed.connect(on_change)
    ticket_committed.connect(on_commit)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            open_ticket(customer)
            assert after == []
    finally:
        ticket_changed.disconnect(on_change)
        ticket_committed.disconnect(on_commit)

    assert inside == [("created", True)]
    assert after == ["created"]


def test_a_receiver_that_fails_inside_the_transaction_rolls_the_ticket_back(customer, desk):
    def refuse(sender, **kwargs):
        raise RuntimeError("clock store down")

    ticket_changed.connect(refuse)
    try:
        with pytest.raises(RuntimeError):
            open_ticket(customer)
    finally:
        ticket_changed.disconnect(refuse)

    assert not Ticket.objects.exists()


def test_the_timeline_entry_stores_codes_and_reads_in_the_readers_language(desk):
    ticket = open_ticket(CustomerFactory(), kind=TicketKind.COMPLAINT, subject="Noisy fan")
    event = TimelineEvent.objects.get(kind="ticket_opened")

    assert event.data["kind"] == "complaint" and event.data["channel"] == "email"
    assert event_describe(event) == f"Complaint {ticket.reference} opened by Email: “Noisy fan”"
    with translation.override("es"):
        assert event_describe(event) == f"Queja {ticket.reference} abierta por Correo electrónico: «Noisy fan»"
