"""The warranty API: coverage, the public check and its protection, claims and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT

from aftersales.warranty.models import WarrantyClaim
from aftersales.warranty.services import claim_submit
from tests.warranty.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)
    cache.clear()


def check(client, serial, proof, **extra):
    return client.post("/api/v1/warranty/check", {"serial": serial, "proof": proof}, content_type="application/json", **extra)


def test_coverage_of_a_unit_in_the_language_of_the_request(api_as, agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    response = api_as(agent).get(f"/api/v1/warranty/units/{unit.pk}/coverage?on=2026-05-01", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    body = response.json()
    assert body["covered"] is True and body["kind"] == "standard" and body["valid_until"] == "2027-02-28"
    assert body["explanation"].startswith("Cubierto hasta el 28 de febrero de 2027")


def test_public_check_by_receipt_number_or_email_without_signing_in():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    client = Client()

    by_receipt = check(client, unit.serial.lower(), unit.sale_line.sale.receipt_number)
    by_email = check(client, unit.serial, unit.customer.email.upper())

    assert by_receipt.status_code == by_email.status_code == 200
    assert by_receipt.json()["coverage"]["explanation"].startswith("Covered until 28 February 2027")
    assert by_email.json()["serial"] == unit.serial


def test_a_wrong_serial_and_a_wrong_proof_get_the_same_answer():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    client = Client()

    wrong_serial = check(client, "NO-SUCH-SERIAL", unit.customer.email)
    wrong_proof = check(client, unit.serial, "someone@example.com")

    assert wrong_serial.status_code == wrong_proof.status_code == 404
    assert wrong_serial.json() == wrong_proof.json()


def test_the_public_check_answers_429_after_the_limit_per_serial(settings):
    settings.WARRANTY_CHECKS_PER_SERIAL = 3
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    client = Client()

    answers = [check(client, unit.serial, f"guess{n}@example.com", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]
    blocked = check(client, unit.serial, unit.customer.email, REMOTE_ADDR="10.0.0.99")

    assert answers == [404, 404, 404]
    assert blocked.status_code == 429
    assert "Too many warranty checks" in blocked.json()["detail"]


def test_the_public_check_answers_429_after_the_limit_per_address(settings):
    settings.WARRANTY_CHECKS_PER_ADDRESS = 2
    client = Client()

    codes = [check(client, f"SERIAL-{n}", "x@example.com").status_code for n in range(3)]

    assert codes == [404, 404, 429]


def test_a_customer_opens_a_claim_with_a_receipt_and_sees_only_their_own(portal_as, agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    other = claim_submit(actor=agent, unit=sold_unit(), fault_code="leak", fault_description="Leaks.")
    client = portal_as(unit.customer, enforce_csrf_checks=False)
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")

    created = client.post(
        "/api/v1/warranty/claims",
        {"unit_id": unit.pk, "fault_code": "noise", "fault_description": "Loud rattle.", "receipt": receipt},
        content_type=MULTIPART_CONTENT,
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "approved" and body["coverage"]["covered"] is True
    assert [event["kind"] for event in body["history"]] == ["submitted", "checked"]
    listed = client.get("/api/v1/warranty/claims").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert client.get(f"/api/v1/warranty/claims/{other.pk}").status_code == 404
    assert (
        client.post(f"/api/v1/warranty/claims/{body['id']}/decide", {"decision": "rejected", "reason": "misuse"}).status_code
        == 403
    )


def test_a_customer_cannot_claim_for_someone_elses_unit(portal_as):
    unit = sold_unit()
    stranger = sold_unit()

    response = portal_as(unit.customer).post(
        "/api/v1/warranty/claims",
        {"unit_id": stranger.pk, "fault_code": "noise", "fault_description": "…"},
        content_type=MULTIPART_CONTENT,
    )

    assert response.status_code == 404
    assert not WarrantyClaim.objects.exists()


def test_reps_view_claims_but_may_not_decide_agents_may(api_as, rep, agent, technician):
    claim = claim_submit(
        actor=agent, unit=sold_unit(months=6, delivered_at=madrid(2025, 3, 1)), fault_code="leak", fault_description="Leaks."
    )
    url = f"/api/v1/warranty/claims/{claim.pk}/decide"
    payload = {"decision": "approved", "reason": "other", "text": "Goodwill."}

    assert api_as(rep).get(f"/api/v1/warranty/claims/{claim.pk}").status_code == 200
    assert api_as(rep).post(url, payload).status_code == 403
    assert api_as(technician).post(url, payload).status_code == 403
    decided = api_as(agent).post(url, payload)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert decided.json()["history"][-1]["actor"] == str(agent)


def test_decide_with_a_bad_reason_answers_400_naming_the_field(api_as, agent):
    claim = claim_submit(
        actor=agent, unit=sold_unit(months=6, delivered_at=madrid(2025, 3, 1)), fault_code="leak", fault_description="Leaks."
    )

    response = api_as(agent).post(f"/api/v1/warranty/claims/{claim.pk}/decide", {"decision": "approved", "reason": "misuse"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"


def test_staff_open_a_claim_from_a_ticket_number(api_as, manager):
    from aftersales.service.services import ticket_open

    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    ticket = ticket_open(
        actor=manager, customer=unit.customer, subject="Broken", body="…", kind="claim", channel="phone", unit=unit
    )

    response = api_as(manager).post(
        "/api/v1/warranty/claims",
        {"unit_id": unit.pk, "fault_code": "no_power", "fault_description": "Dead.", "ticket_number": ticket.number},
        content_type=MULTIPART_CONTENT,
    )

    assert response.status_code == 201, response.content
    assert response.json()["ticket_number"] == ticket.number


def test_a_customer_claiming_from_their_own_ticket_links_it_without_an_internal_note(portal_as, manager):
    from aftersales.service.models import TicketMessage
    from aftersales.service.services import ticket_open

    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    ticket = ticket_open(
        actor=manager, customer=unit.customer, subject="Noise", body="…", kind="claim", channel="phone", unit=unit
    )

    response = portal_as(unit.customer).post(
        "/api/v1/warranty/claims",
        {"unit_id": unit.pk, "fault_code": "noise", "fault_description": "Rattle.", "ticket_number": ticket.number},
        content_type=MULTIPART_CONTENT,
    )

    assert response.status_code == 201 and response.json()["ticket_number"] == ticket.number
    assert not TicketMessage.objects.filter(ticket=ticket, visibility="internal").exists()
