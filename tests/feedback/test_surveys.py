"""Sending surveys: one per subject, the fatigue rule, the one-click links and the survey page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import signing

from aftersales.feedback.models import Answer, Invitation, InvitationStatus, Response, Trigger
from aftersales.feedback.signing import ANSWER_SALT, answer_token, form_token
from aftersales.messaging.models import Message, MessageStatus
from aftersales.service.services import ticket_set_status
from tests.factories import CustomerFactory
from tests.feedback.helpers import invite, links_in, path_of
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)


def test_the_survey_email_has_one_link_per_answer_and_the_first_click_records_it(client):
    # given a survey sent to a customer after a ticket
    customer = CustomerFactory(name="Lucía Fernández", email="lucia@example.com", language="en")
    invitation = invite(customer)
    message = Message.objects.get(idempotency_key=f"feedback:invitation:{invitation.pk}")
    links = links_in(message)
    assert list(links) == [
        "1 · Very dissatisfied",
        "2 · Dissatisfied",
        "3 · Neither",
        "4 · Satisfied",
        "5 · Very satisfied",
        "survey",
    ]

    # when she clicks "4" and later "1"
    page = client.get(path_of(links["4 · Satisfied"]), follow=True)
    client.get(path_of(links["1 · Very dissatisfied"]), follow=True)

    # then the first click is the answer, and the page offers a comment
    assert page.status_code == 200
    assert "Thank you, your answer is recorded." in page.content.decode()
    assert 'name="comment"' in page.content.decode()
    assert list(Answer.objects.values_list("kind", "value")) == [("csat", 4)]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ANSWERED


def test_a_spanish_customer_gets_the_survey_in_spanish(client):
    customer = CustomerFactory(email="ana@example.com", language="es")
    invitation = invite(customer)
    message = invitation.message
    assert message.language == "es"
    assert "¿Qué grado de satisfacción tiene con la atención a su solicitud?" in message.body
    assert "5 · Muy satisfecho" in message.body
    page = client.get(path_of(links_in(message)["survey"]))
    assert "¿Hay algo más que quiera contarnos?" in page.content.decode()


def test_the_survey_page_takes_a_comment_and_the_other_questions(client):
    customer = CustomerFactory(email="lucia@example.com")
    invitation = invite(customer)
    url = f"/s/f/{form_token(invitation_id=invitation.pk)}/"

    page = client.post(url, {"csat": "5", "effort": "6", "comment": "Quick and friendly."})

    assert "Thank you for your feedback" in page.content.decode()
    response = Response.objects.get(invitation=invitation)
    assert response.comment == "Quick and friendly."
    assert sorted(response.answers.values_list("kind", "value")) == [("csat", 5), ("effort", 6)]


def test_an_out_of_range_answer_is_refused_and_nothing_is_written(client):
    invitation = invite(CustomerFactory(email="lucia@example.com"))
    token = answer_token(invitation_id=invitation.pk, value=9)  # CSAT goes to 5

    page = client.get(f"/s/a/{token}/")

    assert page.status_code == 404
    assert not Response.objects.exists()


def test_a_tampered_link_is_refused(client):
    invitation = invite(CustomerFactory(email="lucia@example.com"))
    token = answer_token(invitation_id=invitation.pk, value=5)
    other = invite(CustomerFactory(email="other@example.com"), subject_key="ticket:2")
    # Another invitation's payload under this token's signature, and this token with a changed signature.
    payload, stamp, signature = token.split(":")
    other_payload = answer_token(invitation_id=other.pk, value=5).split(":")[0]
    forged = f"{other_payload}:{stamp}:{signature}"
    tampered = f"{payload}:{stamp}:{signature[:-2]}xx"

    assert client.get(f"/s/a/{tampered}/").status_code == 404
    assert client.get(f"/s/a/{forged}/").status_code == 404
    assert not Response.objects.exists()


def test_a_link_of_another_kind_cannot_be_used_as_a_survey_link(client):
    invitation = invite(CustomerFactory(email="lucia@example.com"))
    # An answer token is not a form token, and a token signed for anything else is not a survey token.
    answer = answer_token(invitation_id=invitation.pk, value=5)
    foreign = signing.dumps({"i": invitation.pk}, salt="aftersales.messaging.unsubscribe")
    customer_token = signing.dumps({"i": invitation.pk, "v": 5, "c": invitation.customer_id}, salt=ANSWER_SALT)

    assert client.get(f"/s/f/{answer}/").status_code == 404
    assert client.get(f"/s/f/{foreign}/").status_code == 404
    assert client.get(f"/s/a/{customer_token}/").status_code == 404
    assert not Response.objects.exists()


def test_links_expire(client, settings):
    settings.FEEDBACK_LINK_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        invitation = invite(CustomerFactory(email="lucia@example.com"))
        token = answer_token(invitation_id=invitation.pk, value=5)
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        page = client.get(f"/s/a/{token}/")
        form = client.get(f"/s/f/{form_token(invitation_id=invitation.pk)}/")
    assert page.status_code == 404
    assert form.status_code == 404
    assert "This survey link is not valid" in page.content.decode()
    assert not Response.objects.exists()


def test_the_survey_page_shows_nothing_but_the_survey(client):
    customer = CustomerFactory(name="Lucía Fernández", email="lucia@example.com", phone="+34600111222", city="Sevilla")
    invitation = invite(customer)
    page = client.get(f"/s/f/{form_token(invitation_id=invitation.pk)}/").content.decode()
    for private in ("lucia@example.com", "+34600111222", "Sevilla", "Fernández"):
        assert private not in page


def test_fatigue_skips_a_second_survey_within_the_period(settings):
    settings.FEEDBACK_FATIGUE_DAYS = 30
    customer = CustomerFactory(email="lucia@example.com")
    with time_machine.travel(NOW, tick=False):
        first = invite(customer, subject_key="ticket:1")
    with time_machine.travel(NOW + dt.timedelta(days=29), tick=False):
        second = invite(customer, subject_key="ticket:2")
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        third = invite(customer, subject_key="ticket:3")

    assert [first.status, second.status, third.status] == [InvitationStatus.SENT, InvitationStatus.FATIGUE, InvitationStatus.SENT]
    assert Message.objects.count() == 2


def test_the_same_subject_is_surveyed_once():
    customer = CustomerFactory(email="lucia@example.com")
    assert invite(customer, subject_key="ticket:7") == invite(customer, subject_key="ticket:7")
    assert Invitation.objects.count() == 1


def test_the_relationship_survey_respects_marketing_consent():
    without = CustomerFactory(email="no@example.com", consent_email_at=None)
    invitation = invite(without, trigger=Trigger.RELATIONSHIP, subject_key="relationship:2025-06")
    assert invitation.status == InvitationStatus.SUPPRESSED
    assert invitation.message.status == MessageStatus.SUPPRESSED


def test_a_resolved_ticket_sends_a_survey_once(agent, django_capture_on_commit_callbacks):
    customer = CustomerFactory(email="lucia@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(customer, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_set_status(actor=agent, ticket=ticket, status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_set_status(actor=agent, ticket=ticket, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_set_status(actor=agent, ticket=ticket, status="resolved")

    [invitation] = Invitation.objects.all()
    assert invitation.trigger == Trigger.TICKET_RESOLVED
    assert invitation.ticket_id == ticket.pk
    assert invitation.department_id == ticket.department_id
    assert f"your request #{ticket.number}" in invitation.message.body
