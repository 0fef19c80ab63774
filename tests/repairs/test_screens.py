"""Console and portal screens of repairs, and who may open them."""

from __future__ import annotations

import pytest

from aftersales.customers.services import customer_portal_user
from aftersales.warranty.models import QuoteStatus, RepairOrder, RepairStatus
from aftersales.warranty.services import claim_submit, repair_diagnose, repair_open, repair_part_add, repair_quote_send
from tests.repairs.conftest import covered_unit, expired_unit, part

pytestmark = pytest.mark.django_db


def test_the_board_shows_open_repairs_by_status_with_their_age(frozen, signed_in, agent, technician):
    order = repair_open(actor=technician, unit=covered_unit())

    page = signed_in(agent).get("/repairs/").content.decode()

    assert "Repair board" in page and order.reference in page and "working h since received" in page


def test_the_board_moves_a_repair_with_htmx(frozen, signed_in, technician):
    order = repair_open(actor=technician, unit=covered_unit())

    response = signed_in(technician).post(f"/repairs/{order.pk}/move/", {"status": "diagnosing"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and 'id="repair-board"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == RepairStatus.DIAGNOSING


def test_a_sales_rep_sees_the_board_but_cannot_move_a_repair(frozen, signed_in, rep, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    client = signed_in(rep)

    assert client.get(f"/repairs/{order.pk}/").status_code == 200
    assert client.post(f"/repairs/{order.pk}/move/", {"status": "diagnosing"}).status_code == 403
    order.refresh_from_db()
    assert order.status == RepairStatus.RECEIVED


def test_the_order_page_refuses_repairing_before_the_quote_is_approved(frozen, signed_in, technician):
    order = repair_open(actor=technician, unit=expired_unit())
    client = signed_in(technician)
    client.post(f"/repairs/{order.pk}/diagnose/", {"diagnosis": "Pump blocked"})
    client.post(f"/repairs/{order.pk}/parts/", {"part": part().pk, "quantity": 1, "covered": ""})

    response = client.post(f"/repairs/{order.pk}/move/", {"status": "repairing"}, follow=True)

    page = response.content.decode()
    assert "send the customer a quote" in page and "Billable to the customer" in page and "29.90" in page
    order.refresh_from_db()
    assert order.status == RepairStatus.DIAGNOSING


def test_an_approved_claim_opens_its_repair_from_the_console(frozen, signed_in, agent):
    claim = claim_submit(actor=agent, unit=covered_unit(), fault_code="leak", fault_description="Leaks")
    client = signed_in(agent)

    assert "Receive for repair" in client.get(f"/warranty/claims/{claim.pk}/").content.decode()
    response = client.post(f"/warranty/claims/{claim.pk}/repair/")

    order = RepairOrder.objects.get(claim=claim)
    assert response.status_code == 302 and response.url == f"/repairs/{order.pk}/"
    assert order.covered


def test_the_unit_page_links_its_repairs(frozen, signed_in, agent, technician):
    order = repair_open(actor=technician, unit=covered_unit())

    page = signed_in(agent).get(f"/units/id/{order.unit_id}/").content.decode()

    assert order.reference in page and f"/repairs/{order.pk}/" in page


def test_the_parts_page_warns_about_low_stock_and_lets_a_manager_receive(frozen, signed_in, technician, manager):
    low = part(stock_on_hand=1, reorder_level=3)

    technician_page = signed_in(technician).get("/repairs/parts-catalogue/").content.decode()
    refused = signed_in(technician).post(f"/repairs/parts-catalogue/{low.pk}/receive/", {"quantity": 5})
    received = signed_in(manager).post(f"/repairs/parts-catalogue/{low.pk}/receive/", {"quantity": 5})

    assert "SEAL-01" in technician_page and "reorder" in technician_page and "Receive stock" not in technician_page
    assert refused.status_code == 403 and received.status_code == 302
    low.refresh_from_db()
    assert low.stock_on_hand == 6


def test_a_customer_follows_their_repair_and_approves_the_quote_in_the_portal(frozen, signed_in, technician):
    order = repair_open(actor=technician, unit=expired_unit())
    repair_diagnose(actor=technician, order=order, diagnosis="Seal torn")
    repair_part_add(actor=technician, order=order, part=part())
    quote = repair_quote_send(actor=technician, order=order)
    client = signed_in(customer_portal_user(customer=order.customer))

    page = client.get(f"/portal/repairs/{order.pk}/").content.decode()
    client.post(f"/portal/repairs/{order.pk}/quote/", {"quote": quote.pk, "answer": "approve"})

    assert "Approve the quote" in page and "Seal torn" in page and "29.90" in page
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED and quote.decided_via == "portal"


def test_a_customer_cannot_open_another_customers_repair(frozen, signed_in, technician):
    mine = repair_open(actor=technician, unit=covered_unit())
    theirs = repair_open(actor=technician, unit=covered_unit())
    client = signed_in(customer_portal_user(customer=mine.customer))

    assert client.get(f"/portal/repairs/{theirs.pk}/").status_code == 404
    assert client.post(f"/portal/repairs/{theirs.pk}/quote/", {"answer": "approve"}).status_code == 404
    assert theirs.reference not in client.get("/portal/repairs/").content.decode()


def test_a_customer_cannot_answer_a_quote_of_another_repair_by_its_id(frozen, signed_in, technician):
    mine = repair_open(actor=technician, unit=expired_unit())
    other = repair_open(actor=technician, unit=expired_unit())
    for order in (mine, other):
        repair_diagnose(actor=technician, order=order, diagnosis="Seal torn")
        repair_part_add(actor=technician, order=order, part=part(sku=f"P-{order.pk}"))
    their_quote = repair_quote_send(actor=technician, order=other)
    client = signed_in(customer_portal_user(customer=mine.customer))

    client.post(f"/portal/repairs/{mine.pk}/quote/", {"quote": their_quote.pk, "answer": "approve"})

    their_quote.refresh_from_db()
    assert their_quote.status == QuoteStatus.PENDING
