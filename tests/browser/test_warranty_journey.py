"""A customer starts a warranty claim with a receipt photo; an agent verifies it; the customer sees it approved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from aftersales.warranty.models import ClaimStatus, WarrantyClaim
from tests.factories import CustomerFactory, ProductFactory, UnitFactory, staff
from tests.warranty.conftest import decision_template_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_a_customer_claims_with_a_receipt_and_an_agent_approves_it(live_server, new_page, tmp_path):
    # given a customer whose purchase is not on record, and an agent
    decision_template_ensure()
    customer = CustomerFactory(name="Lucía Fernández", language="en")
    # The browser waits in real time, so the delivery is a month before today rather than a frozen day.
    delivered = timezone.now() - dt.timedelta(days=30)
    washer = ProductFactory(name="Washer WM-800")
    unit = UnitFactory(sale_line=None, customer=customer, serial="WM800-9001", delivered_at=delivered, product=washer)
    staff(Role.SUPPORT_AGENT, username="carmen.agent", first_name="Carmen")
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(PNG)

    # the customer starts a claim from her products, with a photo of the receipt
    portal = new_page(390, 844)
    portal.context.add_cookies([session_cookie(customer_portal_user(customer=customer), live_server)])
    portal.goto(f"{live_server.url}/portal/")
    portal.get_by_role("link", name="Something wrong? Start a warranty claim").click()
    portal.get_by_label("What is wrong?").select_option("leak")
    portal.get_by_label("Tell us what happens").fill("Water under the door after each wash.")
    portal.get_by_label("Photo or PDF of your receipt").set_input_files(str(receipt))
    portal.get_by_role("button", name="Send my claim").click()
    expect(portal.locator(".badge")).to_have_text("Needs inspection")
    claim = WarrantyClaim.objects.get(unit=unit)

    # the agent verifies the receipt from the claim queue
    console = new_page()
    console.goto(f"{live_server.url}/login/")
    console.get_by_label("Username").fill("carmen.agent")
    console.get_by_label("Password").fill("s3cret-pass")
    console.get_by_role("button", name="Sign in").click()
    console.goto(f"{live_server.url}/warranty/claims/?status=needs_inspection")
    console.get_by_role("link", name=claim.reference).click()
    console.get_by_role("button", name="Receipt is valid").click()
    expect(console.locator(".page-head .badge")).to_have_text("Approved")

    # and the customer sees the decision
    portal.reload()
    expect(portal.locator(".badge")).to_have_text("Approved")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
