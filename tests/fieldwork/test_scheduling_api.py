"""The field-service API: who sees what, booking with 409 on a clash, errors that name the field."""

from __future__ import annotations

import pytest
import time_machine

from aftersales.fieldwork.models import Technician, WorkOrderStatus
from aftersales.fieldwork.services.scheduling import work_order_schedule
from tests.factories import CategoryFactory, CustomerFactory, UnitFactory
from tests.fieldwork.scheduling_helpers import madrid, order, technician, zone

pytestmark = pytest.mark.django_db

SUNDAY_EVENING = madrid(2026, 5, 31, 20)
BASE = "/api/v1/fieldwork"


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_an_agent_lists_slots_and_books_and_a_clash_answers_409_naming_it(api_as, agent):
    category = CategoryFactory()
    tech = technician(categories=[category])
    first, second = order(category=category), order(category=category)
    client = api_as(agent)

    slots = client.get(f"{BASE}/work-orders/{first.pk}/slots", {"from_day": "2026-06-01", "limit": 3}).json()
    booked = client.post(f"{BASE}/work-orders/{first.pk}/schedule", {"assignee_id": tech.user_id, "start": slots[0]["start"]})
    clash = client.post(f"{BASE}/work-orders/{second.pk}/schedule", {"assignee_id": tech.user_id, "start": slots[0]["start"]})

    assert slots[0]["assignee_id"] == tech.user_id
    assert booked.status_code == 200 and booked.json()["status"] == WorkOrderStatus.SCHEDULED
    assert [event["kind"] for event in booked.json()["history"]] == ["created", "scheduled"]
    assert clash.status_code == 409
    assert first.reference in clash.json()["detail"]


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_bad_input_names_the_field_and_reason(api_as, agent):
    category = CategoryFactory()
    tech = technician(categories=[category])
    work = order(category=category)
    client = api_as(agent)

    naive = client.post(f"{BASE}/work-orders/{work.pk}/schedule", {"assignee_id": tech.user_id, "start": "2026-06-01T10:00:00"})
    night = client.post(
        f"{BASE}/work-orders/{work.pk}/schedule", {"assignee_id": tech.user_id, "start": "2026-06-01T22:00:00+02:00"}
    )
    nobody = client.post(f"{BASE}/work-orders/{work.pk}/schedule", {"assignee_id": 999999, "start": "2026-06-01T10:00:00+02:00"})
    kind = client.post(f"{BASE}/work-orders", {"kind": "party", "customer_id": work.customer_id})

    assert naive.status_code == 400 and naive.json()["errors"][0]["field"] == "start"
    assert night.status_code == 400 and night.json()["errors"][0]["field"] == "assignee"
    assert "working hours" in night.json()["errors"][0]["reason"]
    assert nobody.status_code == 400 and nobody.json()["errors"][0]["field"] == "assignee_id"
    assert kind.status_code == 400 and kind.json()["errors"][0]["field"] == "kind"


def test_a_technician_sees_only_their_own_work_orders_and_cannot_book(api_as):
    category = CategoryFactory()
    tech, other = technician(categories=[category]), technician(categories=[category], first_name="Ana")
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        mine = work_order_schedule(
            actor=None, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10)
        )
        theirs = work_order_schedule(
            actor=None, work_order=order(category=category), assignee=other.user, start=madrid(2026, 6, 1, 10)
        )
    client = api_as(tech.user)

    listed = client.get(f"{BASE}/work-orders").json()
    hidden = client.get(f"{BASE}/work-orders/{theirs.pk}")
    book = client.post(f"{BASE}/work-orders/{mine.pk}/reschedule", {"start": "2026-06-02T10:00:00+02:00"})

    assert [row["id"] for row in listed["items"]] == [mine.pk]
    assert hidden.status_code == 404
    assert book.status_code == 403


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_customer_confirms_their_own_visit_and_gets_404_on_anothers(portal_as):
    category = CategoryFactory()
    tech = technician(categories=[category])
    mine = work_order_schedule(actor=None, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    theirs = work_order_schedule(
        actor=None, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 15)
    )
    client = portal_as(mine.customer)

    confirmed = client.post(f"{BASE}/work-orders/{mine.pk}/confirm")
    other = client.post(f"{BASE}/work-orders/{theirs.pk}/confirm")
    book = client.post(
        f"{BASE}/work-orders/{mine.pk}/schedule", {"assignee_id": tech.user_id, "start": "2026-06-02T10:00:00+02:00"}
    )

    assert confirmed.status_code == 200 and confirmed.json()["status"] == WorkOrderStatus.CONFIRMED
    assert other.status_code == 404
    assert book.status_code == 403


