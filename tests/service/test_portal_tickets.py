"""The customer's requests in the portal: their own only, never an internal note, in their language and time."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from aftersales.customers.services import customer_portal_user
from aftersales.service.models import Ticket, TicketChannel, TicketStatus, Visibility
from aftersales.service.services import ticket_merge, ticket_note, ticket_reply
from tests.factories import CustomerFactory, UnitFactory
from tests.service.helpers import PDF, PNG, open_ticket, signed_in, text_of, upload
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db


def portal_client(customer) -> Client:
    return signed_in(customer_portal_user(customer=customer))


@pytest.fixture
def lucia():
    return CustomerFactory(name="Lucía Fernández", language="es", time_zone="Europe/Madrid")


def test_anonymous_visitors_are_sent_to_sign_in_and_staff_are_refused(client, agent):
    assert client.get(reverse("portal:requests")).url == reverse("portal:sign_in")
    client.force_login(agent)
    assert client.get(reverse("portal:requests")).status_code == 403


def test_a_customer_lists_only_their_own_requests_with_status_in_their_language(lucia):
    mine = open_ticket(lucia, subject="La lavadora pierde agua")
    someone_elses = open_ticket(CustomerFactory(), subject="Another customer's")

    page = text_of(portal_client(lucia).get(reverse("portal:requests")))

    assert "Mis solicitudes" in page
    assert mine.reference in page and "Recibida" in page
    assert someone_elses.reference not in page and "Another customer's" not in page


def test_another_customers_request_and_its_files_answer_not_found(lucia):
    theirs = open_ticket(CustomerFactory(), attachments=[upload("photo.png", PNG)])
    client = portal_client(lucia)

    assert client.get(reverse("portal:request", args=[theirs.number])).status_code == 404
    assert client.get(reverse("portal:request_attachment", args=[theirs.attachments.get().pk])).status_code == 404
    assert client.post(reverse("portal:request", args=[theirs.number]), {"body": "Hi"}).status_code == 404
    assert theirs.messages.count() == 1


def test_internal_notes_and_their_files_never_reach_the_portal(lucia, desk_agent):
    ticket = open_ticket(lucia)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Le llamamos mañana.")
    note = ticket_note(actor=desk_agent, ticket=ticket, body="Customer is difficult", attachments=[upload("notes.pdf", PDF)])
    client = portal_client(lucia)

    page = text_of(client.get(reverse("portal:request", args=[ticket.number])))
    download = client.get(reverse("portal:request_attachment", args=[note.attachments.get().pk]))

    assert "Le llamamos mañana." in page
    assert "Customer is difficult" not in page and "notes.pdf" not in page
    assert download.status_code == 404


def test_the_customer_downloads_the_photo_they_sent(lucia):
    ticket = open_ticket(lucia, attachments=[upload("leak.png", PNG)])

    response = portal_client(lucia).get(reverse("portal:request_attachment", args=[ticket.attachments.get().pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="leak.png"')


def test_a_new_request_about_one_of_their_products_opens_a_portal_ticket(lucia):
    unit = UnitFactory(sale_line__sale__customer=lucia)

    response = portal_client(lucia).post(
        reverse("portal:request_new"),
        {
            "unit": unit.pk,
            "kind": "repair",
            "subject": "No centrifuga",
            "body": "Hace ruido",
            "attachments": [upload("a.png", PNG)],
        },
    )

    ticket = Ticket.objects.get()
    assert response.url == reverse("portal:request", args=[ticket.number])
    assert (ticket.customer, ticket.unit, ticket.kind, ticket.channel) == (lucia, unit, "repair", TicketChannel.PORTAL)
    assert ticket.messages.get().author_customer == lucia
    assert ticket.attachments.get().file_name == "a.png"


def test_the_form_offers_only_the_customers_own_products_and_every_kind_of_request(lucia):
    mine = UnitFactory(sale_line__sale__customer=lucia, serial="MINE-1")
    UnitFactory(serial="THEIRS-1")
    client = portal_client(lucia)

    page = text_of(client.get(reverse("portal:request_new")))
    refused = client.post(reverse("portal:request_new"), {"unit": mine.pk + 1, "kind": "question", "subject": "x", "body": "y"})

    assert "MINE-1" in page and "THEIRS-1" not in page
    kinds = re.findall(r'<option value="(\w+)"', page[page.index('name="kind"') :].split("</select>")[0])
    assert kinds == ["question", "complaint", "claim", "installation", "maintenance", "repair", "exchange", "refund", "training"]
    assert refused.status_code == 400 and not Ticket.objects.exists()


def test_a_file_too_large_is_refused_next_to_the_photos_field_in_spanish(lucia, settings):
    settings.SERVICE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = upload("huge.png", PNG + b"\x00" * (1024 * 1024 + 1))

    response = portal_client(lucia).post(
        reverse("portal:request_new"), {"kind": "question", "subject": "Foto", "body": "Adjunto", "attachments": [big]}
    )

    assert response.status_code == 400
    field = text_of(response)
    field = field[field.index('for="id_attachments"') :][:900]
    assert "ocupa más de 1 MB" in field
    assert not Ticket.objects.exists()


def test_the_customer_replies_and_a_resolved_request_opens_again(lucia, desk_agent):
    ticket = open_ticket(lucia)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Resuelto", status=TicketStatus.RESOLVED)

    response = portal_client(lucia).post(reverse("portal:request", args=[ticket.number]), {"body": "Sigue sin funcionar"})

    assert response.url == reverse("portal:request", args=[ticket.number])
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    reply = ticket.messages.order_by("-id").first()
    assert (reply.body, reply.author_customer, reply.channel, reply.visibility) == (
        "Sigue sin funcionar",
        lucia,
        TicketChannel.PORTAL,
        Visibility.PUBLIC,
    )


def test_writing_on_a_closed_request_opens_a_new_one_and_goes_there(lucia, desk_agent):
    ticket = open_ticket(lucia)
    ticket_reply(actor=desk_agent, ticket=ticket, body="Cerrado", status=TicketStatus.CLOSED)

    response = portal_client(lucia).post(reverse("portal:request", args=[ticket.number]), {"body": "Otra vez"}, follow=True)

    newer = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response.redirect_chain[-1][0] == reverse("portal:request", args=[newer.number])
    assert newer.reference in text_of(response)


def test_an_empty_reply_is_refused_next_to_the_field(lucia):
    ticket = open_ticket(lucia)

    response = portal_client(lucia).post(reverse("portal:request", args=[ticket.number]), {"body": ""})

    assert response.status_code == 400
    assert re.search(r'for="id_body".*?Este campo es obligatorio', text_of(response), re.S)


def test_the_expected_answer_time_is_shown_in_the_customers_language_and_time_zone():
    tokyo = CustomerFactory(language="en", time_zone="Asia/Tokyo")
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):  # Monday: answer due 18:00 Madrid = 02:00 Tokyo
        ticket = open_ticket(tokyo)
        listed = text_of(portal_client(tokyo).get(reverse("portal:requests")))
        detail = text_of(portal_client(tokyo).get(reverse("portal:request", args=[ticket.number])))

    assert "We aim to answer by" in listed and 'datetime="2025-03-04T02:00:00+09:00"' in listed
    assert "We aim to resolve it by" in detail


def test_a_spanish_customer_reads_the_expected_times_in_spanish(lucia, desk_agent):
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(lucia)
        ticket_reply(actor=desk_agent, ticket=ticket, body="Hola")
        page = text_of(portal_client(lucia).get(reverse("portal:request", args=[ticket.number])))

    assert "Respondida por primera vez el" in page
    assert "Prevemos resolverla antes del" in page
    assert 'datetime="2025-03-10T10:00:00+01:00"' in page  # 45 working hours later, in Madrid


def test_a_merged_request_points_to_the_one_it_joined(lucia, desk_agent):
    kept, joined = open_ticket(lucia), open_ticket(lucia)
    ticket_merge(actor=desk_agent, source=joined, target=kept)

    page = text_of(portal_client(lucia).get(reverse("portal:request", args=[joined.number])))
    listed = text_of(portal_client(lucia).get(reverse("portal:requests")))

    assert reverse("portal:request", args=[kept.number]) in page
    assert joined.reference not in listed and kept.reference in listed
