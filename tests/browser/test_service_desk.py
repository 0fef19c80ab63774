"""The service desk in a real browser: an agent answers the oldest unanswered ticket; the customer reads it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.service.models import CannedReply, Queue, Ticket
from tests.factories import CustomerFactory, staff
from tests.service.helpers import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def service_desk() -> Department:
    """Return the service department with its default queue (earlier transactional tests flush what migrations made)."""
    department, _created = Department.objects.get_or_create(code="service", defaults={"name": "Service"})
    Queue.objects.update_or_create(
        is_default=True, defaults={"name": "Service desk", "department": department, "assignment_mode": "manual", "active": True}
    )
    return department


def test_an_agent_answers_the_oldest_unanswered_ticket_and_the_customer_reads_it_in_spanish(live_server, new_page):
    # given two unanswered tickets, the older one from a Spanish-speaking customer, and a canned reply in both languages
    staff(Role.SUPPORT_AGENT, username="pablo.agent", first_name="Pablo", department=service_desk())
    lucia = CustomerFactory(name="Lucía Fernández", email="lucia@example.es", language="es")
    oldest = open_ticket(lucia, subject="La lavadora pierde agua", body="Sale agua por debajo.")
    newer = open_ticket(CustomerFactory(name="Oliver Grant"), subject="Kettle lid broken")
    Ticket.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    CannedReply.objects.create(
        title="Technician visit",
        body_en="Hello {{ customer_first_name }}, a technician will visit you about {{ ticket_reference }}.",
        body_es="Hola {{ customer_first_name }}, un técnico le visitará por {{ ticket_reference }}.",
    )
    page = new_page()

    # the agent signs in and opens the Unanswered queue
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("pablo.agent")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Unanswered").click()
    expect(page.get_by_role("heading", name="Unanswered", level=1)).to_be_visible()
    rows = page.locator("#unanswered tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Lucía Fernández")
    expect(rows.first).to_contain_text(re.compile(r"\b3 h \d+ min"))  # how long it has waited

    # opens the oldest ticket and picks the canned reply: it comes in Spanish with the details filled in
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=f"{oldest.reference} La lavadora pierde agua")).to_be_visible()
    page.get_by_label("Canned reply").select_option(label="Technician visit")
    reply_box = page.get_by_label("Reply to the customer")
    expect(reply_box).to_have_value(f"Hola Lucía, un técnico le visitará por {oldest.reference}.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent to the customer.")).to_be_visible()
    expect(page.locator("#conversation .msg-public")).to_contain_text("un técnico le visitará")

    # the ticket has left the queue; the newer one waits
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Unanswered").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(newer.reference)

    # the customer signs in to the portal by link and reads the reply in Spanish
    portal = new_page(390, 844)
    portal.goto(f"{live_server.url}/portal/sign-in/")
    portal.get_by_label("Your email address").fill("lucia@example.es")
    portal.get_by_role("button", name="Email me a sign-in link").click()
    sign_in_mail = next(message for message in mail.outbox if "/portal/auth/" in message.body)
    portal.goto(re.search(r"https?://\S+", sign_in_mail.body).group(0))
    portal.locator("main form button[type=submit]").click()
    portal.get_by_role("link", name="Mis solicitudes").click()
    request = portal.locator(".request").filter(has_text=oldest.reference)
    expect(request).to_contain_text("En curso")
    request.get_by_role("link").click()
    conversation = portal.locator("#conversation")
    expect(conversation).to_contain_text("Sale agua por debajo.")
    expect(conversation).to_contain_text(f"Hola Lucía, un técnico le visitará por {oldest.reference}.")
    expect(portal.locator("html")).to_have_attribute("lang", "es")
