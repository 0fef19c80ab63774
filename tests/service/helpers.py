"""Small builders shared by the service desk tests."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.service.models import Ticket, TicketChannel, TicketKind
from aftersales.service.services import ticket_open

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def open_ticket(customer: Any, *, actor: Any = None, **kwargs: Any) -> Ticket:
    """Open a ticket with sensible defaults."""
    values: dict[str, Any] = {
        "subject": "The dishwasher leaks",
        "body": "Water on the floor after every wash.",
        "kind": TicketKind.QUESTION,
        "channel": TicketChannel.EMAIL,
    }
    values.update(kwargs)
    return ticket_open(actor=actor, customer=customer, **values)


def upload(name: str = "photo.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def signed_in(user: Any) -> Client:
    """Return a test client signed in as a user (a staff member or a customer's portal account)."""
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return response.content.decode()