def test_a_manager_sets_up_a_technician_with_zones_hours_days_off_and_certifications(api_as, manager, technician):
    category = CategoryFactory()
    madrid_zone = zone("madrid", "28")
    client = api_as(manager)

    created = client.post(f"{BASE}/technicians", {"user_id": technician.pk, "zone_ids": [madrid_zone.pk], "languages": ["es"]})
    tech_id = created.json()["id"]
    shifts = client.put(
        f"{BASE}/technicians/{tech_id}/shifts",
        [{"weekday": 0, "starts_at": "09:00", "ends_at": "13:00"}, {"weekday": 0, "starts_at": "12:00", "ends_at": "15:00"}],
    )
    good_shifts = client.put(f"{BASE}/technicians/{tech_id}/shifts", [{"weekday": 0, "starts_at": "09:00", "ends_at": "13:00"}])
    absence = client.post(f"{BASE}/technicians/{tech_id}/absences", {"starts_on": "2026-08-03", "ends_on": "2026-08-01"})
    certified = client.post(
        f"{BASE}/technicians/{tech_id}/certifications",
        {"category_id": category.pk, "certified_on": "2026-01-01", "expires_on": "2026-12-31"},
    )
    languages = client.patch(f"{BASE}/technicians/{tech_id}", {"languages": ["fr"]})
    again = client.post(f"{BASE}/technicians", {"user_id": technician.pk})

    assert created.status_code == 201 and created.json()["zone_ids"] == [madrid_zone.pk]
    assert shifts.status_code == 400 and shifts.json()["errors"][0]["field"] == "shifts[1]"
    assert good_shifts.status_code == 200
    assert absence.status_code == 400 and absence.json()["errors"][0]["field"] == "ends_on"
    assert certified.status_code == 201 and certified.json()["certifications"][0]["expires_on"] == "2026-12-31"
    assert languages.status_code == 400 and languages.json()["errors"][0]["field"] == "languages"
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "duplicate"
    assert Technician.objects.get(pk=tech_id).shifts.count() == 1


def test_an_agent_may_not_set_up_technicians(api_as, agent, technician):
    assert api_as(agent).post(f"{BASE}/technicians", {"user_id": technician.pk}).status_code == 403


def test_an_agent_creates_a_work_order_whose_zone_follows_the_postal_code(api_as, agent):
    madrid_zone = zone("madrid", "28")
    customer = CustomerFactory(postal_code="28004")
    unit = UnitFactory(customer=customer)
    stranger = UnitFactory()

    created = api_as(agent).post(f"{BASE}/work-orders", {"kind": "repair", "customer_id": customer.pk, "unit_ids": [unit.pk]})
    foreign = api_as(agent).post(f"{BASE}/work-orders", {"kind": "repair", "customer_id": customer.pk, "unit_ids": [stranger.pk]})

    assert created.status_code == 201
    assert created.json()["zone_id"] == madrid_zone.pk and created.json()["unit_ids"] == [unit.pk]
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["field"] == "units"


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_slots_validate_their_query(api_as, agent):
    work = order()
    answer = api_as(agent).get(f"{BASE}/work-orders/{work.pk}/slots", {"days": 500})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "days"


def test_a_visit_belongs_to_a_repair_order_of_the_same_customer_only(api_as, agent, signed_in):
    from aftersales.warranty.services import repair_open

    unit = UnitFactory(customer=CustomerFactory(postal_code="28001"))
    repair = repair_open(actor=agent, unit=unit, fault_description="Drum does not turn")
    other = repair_open(actor=agent, unit=UnitFactory(), fault_description="Door does not close")
    client = api_as(agent)

    created = client.post(
        f"{BASE}/work-orders",
        {"kind": "repair", "customer_id": unit.customer_id, "unit_ids": [unit.pk], "repair_order_id": repair.pk},
    )
    foreign = client.post(f"{BASE}/work-orders", {"kind": "repair", "customer_id": unit.customer_id, "repair_order_id": other.pk})
    missing = client.post(f"{BASE}/work-orders", {"kind": "repair", "customer_id": unit.customer_id, "repair_order_id": 999999})

    assert created.status_code == 201 and created.json()["repair_order_id"] == repair.pk
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["field"] == "repair_order"
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "repair_order_id"
    # The repair's page lists the visit and offers to book another.
    page = signed_in(agent).get(f"/repairs/{repair.pk}/").content.decode()
    assert created.json()["reference"] in page and f"repair={repair.pk}" in page
