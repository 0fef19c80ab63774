"""A customer answers a survey on a 360 px phone from the link in the email she received, then adds a comment."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from aftersales.feedback.models import Response
from aftersales.messaging.models import Message
from tests.factories import CustomerFactory
from tests.feedback.conftest import defaults_ensure
from tests.feedback.helpers import invite, links_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_answers_from_the_email_on_a_phone_and_adds_a_comment(live_server, new_page, settings, immediate_tasks):
    # given a survey email actually sent to the customer (read from the mail backend)
    settings.SITE_URL = live_server.url
    settings.MESSAGING_QUIET_HOURS = None
    defaults_ensure()
    customer = CustomerFactory(name="Lucía Fernández", email="lucia@example.com", language="en")
    invitation = invite(customer)
    [email] = [sent for sent in mail.outbox if "lucia@example.com" in sent.to]
    assert Message.objects.get(pk=invitation.message_id).status == "sent"
    link = links_in(Message(body=email.body))["4 · Satisfied"]

    # when she taps "4 · Satisfied" on her phone
    page = new_page(360, 740)
    page.goto(link)

    # then the answer is recorded and the page offers a comment, without sideways scrolling
    expect(page.locator("#answered")).to_contain_text("Thank you, your answer is recorded.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_text("6", exact=True).click()
    page.get_by_label("Anything you would like to tell us?").fill("Friendly agent, but it took a week.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thanks")).to_be_visible()

    response = Response.objects.get(invitation=invitation)
    assert sorted(response.answers.values_list("kind", "value")) == [("csat", 4), ("effort", 6)]
    assert response.comment == "Friendly agent, but it took a week."
    response.refresh_from_db()
    assert response.evaluated_at is not None  # the worker analysed the comment
