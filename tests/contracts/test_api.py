"""The contracts API: roles, errors that name their field, and customers seeing only their own contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.contracts.models import ContractPlan, ContractStatus, MaintenanceContract
from tests.contracts.conftest import signed, sold_unit

pytestmark = pytest.mark.django_db


def body(unit, **extra):
    return {
        "customer_id": unit.customer_id,
        "unit_ids": [unit.pk],
        "starts_on": "2026-01-01",
        "price": "600.00",
        "billing_period": "half_yearly",
        "visit_every_months": 6,
        "response_hours": 4,
        **extra,
    }


def test_a_rep_drafts_and_signs_a_contract_from_a_plan(api_as, rep):
    unit = sold_unit()
    plan = ContractPlan.objects.create(code="care", name="Care", months=24, price=Decimal("900"), billing_period="yearly")
    client = api_as(rep)

    created = client.post("/api/v1/contracts", {"customer_id": unit.customer_id, "unit_ids": [unit.pk], "plan_id": plan.pk})
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["months"], data["price"], data["billing_period"]) == ("draft", 24, "900.00", "yearly")
    assert data["reference"].startswith("AMC-")

    signed_now = client.post(f"/api/v1/contracts/{data['id']}/activate")
    assert signed_now.status_code == 200
    assert signed_now.json()["status"] == "active"
    assert [line["amount"] for line in signed_now.json()["billing_lines"]] == ["450.00", "450.00"]


def test_bad_input_names_the_field(api_as, rep):
    unit = sold_unit()
    client = api_as(rep)

    answer = client.post("/api/v1/contracts", body(unit, price="-1", billing_period="weekly", repair_cover="all"))

    assert answer.status_code == 400
    fields = {error["field"] for error in answer.json()["errors"]}
    assert fields == {"price", "billing_period", "repair_cover"}
    assert not MaintenanceContract.objects.exists()

    unknown = client.post("/api/v1/contracts", body(unit, unit_ids=[unit.pk, 999999]))
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "unit_ids"

    missing = client.post("/api/v1/contracts", {"unit_ids": [unit.pk]})
    assert missing.status_code == 422
    assert "customer_id" in {error["field"] for error in missing.json()["errors"]}


def test_an_overlap_is_refused_naming_the_units(api_as, rep):
    unit = sold_unit()
    signed(unit, starts_on=dt.date(2026, 1, 1))

    answer = api_as(rep).post("/api/v1/contracts", body(unit, starts_on="2026-06-01", activate=True))

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "units"
    assert answer.json()["errors"][0]["code"] == "overlap"


def test_reps_sell_managers_cancel_and_record_payments_technicians_only_read(api_as, rep, manager, technician):
    unit = sold_unit()
    contract = signed(unit)
    line = contract.billing_lines.get()

    assert api_as(technician).get(f"/api/v1/contracts/{contract.pk}").status_code == 200
    assert api_as(technician).post("/api/v1/contracts", body(sold_unit())).status_code == 403
    assert api_as(rep).post(f"/api/v1/contracts/{contract.pk}/cancel", {"reason": "x"}).status_code == 403
    assert api_as(rep).post(f"/api/v1/contracts/{contract.pk}/billing-lines/{line.pk}/payment", {}).status_code == 403

    paid = api_as(manager).post(
        f"/api/v1/contracts/{contract.pk}/billing-lines/{line.pk}/payment", {"paid_on": "2026-01-05", "reference": "TRF-1"}
    )
    assert paid.status_code == 200 and paid.json()["paid"] is True
    detail = api_as(manager).get(f"/api/v1/contracts/{contract.pk}").json()
    assert detail["figures"]["paid"] == "1200.00"

    renewed = api_as(rep).post(f"/api/v1/contracts/{contract.pk}/renew", {})
    assert renewed.status_code == 201
    assert renewed.json()["starts_on"] == "2027-01-01"

    cancelled = api_as(manager).post(f"/api/v1/contracts/{renewed.json()['id']}/cancel", {"reason": ""})
    assert cancelled.status_code == 400 and cancelled.json()["errors"][0]["field"] == "reason"


def test_a_customer_sees_only_their_own_contracts(portal_as):
    mine = signed(sold_unit())
    theirs = signed(sold_unit())
    client = portal_as(mine.customer)

    listed = client.get("/api/v1/contracts")
    assert [item["id"] for item in listed.json()["items"]] == [mine.pk]
    assert client.get(f"/api/v1/contracts/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/contracts/{mine.pk}").status_code == 200
    assert client.post(f"/api/v1/contracts/{mine.pk}/renew", {}).status_code == 403


def test_filters_and_opportunities(api_as, rep):
    ending = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    signed(sold_unit(), starts_on=dt.date(2026, 6, 1))
    client = api_as(rep)

    found = client.get("/api/v1/contracts", {"q": ending.reference})
    assert [item["id"] for item in found.json()["items"]] == [ending.pk]
    by_status = client.get("/api/v1/contracts", {"status": ContractStatus.ACTIVE})
    assert by_status.json()["count"] == 2
    opportunities = client.get("/api/v1/contracts/opportunities")
    assert opportunities.status_code == 200
    assert client.get("/api/v1/contracts/opportunities", {"within_days": -1}).json()["errors"][0]["field"] == "within_days"


def test_managers_keep_the_plans(api_as, manager, rep):
    plan = {"code": "boiler", "name": "Boiler care", "months": 12, "price": "180.00", "visit_every_months": 12}

    assert api_as(rep).post("/api/v1/contracts/plans", plan).status_code == 403
    created = api_as(manager).post("/api/v1/contracts/plans", plan)
    assert created.status_code == 201
    duplicate = api_as(manager).post("/api/v1/contracts/plans", plan)
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["field"] == "code"
    assert [row["code"] for row in api_as(rep).get("/api/v1/contracts/plans").json()] == ["boiler"]
