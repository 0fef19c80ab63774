"""Invitations to refer: a promoter is invited with their personal link, at most once per cool-down; staff
invite from the console."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.core.models import TimelineEvent
from aftersales.feedback.models import ResponseChannel, Trigger
from aftersales.feedback.services import response_record
from aftersales.feedback.signals import promoter_answered
from aftersales.messaging.models import Message, MessageStatus, Purpose
from aftersales.referrals.models import InvitationStatus, ReferralCode, ReferralInvitation
from tests.factories import CustomerFactory, SaleFactory
from tests.feedback.helpers import invite

pytestmark = pytest.mark.django_db

CONSENTED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def promoter(referrer):
    referrer.consent_email_at = CONSENTED
    referrer.save()
    return referrer


def answered(customer, response_id):
    promoter_answered.send(sender=None, response_id=response_id, customer_id=customer.pk, invitation_id=None)


def test_a_promoter_receives_a_marketing_invitation_with_their_personal_link(programme, promoter, today):
    answered(promoter, 1)

    invitation = ReferralInvitation.objects.get(customer=promoter)
    code = ReferralCode.objects.get(customer=promoter)
    message = invitation.message
    assert invitation.status == InvitationStatus.SENT and invitation.trigger == "promoter"
    assert message.purpose == Purpose.MARKETING and message.status == MessageStatus.QUEUED
    assert f"/portal/r/{code.code}/" in message.body and code.code in message.body
    assert "500 points" in message.body and "20.00" in message.body
    assert TimelineEvent.objects.filter(customer=promoter, kind="referral_invited").exists()


def test_the_invitation_is_in_the_customers_language(programme, promoter, today):
    promoter.language = "es"
    promoter.save()

    answered(promoter, 1)

    message = Message.objects.get(template_code="referral_invitation")
    assert "Su código" in message.body and message.language == "es"


def test_a_second_promoter_answer_within_the_cool_down_sends_nothing_and_after_it_sends_again(programme, promoter):
    with time_machine.travel(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        answered(promoter, 1)
        answered(promoter, 1)  # the same answer told twice
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        answered(promoter, 2)
    assert ReferralInvitation.objects.filter(customer=promoter).count() == 1

    with time_machine.travel(dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC), tick=False):
        answered(promoter, 3)

    assert ReferralInvitation.objects.filter(customer=promoter).count() == 2
    assert Message.objects.filter(template_code="referral_invitation").count() == 2


def test_without_marketing_consent_the_invitation_is_recorded_as_not_sent_and_does_not_start_the_cool_down(
    programme, referrer, today
):
    answered(referrer, 1)
    referrer.consent_email_at = CONSENTED
    referrer.save()
    answered(referrer, 2)

    statuses = list(ReferralInvitation.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [InvitationStatus.SUPPRESSED, InvitationStatus.SENT]


def test_no_invitation_for_a_customer_who_never_bought_or_while_the_programme_is_off(programme, today):
    newcomer = CustomerFactory(consent_email_at=CONSENTED)
    answered(newcomer, 1)
    buyer = CustomerFactory(consent_email_at=CONSENTED)
    SaleFactory(customer=buyer)
    programme.active = False
    programme.save()
    answered(buyer, 2)

    assert not ReferralInvitation.objects.exists()


def test_staff_invite_from_the_console_once_per_click_and_the_cool_down_is_explained(programme, promoter, rep, signed_in, today):
    client = signed_in(rep)
    url = f"/referrals/customers/{promoter.pk}/invite/"

    first = client.post(url, {"token": "abc"}, follow=True)
    client.post(url, {"token": "abc"})
    again = client.post(url, {"token": "def"}, follow=True)

    assert ReferralInvitation.objects.filter(customer=promoter, trigger="staff").count() == 1
    assert "Invitation to refer a friend sent" in first.content.decode()
    assert "was invited to refer a friend on 2026-03-10" in again.content.decode()


def test_a_technician_may_not_invite(programme, promoter, technician, signed_in):
    response = signed_in(technician).post(f"/referrals/customers/{promoter.pk}/invite/", {"token": "x"})

    assert response.status_code == 403
    assert not ReferralInvitation.objects.exists()


def test_a_real_survey_answered_with_a_ten_brings_the_invitation(
    programme, promoter, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    # given the relationship survey sent to a customer who bought, answered 10 out of 10
    settings.FEEDBACK_REVIEW_URL = ""
    invitation = invite(promoter, trigger=Trigger.RELATIONSHIP, subject_key="relationship:2026-03")

    # when the answer is evaluated
    with django_capture_on_commit_callbacks(execute=True):
        response_record(invitation=invitation, channel=ResponseChannel.FORM, scores={"nps": 10})

    # then the promoter is invited to refer a friend, once
    sent = ReferralInvitation.objects.get(customer=promoter)
    assert sent.trigger == "promoter" and sent.status == InvitationStatus.SENT
    assert Message.objects.filter(template_code="referral_invitation", customer=promoter).count() == 1
