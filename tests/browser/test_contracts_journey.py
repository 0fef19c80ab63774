"""A rep proposes a maintenance contract for a unit whose warranty ends soon and signs it; the customer sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.contracts.models import ContractStatus, MaintenanceContract
from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, SaleLineFactory, UnitFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_a_rep_proposes_and_signs_a_contract_and_the_customer_sees_what_it_covers(live_server, new_page):
    # given a boiler whose 24-month warranty ends in about a month, sold by the rep
    rep = staff(Role.SALES_REP, username="ana.rep", first_name="Ana")
    customer = CustomerFactory(name="Rosa Gil", language="en")
    # The browser waits in real time, so the dates hang on today rather than on a frozen day.
    delivered = timezone.now() - dt.timedelta(days=700)
    sale = SaleFactory(customer=customer, sold_on=timezone.localdate(delivered), sales_rep=rep)
    boiler = ProductFactory(name="Boiler B-24", warranty_months=24)
    unit = UnitFactory(sale_line=SaleLineFactory(sale=sale, product=boiler), serial="B24-7001", delivered_at=delivered)

    console = new_page()
    console.goto(f"{live_server.url}/login/")
    console.get_by_label("Username").fill("ana.rep")
    console.get_by_label("Password").fill("s3cret-pass")
    console.get_by_role("button", name="Sign in").click()
    console.get_by_role("link", name="Contract opportunities").click()
    expect(console.locator("#opportunities")).to_contain_text("B24-7001")
    console.get_by_role("link", name="Propose contract").click()
    console.get_by_label("Price for the term").fill("240")
    console.get_by_label("A maintenance visit every (months)").fill("6")
    console.get_by_label("Signed: activate it now").check()
    console.get_by_role("button", name="Save contract").click()
    expect(console.locator(".page-head .badge")).to_have_text("Active")
    contract = MaintenanceContract.objects.get()
    assert contract.status == ContractStatus.ACTIVE and list(contract.units.all()) == [unit]

    portal = new_page(390, 844)
    portal.context.add_cookies([session_cookie(customer_portal_user(customer=customer), live_server)])
    portal.goto(f"{live_server.url}/portal/contracts/")
    expect(portal.locator(".products")).to_contain_text(contract.reference)
    expect(portal.locator(".products")).to_contain_text("Free of charge: spare parts and labour")
    expect(portal.locator(".products")).to_contain_text("Every 6 months")
