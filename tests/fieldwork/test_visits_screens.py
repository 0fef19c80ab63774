"""The console's visit screens (my day, the visit page, checklist templates) and the portal's visit reports."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.customers.services import customer_portal_user
from aftersales.fieldwork import services
from aftersales.fieldwork.models import ChecklistTemplate, WorkOrderKind
from tests.factories import CategoryFactory
from tests.fieldwork.visits_helpers import VISIT_DAY, booked, covered_unit, part_in_stock, template_with

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _visit_day(settings):
    settings.MESSAGING_QUIET_HOURS = None
    with time_machine.travel(VISIT_DAY, tick=False):
        yield


def test_my_day_shows_todays_visits_in_order_with_address_phone_and_units(signed_in, technician):
    afternoon = booked(assignee=technician, units=[covered_unit()], start=VISIT_DAY + dt.timedelta(hours=5))
    morning = booked(assignee=technician, units=[covered_unit()])
    morning.customer.phone = "+34611222333"
    morning.customer.save()
    type(morning).objects.filter(pk=morning.pk).update(address="Calle Mayor 1, Madrid")

    page = signed_in(technician).get("/fieldwork/my-day/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(morning.customer.name) < html.index(afternoon.customer.name)
    assert 'href="tel:+34611222333"' in html and "geo:0,0?q=Calle%20Mayor%201" in html
    assert morning.units.get().serial in html
    assert signed_in(technician).get("/fieldwork/my-day/?day=2026-06-11").content.decode().count("visit-card") == 0


def test_the_visit_page_ticks_a_step_with_htmx_and_adds_a_part(signed_in, technician):
    template_with(kind=WorkOrderKind.REPAIR, steps=["Check the hoses"])
    order = services.visit_start(actor=technician, order=booked(assignee=technician, units=[covered_unit()]))
    item = order.checklist.get()
    client = signed_in(technician)

    ticked = client.post(f"/fieldwork/visits/{order.pk}/checklist/{item.pk}/", {"done": "1"}, HTTP_HX_REQUEST="true")
    part = client.post(
        f"/fieldwork/visits/{order.pk}/parts/", {"part_id": part_in_stock(stock=0).pk, "quantity": "1"}, HTTP_HX_REQUEST="true"
    )

    assert ticked.status_code == 200 and 'aria-pressed="true"' in ticked.content.decode()
    item.refresh_from_db()
    assert item.done
    assert part.status_code == 400 and "only 0 of PUMP-01 in stock" in part.content.decode()


def test_completing_without_a_signature_shows_the_reason_by_the_field(signed_in, technician):
    order = services.visit_start(actor=technician, order=booked(assignee=technician, units=[covered_unit()]))

    page = signed_in(technician).post(f"/fieldwork/visits/{order.pk}/complete/", {"findings": "All good"})

    assert page.status_code == 400
    assert "type their name to sign" in page.content.decode() and "All good" in page.content.decode()


def test_another_technician_sees_the_visit_but_cannot_start_it(signed_in, technician):
    from aftersales.core.roles import Role
    from tests.factories import staff

    order = booked(assignee=technician, units=[covered_unit()])
    client = signed_in(staff(Role.TECHNICIAN))

    assert "Start the visit" not in client.get(f"/fieldwork/visits/{order.pk}/").content.decode()
    assert client.post(f"/fieldwork/visits/{order.pk}/start/").status_code == 403


def test_a_manager_writes_a_bilingual_checklist_template_and_a_technician_cannot(signed_in, manager, technician):
    washers = CategoryFactory(slug="washers")
    data = {
        "name": "Washer installation",
        "name_es": "Instalación de lavadora",
        "kind": "installation",
        "category_id": str(washers.pk),
        "steps": "Remove transit bolts\nLevel the machine",
        "steps_es": "Quitar los tornillos de transporte\nNivelar la máquina",
        "is_active": "on",
    }

    assert signed_in(technician).post("/fieldwork/checklists/new/", data).status_code == 403
    saved = signed_in(manager).post("/fieldwork/checklists/new/", data)
    mismatched = signed_in(manager).post("/fieldwork/checklists/new/", {**data, "steps_es": "Solo uno"})

    assert saved.status_code == 302
    template = ChecklistTemplate.objects.get()
    assert [(item.text, item.text_es) for item in template.items.all()] == [
        ("Remove transit bolts", "Quitar los tornillos de transporte"),
        ("Level the machine", "Nivelar la máquina"),
    ]
    assert mismatched.status_code == 200 and "same order" in mismatched.content.decode()


def test_the_customer_reads_the_visit_report_on_their_product_page(client, technician):
    order = services.visit_start(actor=technician, order=booked(assignee=technician, units=[covered_unit()]))
    services.visit_complete(actor=technician, order=order, findings="Filter clogged with lint.", signed_by_name="Ana")
    unit = order.units.get()
    other = covered_unit()
    client.force_login(customer_portal_user(customer=order.customer))

    page = client.get(f"/portal/products/{unit.pk}/")

    assert "Filter clogged with lint." in page.content.decode()
    assert client.get(f"/portal/products/{other.pk}/").status_code == 404
