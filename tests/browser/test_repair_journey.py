"""A customer claims for a fault, the workshop diagnoses it and adds a billable part, the customer approves the quote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.catalog.models import Part
from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from aftersales.warranty.models import QuoteStatus, RepairOrder, RepairStatus, WarrantyClaim
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory, staff
from tests.repairs.conftest import repair_templates_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_a_customer_claims_and_approves_the_repair_quote(live_server, new_page):
    # given a customer whose washer is under warranty, a technician, and a part in stock
    repair_templates_ensure()
    customer = CustomerFactory(name="Lucía Fernández", language="en")
    washer = ProductFactory(name="Washer WM-800")
    line = SaleLineFactory(
        sale=SaleFactory(customer=customer, sold_on=timezone.localdate() - dt.timedelta(days=60)), product=washer
    )
    unit = UnitFactory(sale_line=line, serial="WM800-7001", delivered_at=timezone.now() - dt.timedelta(days=55))
    staff(Role.TECHNICIAN, username="luis.tech", first_name="Luis")
    Part.objects.create(
        sku="KNOB-9", name="Programme knob", unit_cost=Decimal("3.00"), unit_price=Decimal("14.50"), stock_on_hand=4
    )

    # the customer starts a warranty claim from her products
    portal = new_page(390, 844)
    portal.context.add_cookies([session_cookie(customer_portal_user(customer=customer), live_server)])
    portal.goto(f"{live_server.url}/portal/")
    portal.get_by_role("link", name="Something wrong? Start a warranty claim").click()
    portal.get_by_label("What is wrong?").select_option("leak")
    portal.get_by_label("Tell us what happens").fill("Water under the door, and the knob snapped off.")
    portal.get_by_role("button", name="Send my claim").click()
    expect(portal.locator(".badge")).to_have_text("Approved")
    claim = WarrantyClaim.objects.get(unit=unit)

    # the technician receives the unit from the claim, diagnoses it and adds a billable part
    console = new_page()
    console.goto(f"{live_server.url}/login/")
    console.get_by_label("Username").fill("luis.tech")
    console.get_by_label("Password").fill("s3cret-pass")
    console.get_by_role("button", name="Sign in").click()
    console.goto(f"{live_server.url}/warranty/claims/{claim.pk}/")
    console.get_by_role("button", name="Receive for repair").click()
    expect(console.locator(".page-head .badge").first).to_have_text("Received")
    console.get_by_label("Diagnosis").fill("Door seal torn (covered); the knob was broken by a fall (not covered).")
    console.get_by_role("button", name="Save diagnosis").click()
    expect(console.locator(".page-head .badge").first).to_have_text("Diagnosing")
    console.get_by_label("Part", exact=True).select_option(label="Programme knob (KNOB-9)")
    console.locator("#part-covered").select_option("0")
    console.get_by_role("button", name="Take from stock and add").click()
    expect(console.get_by_text("Billable to the customer")).to_be_visible()
    console.get_by_role("button", name="Repairing").click()
    expect(console.locator(".message-error")).to_contain_text("send the customer a quote")
    console.get_by_role("button", name="Send quote to customer").click()
    expect(console.locator(".message-success")).to_contain_text("The quote was sent")
    order = RepairOrder.objects.get(claim=claim)

    # the customer follows the repair and approves the quote
    portal.goto(f"{live_server.url}/portal/")
    portal.get_by_role("link", name="Menu").click()  # on a phone, the portal's other pages are in its menu
    portal.get_by_role("main").get_by_role("link", name="My repairs").click()
    portal.get_by_role("link", name=order.reference).click()
    expect(portal.locator("#quote")).to_contain_text("14.50")
    portal.get_by_role("button", name="Approve the quote").click()
    expect(portal.locator(".message-success")).to_contain_text("we will start the repair")
    expect(portal.locator("#quote .badge")).to_have_text("Approved")

    # the technician starts the repair, and the customer sees it
    console.reload()
    console.get_by_role("button", name="Repairing").click()
    expect(console.locator(".page-head .badge").first).to_have_text("Repairing")
    portal.reload()
    expect(portal.locator("#repair-status")).to_have_text("Repairing")
    order.refresh_from_db()
    assert order.status == RepairStatus.REPAIRING and order.covered
    assert order.quotes.get().status == QuoteStatus.APPROVED
