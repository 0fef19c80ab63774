"""The signed quote link in the email: it answers one quote, expires, and tampering shows a clear page."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.warranty.models import QuoteChannel, QuoteStatus
from aftersales.warranty.repair_links import quote_token
from aftersales.warranty.services import repair_diagnose, repair_open, repair_part_add, repair_quote_send
from tests.repairs.conftest import NOW, expired_unit, part

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(frozen, technician):
    order = repair_open(actor=technician, unit=expired_unit(language="es"))
    repair_diagnose(actor=technician, order=order, diagnosis="Junta rota.")
    repair_part_add(actor=technician, order=order, part=part())
    return repair_quote_send(actor=technician, order=order)


def link(token: str) -> str:
    return f"/portal/repairs/quote/{token}/"


def test_the_link_shows_the_quote_in_the_customers_language_without_signing_in(client, quote):
    response = client.get(link(quote_token(quote)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Aprobar el presupuesto" in page and "Junta de puerta (SEAL-01)" in page and "29,90" in page
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING  # opening the link (or a mail scanner) decides nothing


def test_approving_from_the_link_records_the_email_link_as_the_channel(client, quote):
    response = client.post(link(quote_token(quote)), {"answer": "approve"})

    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED and quote.decided_via == QuoteChannel.EMAIL_LINK


def test_a_tampered_link_is_refused_with_a_clear_page(client, quote):
    token = quote_token(quote)
    forged = token.replace(token[2], "x" if token[2] != "x" else "y", 1)

    response = client.post(link(forged), {"answer": "approve"})

    assert response.status_code == 400
    assert "no es válido" in response.content.decode() or "not valid" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING


def test_a_link_for_another_repair_cannot_be_made_by_editing_the_token(client, quote):
    # The payload names the order and quote number; a token signed with another salt does not pass.
    from django.core import signing

    other = signing.dumps({"o": quote.order_id + 1, "q": 1}, salt="aftersales.messaging.unsubscribe", compress=False)

    assert client.get(link(other)).status_code == 400


def test_an_expired_link_says_so_and_points_to_the_portal(client, quote, frozen, settings):
    token = quote_token(quote)
    frozen.move_to(NOW + dt.timedelta(days=settings.REPAIR_QUOTE_LINK_MAX_AGE_DAYS, seconds=1), tick=False)

    response = client.post(link(token), {"answer": "approve"})

    assert response.status_code == 410
    assert "/portal/sign-in/" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING


def test_a_link_to_a_replaced_quote_no_longer_answers(client, quote, technician):
    token = quote_token(quote)
    repair_part_add(actor=technician, order=quote.order, part=part(sku="KNOB-1", name="Knob"))

    response = client.post(link(token), {"answer": "approve"})

    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SUPERSEDED
    assert "ya no se puede responder" in response.content.decode()
