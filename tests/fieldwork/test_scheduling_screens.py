"""Console and portal screens of scheduling: the board, the order page, refusals shown, technicians and zones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.fieldwork.models import Certification, ServiceZone, Technician, WorkOrderStatus
from aftersales.fieldwork.services.scheduling import work_order_schedule
from tests.factories import CategoryFactory, CustomerFactory, UnitFactory
from tests.fieldwork.scheduling_helpers import madrid, order, technician

pytestmark = pytest.mark.django_db

SUNDAY_EVENING = madrid(2026, 5, 31, 20)


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_the_board_shows_each_technicians_visits_and_the_work_to_schedule(signed_in, agent):
    category = CategoryFactory()
    tech = technician(categories=[category])
    booked = work_order_schedule(
        actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10)
    )
    waiting = order(category=category)

    page = signed_in(agent).get("/fieldwork/board/?day=2026-06-01").content.decode()
    slots = signed_in(agent).get(f"/fieldwork/orders/{waiting.pk}/slots/?day=2026-06-01", HTTP_HX_REQUEST="true")

    assert booked.reference in page and "10:00–11:00" in page
    assert waiting.reference in page and "Suggest slots" in page
    assert slots.status_code == 200 and "Luis Tech" in slots.content.decode()


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_technician_sees_only_their_own_visits_on_the_board_and_no_other_order(signed_in):
    category = CategoryFactory()
    tech, other = technician(categories=[category]), technician(categories=[category], first_name="Marta")
    mine = work_order_schedule(actor=None, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    theirs = work_order_schedule(
        actor=None, work_order=order(category=category), assignee=other.user, start=madrid(2026, 6, 1, 12)
    )
    client = signed_in(tech.user)

    page = client.get("/fieldwork/board/?day=2026-06-01").content.decode()

    assert mine.reference in page and theirs.reference not in page and "Marta" not in page
    assert "To schedule" not in page
    assert client.get(f"/fieldwork/orders/{theirs.pk}/").status_code == 404
    assert client.get(f"/fieldwork/orders/{mine.pk}/").status_code == 200


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_moving_a_visit_onto_a_clash_shows_the_reason_and_changes_nothing(signed_in, agent):
    category = CategoryFactory()
    tech = technician(categories=[category])
    first = work_order_schedule(
        actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10)
    )
    second = work_order_schedule(
        actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 15)
    )

    answer = signed_in(agent).post(
        f"/fieldwork/orders/{second.pk}/book/",
        {"assignee": tech.user_id, "day": "2026-06-01", "time": "10:30", "reason": "Customer asked"},
        follow=True,
    )

    assert first.reference in answer.content.decode()
    assert "already booked" in answer.content.decode()
    second.refresh_from_db()
    assert second.scheduled_start == madrid(2026, 6, 1, 15)


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_an_agent_books_from_a_suggested_slot_and_the_history_tells_it(signed_in, agent):
    category = CategoryFactory()
    tech = technician(categories=[category])
    work = order(category=category)
    slot = f"{tech.user_id}|{madrid(2026, 6, 1, 9).isoformat()}"

    signed_in(agent).post(f"/fieldwork/orders/{work.pk}/book/", {"slot": slot})
    page = signed_in(agent).get(f"/fieldwork/orders/{work.pk}/").content.decode()

    work.refresh_from_db()
    assert work.status == WorkOrderStatus.SCHEDULED and work.assignee == tech.user
    assert "Booked with Luis Tech for 2026-06-01 09:00" in page


def test_an_agent_creates_a_work_order_for_a_customers_units(signed_in, agent):
    customer = CustomerFactory(postal_code="28001")
    unit = UnitFactory(customer=customer)

    form = signed_in(agent).get(f"/fieldwork/orders/new/?customer={customer.pk}")
    created = signed_in(agent).post(
        "/fieldwork/orders/new/",
        {"kind": "repair", "customer": customer.pk, "units": [unit.pk], "duration_minutes": 90, "description": "Leaks"},
    )

    assert unit.serial in form.content.decode()
    assert created.status_code == 302
    work = customer.work_orders.get()
    assert work.kind == "repair" and list(work.units.all()) == [unit] and work.duration_minutes == 90


def test_the_technician_screen_warns_30_days_before_a_certification_expires(signed_in, manager):
    category = CategoryFactory(name="Heat pumps")
    with time_machine.travel(madrid(2026, 6, 1, 9), tick=False):
        tech = technician(categories=[category], expires_on=dt.date(2026, 6, 30))
        soon = signed_in(manager).get(f"/fieldwork/technicians/{tech.pk}/").content.decode()
        listing = signed_in(manager).get("/fieldwork/technicians/").content.decode()
    with time_machine.travel(madrid(2026, 5, 1, 9), tick=False):
        later = signed_in(manager).get(f"/fieldwork/technicians/{tech.pk}/").content.decode()

    assert "expires in 29 days" in soon
    assert "Certifications expiring within 30 days" in listing
    assert "expires in" not in later


def test_a_manager_sets_up_a_technician_from_the_screens(signed_in, manager, technician):
    category = CategoryFactory()
    client = signed_in(manager)

    client.post("/fieldwork/zones/", {"name": "Madrid centre", "postal_prefixes": "280, 281"})
    zone = ServiceZone.objects.get(code="madrid-centre")
    client.post("/fieldwork/technicians/new/", {"user": technician.pk})
    tech = Technician.objects.get(user=technician)
    client.post(f"/fieldwork/technicians/{tech.pk}/profile/", {"zones": [zone.pk], "languages": ["es", "en"], "is_active": "on"})
    client.post(f"/fieldwork/technicians/{tech.pk}/shift/", {"weekday": 0, "starts_at": "08:00", "ends_at": "15:00"})
    overlap = client.post(
        f"/fieldwork/technicians/{tech.pk}/shift/", {"weekday": 0, "starts_at": "14:00", "ends_at": "16:00"}, follow=True
    )
    client.post(
        f"/fieldwork/technicians/{tech.pk}/certification/",
        {"category": category.pk, "certified_on": "2026-01-01", "expires_on": "2026-12-31"},
    )

    tech.refresh_from_db()
    assert zone.postal_prefixes == "280 281"
    assert list(tech.zones.all()) == [zone] and tech.languages == ["es", "en"]
    assert tech.shifts.count() == 1
    assert "overlaps" in overlap.content.decode()
    assert Certification.objects.get(technician=tech).expires_on == dt.date(2026, 12, 31)


def test_an_agent_may_not_change_a_technicians_setup(signed_in, agent):
    tech = technician()
    answer = signed_in(agent).post(f"/fieldwork/technicians/{tech.pk}/profile/", {"languages": ["en"]})
    assert answer.status_code == 403


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_the_portal_lists_my_visits_and_hides_anothers(portal_as):
    category = CategoryFactory()
    tech = technician(categories=[category])
    mine = work_order_schedule(actor=None, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    theirs = work_order_schedule(
        actor=None, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 15)
    )
    client = portal_as(mine.customer)

    listing = client.get("/portal/visits/").content.decode()
    other = client.get(f"/portal/visits/{theirs.pk}/")
    confirm_other = client.post(f"/portal/visits/{theirs.pk}/confirm/")
    confirmed = client.post(f"/portal/visits/{mine.pk}/confirm/")

    assert mine.reference in listing and theirs.reference not in listing
    assert other.status_code == 404 and confirm_other.status_code == 404
    assert confirmed.status_code == 302
    mine.refresh_from_db()
    assert mine.status == WorkOrderStatus.CONFIRMED
