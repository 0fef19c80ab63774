"""Console and portal screens of the warranty."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.customers.services import customer_portal_user
from aftersales.service.models import TicketMessage
from aftersales.service.services import ticket_open
from aftersales.warranty.models import ClaimStatus, WarrantyClaim
from aftersales.warranty.services import claim_submit
from tests.factories import CustomerFactory, ProductFactory, UnitFactory
from tests.warranty.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)
    cache.clear()


def alert(response) -> list[str]:
    return re.findall(r'<p class="alert" role="alert">(.*?)</p>', response.content.decode())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_unit_page_shows_coverage_now_and_starts_a_claim(agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    client = signed_in(agent)

    page = client.get(f"/units/id/{unit.pk}/")
    assert (
        "Covered until 28 February 2027 by the 24-month standard warranty from delivery on 1 March 2025" in page.content.decode()
    )

    response = client.post(f"/units/id/{unit.pk}/claim/", {"fault_code": "noise", "fault_description": "Rattles when spinning."})
    claim = WarrantyClaim.objects.get(unit=unit)
    assert response.status_code == 302 and response["Location"] == f"/warranty/claims/{claim.pk}/"
    assert claim.status == ClaimStatus.APPROVED and claim.opened_by == agent


def test_a_claim_started_from_a_ticket_link_notes_the_ticket(manager):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    ticket = ticket_open(
        actor=manager, customer=unit.customer, subject="Noise", body="…", kind="claim", channel="phone", unit=unit
    )
    client = signed_in(manager)

    form = client.get(f"/units/id/{unit.pk}/claim/?ticket={ticket.number}")
    assert f'value="{ticket.number}"' in form.content.decode()
    client.post(f"/units/id/{unit.pk}/claim/", {"fault_code": "noise", "fault_description": "Rattle.", "ticket": ticket.number})

    claim = WarrantyClaim.objects.get(unit=unit)
    assert claim.ticket == ticket
    assert TicketMessage.objects.filter(ticket=ticket, visibility="internal", body__contains=claim.reference).exists()


def test_the_queue_filters_by_status_and_staff_decide_from_the_claim_page(agent):
    covered = claim_submit(
        actor=agent, unit=sold_unit(delivered_at=madrid(2025, 3, 1)), fault_code="leak", fault_description="Leaks."
    )
    expired = claim_submit(
        actor=agent, unit=sold_unit(months=6, delivered_at=madrid(2025, 3, 1)), fault_code="leak", fault_description="Leaks."
    )
    client = signed_in(agent)

    queue = client.get("/warranty/claims/?status=rejected").content.decode()
    assert expired.reference in queue and covered.reference not in queue

    detail = client.get(f"/warranty/claims/{expired.pk}/").content.decode()
    assert "Not covered: the warranty ended on 31 August 2025" in detail
    client.post(f"/warranty/claims/{expired.pk}/decide/", {"decision": "approved", "reason": "other", "text": "Goodwill."})

    expired.refresh_from_db()
    assert expired.status == ClaimStatus.APPROVED and expired.decided_by == agent


def test_a_rep_sees_claims_but_gets_no_decide_form_and_cannot_post_one(rep, agent):
    claim = claim_submit(
        actor=agent, unit=sold_unit(months=6, delivered_at=madrid(2025, 3, 1)), fault_code="leak", fault_description="Leaks."
    )
    client = signed_in(rep)

    page = client.get(f"/warranty/claims/{claim.pk}/")
    refused = client.post(f"/warranty/claims/{claim.pk}/decide/", {"decision": "approved", "reason": "other", "text": "x"})

    assert page.status_code == 200 and "Record decision" not in page.content.decode()
    assert refused.status_code == 403


def test_staff_verify_a_receipt_uploaded_on_the_portal(agent):
    customer = CustomerFactory()
    unit = UnitFactory(sale_line=None, customer=customer, product=ProductFactory(), delivered_at=madrid(2025, 6, 1))
    portal = signed_in(customer_portal_user(customer=customer))
    receipt = SimpleUploadedFile("receipt.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, content_type="image/jpeg")

    portal.post(
        f"/portal/products/{unit.pk}/claim/", {"fault_code": "no_power", "fault_description": "Dead.", "receipt": receipt}
    )
    claim = WarrantyClaim.objects.get(unit=unit)
    assert claim.status == ClaimStatus.NEEDS_INSPECTION

    staff = signed_in(agent)
    assert staff.get(f"/warranty/claims/{claim.pk}/receipt/")["Content-Type"] == "image/jpeg"
    staff.post(f"/warranty/claims/{claim.pk}/verify/", {"valid": "1"})

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_the_portal_asks_for_a_receipt_when_no_sale_is_on_record():
    customer = CustomerFactory()
    unit = UnitFactory(sale_line=None, customer=customer, product=ProductFactory(), delivered_at=madrid(2025, 6, 1))
    portal = signed_in(customer_portal_user(customer=customer))

    response = portal.post(f"/portal/products/{unit.pk}/claim/", {"fault_code": "no_power", "fault_description": "Dead."})

    assert response.status_code == 200 and "Please add a photo or PDF of your receipt." in response.content.decode()
    assert not WarrantyClaim.objects.exists()


def test_the_portal_shows_warranty_per_product_in_the_customers_language():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1), language="es")
    portal = signed_in(customer_portal_user(customer=unit.customer))

    page = portal.get("/portal/").content.decode()

    assert "Cubierto hasta el 28 de febrero de 2027" in page


def test_a_customer_follows_their_claims_and_never_sees_anothers(agent):
    mine = sold_unit(delivered_at=madrid(2025, 3, 1))
    theirs = claim_submit(actor=agent, unit=sold_unit(), fault_code="leak", fault_description="Leaks.")
    portal = signed_in(customer_portal_user(customer=mine.customer))

    portal.post(f"/portal/products/{mine.pk}/claim/", {"fault_code": "noise", "fault_description": "Rattle."})
    claim = WarrantyClaim.objects.get(unit=mine)

    assert claim.reference in portal.get("/portal/claims/").content.decode()
    assert portal.get(f"/portal/claims/{claim.pk}/").status_code == 200
    assert portal.get(f"/portal/claims/{theirs.pk}/").status_code == 404
    assert portal.get(f"/portal/products/{theirs.unit_id}/claim/").status_code == 404


def test_the_public_check_page_answers_alike_for_any_miss_and_429_after_the_limit(settings):
    settings.WARRANTY_CHECKS_PER_ADDRESS = 3
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    client = Client()
    assert "/portal/warranty-check/" in client.get("/portal/sign-in/").content.decode()

    found = client.post("/portal/warranty-check/", {"serial": unit.serial, "proof": unit.sale_line.sale.receipt_number})
    wrong_serial = client.post("/portal/warranty-check/", {"serial": "NOPE", "proof": unit.customer.email})
    wrong_proof = client.post("/portal/warranty-check/", {"serial": unit.serial, "proof": "nobody@example.com"})
    blocked = client.post("/portal/warranty-check/", {"serial": unit.serial, "proof": unit.customer.email})

    assert found.status_code == 200 and "Covered until 28 February 2027" in found.content.decode()
    assert wrong_serial.status_code == wrong_proof.status_code == 404
    assert alert(wrong_serial) == alert(wrong_proof) == ["No product matches this serial number and proof of purchase."]
    assert "Covered" not in wrong_proof.content.decode()
    assert blocked.status_code == 429


def test_a_ticket_about_a_unit_offers_a_warranty_claim_that_keeps_the_ticket(manager):
    unit = sold_unit()
    ticket = ticket_open(
        actor=manager, customer=unit.customer, unit=unit, subject="Broken", body="It stopped.", kind="repair", channel="phone"
    )
    client = signed_in(manager)

    page = client.get(f"/tickets/{ticket.number}/").content.decode()

    link = f"/units/id/{unit.pk}/claim/?ticket={ticket.number}"
    assert link in page
    assert f'value="{ticket.number}"' in client.get(link).content.decode()
