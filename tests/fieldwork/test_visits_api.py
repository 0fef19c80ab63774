"""The visits API: the technician's day, checklist, start, parts, time, photos, completion; who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from aftersales.core.roles import Role
from aftersales.fieldwork import services
from aftersales.fieldwork.models import WorkOrderKind, WorkOrderStatus
from tests.factories import staff
from tests.fieldwork.visits_helpers import PNG, VISIT_DAY, booked, covered_unit, part_in_stock, template_with

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/fieldwork/visits"


@pytest.fixture(autouse=True)
def _visit_day(settings):
    settings.MESSAGING_QUIET_HOURS = None
    with time_machine.travel(VISIT_DAY, tick=False):
        yield


def test_the_day_lists_my_visits_in_time_order_with_unit_history(api_as, technician):
    late = booked(assignee=technician, units=[covered_unit()], start=VISIT_DAY + dt.timedelta(hours=4))
    early = booked(assignee=technician, units=[covered_unit()])
    booked(assignee=staff(Role.TECHNICIAN), units=[covered_unit()])
    booked(assignee=technician, units=[covered_unit()], start=VISIT_DAY + dt.timedelta(days=1))

    answer = api_as(technician).get(f"{BASE}/day")

    assert answer.status_code == 200
    assert [visit["id"] for visit in answer.json()] == [early.pk, late.pk]
    history = answer.json()[0]["units"][0]["history"]
    assert history and history[0]["kind"] == "work_order_created"
    tomorrow = api_as(technician).get(f"{BASE}/day", {"day": "2026-06-11"}).json()
    assert len(tomorrow) == 1


def test_a_technician_carries_out_a_visit_through_the_api(api_as, technician):
    template_with(kind=WorkOrderKind.REPAIR, steps=["Check the hoses", "Run a test cycle"])
    order = booked(assignee=technician, units=[covered_unit()])
    pump = part_in_stock()
    client = api_as(technician)

    assert client.post(f"{BASE}/{order.pk}/start").json()["status"] == "in_progress"
    steps = client.get(f"{BASE}/{order.pk}/checklist").json()
    ticked = client.post(f"{BASE}/{order.pk}/checklist/{steps[0]['id']}", {"done": True, "note": "OK"})
    part = client.post(f"{BASE}/{order.pk}/parts", {"part_id": pump.pk, "quantity": 1})
    time = client.post(f"{BASE}/{order.pk}/time", {"minutes": 45})
    photo = client.post(
        f"{BASE}/{order.pk}/photos",
        {"photo": SimpleUploadedFile("a.png", PNG), "caption": "Pump"},
        content_type=MULTIPART_CONTENT,
    )
    done = client.post(f"{BASE}/{order.pk}/complete", {"findings": "Worn pump.", "signed_by_name": "Ana García"})

    assert ticked.status_code == 200 and ticked.json()["done"] and ticked.json()["done_by"]
    assert part.status_code == 201 and part.json()["covered"] is True
    assert time.status_code == 201 and time.json()["minutes"] == 45
    assert photo.status_code == 201, photo.content
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "completed" and body["report"]["signed_by_name"] == "Ana García"
    assert len(body["parts"]) == 1 and len(body["photos"]) == 1 and body["checklist"][0]["done"]


def test_errors_name_the_field_and_the_reason(api_as, technician):
    order = booked(assignee=technician, units=[covered_unit()])
    client = api_as(technician)
    client.post(f"{BASE}/{order.pk}/start")

    too_many = client.post(f"{BASE}/{order.pk}/parts", {"part_id": part_in_stock(stock=1).pk, "quantity": 2})
    no_part = client.post(f"{BASE}/{order.pk}/parts", {"part_id": 999999, "quantity": 1})
    not_a_number = client.post(f"{BASE}/{order.pk}/time", {"minutes": "half an hour"})
    unsigned = client.post(f"{BASE}/{order.pk}/complete", {"findings": ""})

    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["field"] == "quantity" and too_many.json()["errors"][0]["code"] == "out_of_stock"
    assert no_part.status_code == 400 and no_part.json()["errors"][0]["field"] == "part_id"
    assert not_a_number.status_code == 422 and "minutes" in not_a_number.json()["errors"][0]["field"]
    assert unsigned.status_code == 400
    assert {error["field"] for error in unsigned.json()["errors"]} == {"findings", "signed_by_name"}
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.IN_PROGRESS


def test_another_technician_is_refused_and_a_customer_cannot_read_visits(api_as, portal_as, technician):
    order = booked(assignee=technician, units=[covered_unit()])

    other = api_as(staff(Role.TECHNICIAN))
    assert other.get(f"{BASE}/{order.pk}").status_code == 200
    assert other.post(f"{BASE}/{order.pk}/start").status_code == 403
    assert portal_as(order.customer).get(f"{BASE}/{order.pk}").status_code == 403
    assert api_as(technician).get(f"{BASE}/999999").status_code == 404


def test_a_customer_fetches_their_own_photo_but_never_another_customers(api_as, portal_as, technician, agent):
    order = services.visit_start(actor=technician, order=booked(assignee=technician, units=[covered_unit()]))
    photo = services.visit_photo_add(actor=technician, order=order, upload=SimpleUploadedFile("a.png", PNG))
    stranger = covered_unit().customer

    own = portal_as(order.customer).get(f"{BASE}/photos/{photo.pk}")
    other = portal_as(stranger).get(f"{BASE}/photos/{photo.pk}")
    staff_copy = api_as(agent).get(f"{BASE}/photos/{photo.pk}")

    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"\x89PNG")
    assert other.status_code == 404
    assert staff_copy.status_code == 200
    assert api_as().get(f"{BASE}/photos/{photo.pk}").status_code == 401
