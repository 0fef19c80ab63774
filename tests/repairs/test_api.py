"""The repairs API: who may do what, customers see only their own, errors name the field."""

from __future__ import annotations

import pytest

from aftersales.warranty.models import RepairOrder, RepairStatus
from aftersales.warranty.services import repair_diagnose, repair_open, repair_part_add, repair_quote_send
from tests.repairs.conftest import covered_unit, expired_unit, part

pytestmark = pytest.mark.django_db


def test_a_technician_receives_diagnoses_and_adds_parts_and_labour(frozen, api_as, technician):
    unit = covered_unit()
    seal = part()
    api = api_as(technician)

    created = api.post("/api/v1/repairs", {"unit_id": unit.pk, "fault_description": "Leaks"})
    order_id = created.json()["id"]
    api.post(f"/api/v1/repairs/{order_id}/diagnosis", {"diagnosis": "Seal torn"})
    part_line = api.post(f"/api/v1/repairs/{order_id}/parts", {"part_id": seal.pk, "quantity": 1})
    labour = api.post(f"/api/v1/repairs/{order_id}/labour", {"minutes": 20})
    detail = api.get(f"/api/v1/repairs/{order_id}").json()

    assert created.status_code == 201 and created.json()["reference"] == f"RO-{order_id:06d}"
    assert part_line.status_code == 201 and labour.status_code == 201 and labour.json()["price"] == "15.00"
    assert detail["status"] == "diagnosing" and detail["covered"] is True
    assert detail["totals"]["covered_cost"] == "22.00" and detail["totals"]["billable_total"] == "0.00"
    assert [event["kind"] for event in detail["history"]][:2] == ["opened", "diagnosed"]


def test_removing_a_line_through_the_api(frozen, api_as, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    line = repair_part_add(actor=technician, order=order, part=part())

    response = api_as(technician).delete(f"/api/v1/repairs/{order.pk}/lines/{line.pk}")

    assert response.status_code == 200 and response.json()["lines"] == []


def test_errors_name_the_field(frozen, api_as, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    api = api_as(technician)

    missing_part = api.post(f"/api/v1/repairs/{order.pk}/parts", {"part_id": 999999})
    too_many = api.post(f"/api/v1/repairs/{order.pk}/parts", {"part_id": part(stock_on_hand=1).pk, "quantity": 4})
    bad_minutes = api.post(f"/api/v1/repairs/{order.pk}/labour", {"minutes": 0})
    bad_status = api.post(f"/api/v1/repairs/{order.pk}/status", {"status": "fixed"})
    no_unit = api.post("/api/v1/repairs", {"unit_id": 999999})

    for response, field in [
        (missing_part, "part_id"),
        (too_many, "quantity"),
        (bad_minutes, "minutes"),
        (bad_status, "status"),
        (no_unit, "unit_id"),
    ]:
        assert response.status_code == 400, response.content
        assert field in [error["field"] for error in response.json()["errors"]]
    assert "only 1 of SEAL-01 in stock" in too_many.json()["errors"][0]["reason"]


def test_a_move_that_is_not_allowed_is_a_conflict(frozen, api_as, technician):
    order = repair_open(actor=technician, unit=covered_unit())

    response = api_as(technician).post(f"/api/v1/repairs/{order.pk}/status", {"status": "returned"})

    assert response.status_code == 409


def test_a_sales_rep_can_read_repairs_but_not_change_their_status(frozen, api_as, rep, technician):
    order = repair_open(actor=technician, unit=covered_unit())
    api = api_as(rep)

    assert api.get(f"/api/v1/repairs/{order.pk}").status_code == 200
    assert api.post(f"/api/v1/repairs/{order.pk}/status", {"status": "diagnosing"}).status_code == 403
    assert api.post("/api/v1/repairs", {"unit_id": order.unit_id}).status_code == 403
    order.refresh_from_db()
    assert order.status == RepairStatus.RECEIVED


def test_a_customer_sees_only_their_own_repairs(frozen, portal_as, technician):
    mine = repair_open(actor=technician, unit=covered_unit())
    theirs = repair_open(actor=technician, unit=covered_unit())
    api = portal_as(mine.customer)

    listed = api.get("/api/v1/repairs").json()

    assert [item["id"] for item in listed["items"]] == [mine.pk]
    assert api.get(f"/api/v1/repairs/{theirs.pk}").status_code == 404
    assert api.post(f"/api/v1/repairs/{theirs.pk}/quote/answer", {"approve": True}).status_code == 404
    assert api.post(f"/api/v1/repairs/{mine.pk}/status", {"status": "diagnosing"}).status_code == 403


def test_a_customer_approves_their_quote_through_the_api(frozen, portal_as, technician):
    order = repair_open(actor=technician, unit=expired_unit())
    repair_diagnose(actor=technician, order=order, diagnosis="Seal torn")
    repair_part_add(actor=technician, order=order, part=part())
    api = portal_as(order.customer)

    before = api.post(f"/api/v1/repairs/{order.pk}/quote/answer", {"approve": True})
    repair_quote_send(actor=technician, order=order)
    answered = api.post(f"/api/v1/repairs/{order.pk}/quote/answer", {"approve": True})

    assert before.status_code == 400 and before.json()["errors"][0]["field"] == "quote"
    assert answered.status_code == 200
    assert answered.json()["quote"]["status"] == "approved" and answered.json()["quote"]["decided_via"] == "portal"


def test_parts_list_flags_what_to_reorder_and_only_managers_receive(frozen, api_as, technician, manager):
    low = part(stock_on_hand=1, reorder_level=2)
    part(sku="KNOB-1", name="Knob", stock_on_hand=40, reorder_level=5)

    listed = api_as(technician).get("/api/v1/parts?to_reorder=true").json()
    refused = api_as(technician).post(f"/api/v1/parts/{low.pk}/receive", {"quantity": 10})
    received = api_as(manager).post(f"/api/v1/parts/{low.pk}/receive", {"quantity": 10, "reference": "DN-1"})

    assert [item["sku"] for item in listed["items"]] == ["SEAL-01"] and listed["items"][0]["to_reorder"] is True
    assert refused.status_code == 403
    assert received.status_code == 200 and received.json()["stock_on_hand"] == 11
    assert RepairOrder.objects.count() == 0
