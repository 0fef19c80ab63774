"""A technician works through a visit on a phone 360 px wide: My day, checklist, part, time, report, sign-off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.catalog.models import Part
from aftersales.core.roles import Role
from aftersales.fieldwork.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.fieldwork.services import work_order_create
from aftersales.warranty.models import CostEntry
from tests.factories import CustomerFactory, ProductFactory, UnitFactory, staff
from tests.fieldwork.visits_helpers import template_with, visit_template_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360


def no_horizontal_scroll(page) -> None:
    # a click that follows a link returns before the next document exists; measure the loaded page
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_technician_completes_a_visit_one_handed_on_a_phone(live_server, new_page):
    # given a repair booked with a technician today, a checklist for repairs and a part in stock
    visit_template_ensure()
    technician = staff(Role.TECHNICIAN, username="luis.tech", first_name="Luis", last_name="Moreno")
    customer = CustomerFactory(name="Lucía Fernández", phone="+34611222333", address_line1="Calle Mayor 12", city="Madrid")
    unit = UnitFactory(
        sale_line=None,
        customer=customer,
        product=ProductFactory(name="Washer WM-800"),
        serial="WM800-4242",
        delivered_at=timezone.now() - dt.timedelta(days=60),
    )
    template_with(kind=WorkOrderKind.REPAIR, steps=["Isolate the power", "Check the drain pump", "Run a test cycle"])
    Part.objects.create(sku="PUMP-800", name="Drain pump", unit_cost="35.00", stock_on_hand=3)
    order = work_order_create(
        actor=None, kind=WorkOrderKind.REPAIR, customer=customer, units=[unit], address="Calle Mayor 12, Madrid"
    )
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    WorkOrder.objects.filter(pk=order.pk).update(
        assignee=technician, status=WorkOrderStatus.CONFIRMED, scheduled_start=start, scheduled_end=start + dt.timedelta(hours=1)
    )

    # the technician signs in on a phone and opens My day
    page = new_page(WIDTH, 740)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("luis.tech")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/fieldwork/my-day/")
    expect(page.get_by_text("Lucía Fernández")).to_be_visible()
    expect(page.locator('a[href^="tel:+34611222333"]')).to_be_visible()
    expect(page.locator('a[href^="geo:"]')).to_be_visible()
    no_horizontal_scroll(page)

    # opens the visit and starts it
    page.get_by_role("link", name="Open the visit").click()
    expect(page.get_by_role("button", name="Start the visit")).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Start the visit").click()
    expect(page.locator(".badge-status-in_progress")).to_be_visible()
    no_horizontal_scroll(page)

    # ticks the checklist steps
    for step in ("Isolate the power", "Check the drain pump", "Run a test cycle"):
        page.get_by_role("button", name=step).click()
        expect(page.get_by_role("button", name=step)).to_have_attribute("aria-pressed", "true")
    no_horizontal_scroll(page)

    # adds the part fitted and the time spent
    page.get_by_label("Part", exact=True).select_option(label="Drain pump · PUMP-800 (3 in stock)")
    page.get_by_role("button", name="Add part").click()
    expect(page.locator("#parts .visit-rows")).to_contain_text("1 × Drain pump")
    expect(page.locator("#parts .visit-rows")).to_contain_text("Covered")
    page.get_by_label("Minutes", exact=True).fill("45")
    page.get_by_role("button", name="Add time").click()
    expect(page.locator("#time .visit-rows")).to_contain_text("45 minutes")
    no_horizontal_scroll(page)

    # writes the findings, has the customer type her name, and completes
    page.get_by_label("Findings", exact=True).fill("Drain pump blocked and worn; replaced it.")
    page.get_by_label("Customer's name (typed to sign)").fill("Lucía Fernández")
    page.get_by_role("button", name="Sign and complete the visit").click()
    expect(page.locator(".badge-status-completed")).to_be_visible()
    expect(page.locator("#report")).to_contain_text("Signed by Lucía Fernández")
    no_horizontal_scroll(page)

    order.refresh_from_db()
    assert order.status == WorkOrderStatus.COMPLETED
    assert order.report.signed_by_name == "Lucía Fernández" and order.report.signed_at is not None
    assert order.checklist.filter(done=True).count() == 3
    assert CostEntry.objects.filter(source_id=order.pk, kind="labour").exists()
