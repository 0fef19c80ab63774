"""Returns through the API, the console and the portal: who may do what, errors naming fields, customers seeing
only their own returns, and the cost report."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from aftersales.warranty import services
from aftersales.warranty.models import ClaimStatus, CostEntry, ReturnPolicy, ReturnRequest, ReturnStatus
from tests.returns.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(madrid(2026, 2, 20, 11), tick=False):
        yield


def _inspected(agent, price="200.00"):
    unit = sold_unit(price=price, delivered_at=madrid(2026, 2, 13))
    rma = services.return_request_open(actor=None, unit=unit, wish="return", condition="unopened")
    services.return_request_receive(actor=agent, request=rma)
    services.return_request_inspect(actor=agent, request=rma, condition_found="unopened", accept=True)
    return rma


def test_a_customer_evaluates_and_opens_a_return_through_the_api(portal_as):
    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13), language="es")
    client = portal_as(unit.customer, HTTP_ACCEPT_LANGUAGE="es")
    answer = client.get(f"/api/v1/returns/units/{unit.pk}/evaluation", {"wish": "return", "condition": "opened"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["allowed"] and body["deadline"] == "2026-03-15" and body["restocking_fee"] == "20.00"
    created = client.post("/api/v1/returns", {"unit_id": unit.pk, "wish": "return", "condition": "opened"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "authorised" and created.json()["reference"].startswith("RMA-")


def test_a_customer_sees_only_their_own_returns(portal_as):
    mine = sold_unit(delivered_at=madrid(2026, 2, 13))
    theirs = sold_unit(delivered_at=madrid(2026, 2, 13))
    other = services.return_request_open(actor=None, unit=theirs, wish="return", condition="unopened")
    client = portal_as(mine.customer)
    assert client.get(f"/api/v1/returns/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/returns/units/{theirs.pk}/evaluation?wish=return&condition=unopened").status_code == 404
    assert client.post("/api/v1/returns", {"unit_id": theirs.pk, "wish": "return", "condition": "unopened"}).status_code == 404
    assert client.get("/api/v1/returns").json()["items"] == []
    # Nor may they act as staff on their own.
    own = services.return_request_open(actor=None, unit=mine, wish="return", condition="unopened")
    assert client.post(f"/api/v1/returns/{own.pk}/receive", {}).status_code == 404


def test_a_customer_sees_only_their_own_returns_on_the_portal(client):
    from aftersales.customers.services import customer_portal_user

    mine = sold_unit(delivered_at=madrid(2026, 2, 13))
    theirs = sold_unit(delivered_at=madrid(2026, 2, 13))
    other = services.return_request_open(actor=None, unit=theirs, wish="return", condition="unopened")
    own = services.return_request_open(actor=None, unit=mine, wish="return", condition="unopened")
    client.force_login(customer_portal_user(customer=mine.customer))
    assert client.get(f"/portal/returns/{other.pk}/").status_code == 404
    assert client.get(f"/portal/products/{theirs.pk}/return/").status_code == 404
    page = client.get(f"/portal/returns/{own.pk}/")
    assert page.status_code == 200 and own.reference in page.content.decode()
    listing = client.get("/portal/returns/").content.decode()
    assert own.reference in listing and other.reference not in listing


def test_the_portal_shows_the_policy_before_opening_the_return(client):
    from aftersales.customers.services import customer_portal_user

    unit = sold_unit(price="200.00", delivered_at=madrid(2026, 2, 13), language="es")
    client.force_login(customer_portal_user(customer=unit.customer))
    preview = client.post(f"/portal/products/{unit.pk}/return/", {"wish": "return", "condition": "opened"})
    assert preview.status_code == 200
    assert "Puede devolverlo hasta el 15 de marzo de 2026" in preview.content.decode()
    assert not ReturnRequest.objects.exists()
    done = client.post(f"/portal/products/{unit.pk}/return/", {"wish": "return", "condition": "opened", "confirm": "1"})
    rma = ReturnRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/portal/returns/{rma.pk}/"


def test_a_sales_rep_cannot_refund(api_as, rep, agent):
    rma = _inspected(agent)
    answer = api_as(rep).post(f"/api/v1/returns/{rma.pk}/refund", {"method": "cash"})
    assert answer.status_code == 403
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.INSPECTED and not CostEntry.objects.exists()


def test_refund_errors_name_the_fields_and_nothing_is_written(api_as, manager, agent):
    rma = _inspected(agent)
    answer = api_as(manager).post(f"/api/v1/returns/{rma.pk}/refund", {"method": "cheque", "amount": "999.00"})
    assert answer.status_code == 400
    fields = {error["field"] for error in answer.json()["errors"]}
    assert fields == {"method", "amount"}
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.INSPECTED and not CostEntry.objects.exists()


def test_a_refund_twice_is_refused_and_costs_once(api_as, manager, agent):
    rma = _inspected(agent)
    client = api_as(manager)
    first = client.post(f"/api/v1/returns/{rma.pk}/refund", {"method": "store_credit", "reference": "SC-1"})
    second = client.post(f"/api/v1/returns/{rma.pk}/refund", {"method": "store_credit", "reference": "SC-1"})
    assert first.status_code == 200 and first.json()["refund_amount"] == "200.00"
    assert second.status_code == 409
    assert CostEntry.objects.filter(kind="refund").count() == 1


def test_the_api_replaces_a_unit_and_errors_name_fields(api_as, agent, rep):
    unit = sold_unit(delivered_at=madrid(2026, 1, 10))
    assert (
        api_as(rep).post(f"/api/v1/warranty/units/{unit.pk}/replace", {"new_serial": "X", "reason": "warranty"}).status_code
        == 403
    )
    bad = api_as(agent).post(f"/api/v1/warranty/units/{unit.pk}/replace", {"new_serial": "", "reason": "whim"})
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"new_serial", "reason"}
    done = api_as(agent).post(f"/api/v1/warranty/units/{unit.pk}/replace", {"new_serial": "NEW-9", "reason": "goodwill"})
    assert done.status_code == 201, done.content
    assert done.json()["warranty_rule"] == "carry_over" and done.json()["carried_until"] == "2028-01-09"
    listed = api_as(agent).get(f"/api/v1/warranty/units/{unit.pk}/replacements").json()
    assert [row["new_serial"] for row in listed] == ["NEW-9"]


def test_managers_edit_policies_and_agents_cannot(api_as, manager, agent):
    policy = ReturnPolicy.objects.get(is_default=True)
    payload = {
        "name": "Standard returns",
        "return_window_days": 45,
        "exchange_window_days": 60,
        "refund_methods": ["original_payment"],
        "conditions": {"opened": {"accepts_return": True, "accepts_exchange": True, "fee_percent": "5"}},
    }
    assert api_as(agent).put(f"/api/v1/returns/policies/{policy.pk}", payload).status_code == 403
    answer = api_as(manager).put(f"/api/v1/returns/policies/{policy.pk}", payload)
    assert answer.status_code == 200, answer.content
    assert answer.json()["return_window_days"] == 45 and answer.json()["conditions"]["opened"]["fee_percent"] == "5.00"
    bad = api_as(manager).put(
        f"/api/v1/returns/policies/{policy.pk}", {**payload, "return_window_days": 400, "refund_methods": ["gold"]}
    )
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"return_window_days", "refund_methods"}


def test_the_cost_report_is_for_managers_and_sums_per_product(api_as, manager, agent):
    rma = _inspected(agent, price="150.00")
    services.return_request_refund(actor=manager, request=rma, method="cash")
    assert api_as(agent).get("/api/v1/costs/summary").status_code == 403
    report = api_as(manager).get("/api/v1/costs/summary", {"start": "2026-02-01", "end": "2026-02-28", "group_by": "product"})
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["company_borne"] == "150.00" and body["rows"][0]["units_sold"] == 1
    assert body["rows"][0]["per_unit_sold"] == "150.00"
    bad = api_as(manager).get("/api/v1/costs/summary", {"start": "yesterday", "group_by": "colour"})
    assert {error["field"] for error in bad.json()["errors"]} == {"start", "group_by"}


def test_the_console_return_flow_and_cost_csv(signed_in, manager, agent):
    unit = sold_unit(price="120.00", delivered_at=madrid(2026, 2, 13))
    client = signed_in(manager)
    preview = client.get(f"/units/id/{unit.pk}/return/", {"wish": "return", "condition": "used"})
    assert "A 20% restocking fee (24.00 EUR) applies because the product was used." in preview.content.decode()
    opened = client.post(f"/units/id/{unit.pk}/return/", {"wish": "return", "condition": "used"})
    rma = ReturnRequest.objects.get(unit=unit)
    assert opened.status_code == 302 and rma.status == ReturnStatus.AUTHORISED
    for action, data in (
        ("receive", {"logistics_cost": "9.90"}),
        ("inspect", {"condition_found": "used", "accept": "1"}),
        ("refund", {"method": "original_payment", "reference": "CARD-77"}),
        ("close", {}),
    ):
        response = client.post(f"/returns/{rma.pk}/{action}/", data)
        assert response.status_code == 302, action
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CLOSED and rma.refund_amount == Decimal("96.00")
    detail = client.get(f"/returns/{rma.pk}/").content.decode()
    assert "CARD-77" in detail
    assert rma.reference in client.get("/returns/?status=closed").content.decode()
    csv_text = client.get("/costs/", {"start": "2026-02-01", "end": "2026-02-28", "export": "rows"}).content.decode()
    assert "105.90" in csv_text  # the refund and the collection cost, both borne by the company
    assert client.get("/costs/").status_code == 200


def test_console_permissions(signed_in, rep, technician, agent):
    unit = sold_unit(delivered_at=madrid(2026, 2, 13))
    rma = services.return_request_open(actor=None, unit=unit, wish="return", condition="unopened")
    services.return_request_receive(actor=agent, request=rma)
    services.return_request_inspect(actor=agent, request=rma, condition_found="unopened", accept=True)
    assert signed_in(rep).post(f"/returns/{rma.pk}/refund/", {"method": "cash"}).status_code == 403
    assert signed_in(technician).get("/costs/").status_code == 403
    assert signed_in(agent).get(f"/returns/{rma.pk}/").status_code == 200
    assert signed_in(agent).get("/returns/policies/new/").status_code == 403


def test_replace_at_once_from_a_delivery_damage_claim(signed_in, agent):
    unit = sold_unit(delivered_at=madrid(2026, 2, 18))
    claim = services.claim_submit(actor=agent, unit=unit, fault_code="delivery_damage", fault_description="Crushed box")
    assert claim.status == ClaimStatus.APPROVED
    client = signed_in(agent)
    page = client.get(f"/warranty/claims/{claim.pk}/").content.decode()
    assert "Damaged on arrival: replace it at once." in page
    form = client.get(f"/units/id/{unit.pk}/replace/?claim={claim.pk}").content.decode()
    assert 'value="delivery_damage" selected' in form
    done = client.post(
        f"/units/id/{unit.pk}/replace/",
        {"claim": claim.pk, "new_serial": "FRESH-1", "reason": "delivery_damage", "covered": "on"},
    )
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.replacement.new_unit.serial == "FRESH-1"
    old_page = client.get(f"/units/id/{unit.pk}/").content.decode()
    assert "FRESH-1" in old_page and claim.replacement.reference in old_page


def test_the_portal_product_page_shows_the_replacement(client, agent):
    from aftersales.customers.services import customer_portal_user

    unit = sold_unit(delivered_at=madrid(2026, 1, 10))
    replacement = services.unit_replace(actor=agent, unit=unit, new_serial="SHINY-2", reason="warranty")
    client.force_login(customer_portal_user(customer=unit.customer))
    page = client.get(f"/portal/products/{replacement.new_unit_id}/").content.decode()
    assert f"This product replaced the one with serial {unit.serial}." in page
    assert f"carried over from serial {unit.serial}" in page
