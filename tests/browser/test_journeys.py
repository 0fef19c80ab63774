"""Journeys through the console and the portal in a real browser (Debian's Chromium)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from aftersales.core.roles import Role
from aftersales.sales.models import Unit
from tests.factories import ProductFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMNS = (
    "sale_number,sale_date,channel,customer_name,customer_email,customer_phone,customer_language,customer_city,"
    "customer_country,sku,quantity,unit_price,serials,delivered_on,installed_on,receipt_number"
)
LUCIA = "Lucía Fernández,lucia.fernandez@example.es,+34 612 345 678,es,Sevilla,ES"
OLIVER = "Oliver Grant,oliver.grant@example.co.uk,+44 7911 123456,en,Leeds,GB"
SALES_CSV = "\n".join(
    [
        COLUMNS,
        f"V-2025-0101,2025-01-14,store,{LUCIA},WM-800,1,649.00,WM800-55102,2025-01-17,,T-88121",
        f"V-2025-0101,2025-01-14,store,{LUCIA},KT-20,2,39.90,KT20-0091|KT20-0092,2025-01-14,,T-88121",
        f"V-2025-0340,2025-04-02,online,{LUCIA},AC-12,1,1199.00,AC12-77810,2025-04-08,2025-04-10,W-30412",
        f"V-2025-0415,2025-05-20,phone,{OLIVER},WM-800,1,629.00,WM800-56033,2025-05-23,,T-90110",
    ]
)


def test_manager_imports_sales_then_the_customer_signs_in_by_magic_link(live_server, new_page, tmp_path):
    # given a service manager and the products the file refers to
    staff(Role.SERVICE_MANAGER, username="sofia.manager", first_name="Sofía", last_name="Marín")
    ProductFactory(sku="WM-800", name="Washing machine WM-800", name_es="Lavadora WM-800", warranty_months=36)
    ProductFactory(sku="KT-20", name="Kettle KT-20", name_es="Hervidor KT-20", warranty_months=24)
    ProductFactory(
        sku="AC-12",
        name="Air conditioner AC-12",
        name_es="Aire acondicionado AC-12",
        warranty_months=24,
        warranty_starts="installation",
        needs_installation=True,
    )
    csv_file = tmp_path / "sales-2025.csv"
    csv_file.write_text(SALES_CSV, encoding="utf-8")
    page = new_page()

    # the manager signs in to the console
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("sofia.manager")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Sofía")).to_be_visible()

    # imports the file through the import page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Import", exact=True).click()
    # the file waits for a worker; the status page keeps asking how it goes
    expect(page.get_by_role("heading", name="Import of sales-2025.csv")).to_be_visible()
    expect(page.locator("#import-state")).to_have_text("Queued")
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("Import finished")
    expect(summary.locator("dt:has-text('Sales created') + dd")).to_have_text("3")
    expect(summary.locator("dt:has-text('Units created') + dd")).to_have_text("5")
    expect(page.locator("#import-state")).to_have_text("Imported")
    page.get_by_role("link", name="Back to imports").click()
    expect(page.locator("#recent-imports tbody tr").first).to_contain_text("sales-2025.csv")
    expect(page.locator("#recent-imports tbody tr").first).to_contain_text("Imported")

    # finds the customer with the live search and opens her page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_label("Search customers").press_sequentially("AC12-77810", delay=20)
    result = page.locator("#results").get_by_role("link", name="Lucía Fernández")
    expect(result).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text("Oliver Grant")
    result.click()
    expect(page.get_by_role("heading", name="Lucía Fernández", level=1)).to_be_visible()

    # sees the timeline entries written by the import
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Bought Washing machine WM-800 (serial WM800-55102) on sale V-2025-0101")
    expect(timeline).to_contain_text("Air conditioner AC-12 (serial AC12-77810) installed")
    expect(timeline).to_contain_text("Sale V-2025-0340 recorded")

    # the customer asks for a sign-in link on the portal
    portal = new_page(390, 844)
    portal.goto(f"{live_server.url}/portal/sign-in/")
    portal.get_by_label("Your email address").fill("lucia.fernandez@example.es")
    portal.get_by_role("button", name="Email me a sign-in link").click()
    expect(portal.get_by_role("status")).to_contain_text("If this email is on record, a link is on its way.")
    assert [message.to for message in mail.outbox] == [["lucia.fernandez@example.es"]]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)

    # follows the link and sees her products with their warranty end dates, in Spanish
    portal.goto(link)
    portal.locator("main form button[type=submit]").click()
    expect(portal).to_have_url(f"{live_server.url}/portal/")
    expect(portal.locator("html")).to_have_attribute("lang", "es")
    cards = portal.locator(".product")
    expect(cards).to_have_count(4)
    washer = cards.filter(has_text="WM800-55102")
    expect(washer).to_contain_text("Lavadora WM-800")
    expect(washer.locator(".warranty time")).to_have_attribute("datetime", "2028-01-16")
    conditioner = cards.filter(has_text="AC12-77810")
    expect(conditioner.locator(".warranty time")).to_have_attribute("datetime", "2027-04-09")
    expect(cards.filter(has_text="WM800-56033")).to_have_count(0)  # another customer's unit
    assert Unit.objects.get(serial="WM800-55102").warranty_end == dt.date(2028, 1, 16)


def test_a_rep_logs_no_answer_on_my_day_and_the_call_moves_to_tomorrow(live_server, new_page):
    from django.utils import timezone

    from aftersales.followup.models import StaffTask
    from aftersales.followup.services import task_create
    from tests.factories import CustomerFactory

    # given a rep with a call to make this afternoon
    rep = staff(Role.SALES_REP, username="raul.rep", first_name="Raúl", last_name="Ortega")
    customer = CustomerFactory(name="Carmen Núñez", phone="+34612000111")
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    task = task_create(
        actor=None,
        kind="call",
        customer=customer,
        title="Courtesy call: how is the product working?",
        due_at=dt.datetime.combine(today, dt.time(23, 0), tzinfo=zone),
        assignee=rep,
    )
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("raul.rep")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Sign in").click()

    # the rep opens My day and finds the call with the customer's number
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My day").click()
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    row = page.locator(f"#task-{task.pk}")
    expect(row).to_contain_text("Carmen Núñez")
    expect(row.get_by_role("link", name="+34 612 00 01 11")).to_have_attribute("href", "tel:+34612000111")

    # nobody answers: the rep asks to try again tomorrow
    row.get_by_label("Try again").select_option("tomorrow")
    row.get_by_role("button", name="No answer — try again").click()

    # the row is redrawn in place: the call has moved to tomorrow morning
    tomorrow = today + dt.timedelta(days=1)
    moved = page.locator(f"#task-{task.pk} .task-moved")
    expect(moved).to_be_visible()
    expect(moved).to_contain_text(f"Moved to {tomorrow:%A} {tomorrow.day}")
    task.refresh_from_db()
    assert task.retry_at == dt.datetime.combine(tomorrow, dt.time(9), tzinfo=zone)
    assert (task.status, task.attempts) == ("open", 1)
    assert StaffTask.objects.count() == 1

    # today's list no longer has it; tomorrow's does
    page.reload()
    expect(page.locator(f"#task-{task.pk}")).to_have_count(0)
    page.get_by_role("link", name="Next day").click()
    expect(page.locator(f"#task-{task.pk}")).to_contain_text("Try again")
    retry = task.retry_at.astimezone(zone).isoformat()
    expect(page.locator(f"#task-{task.pk} .task-due time")).to_have_attribute("datetime", retry)
