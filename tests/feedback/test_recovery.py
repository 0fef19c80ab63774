"""The recovery loop end to end: an unhappy click, a case for the selling rep due within one business day, its
outcome, the follow-up survey and the score change; overdue cases reach the service managers; promoters are
thanked with a review request and announced to loyalty."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from aftersales.core.models import Notification
from aftersales.feedback.models import (
    InvitationStatus,
    RecoveryCase,
    RecoveryEventKind,
    RecoveryOutcome,
    RecoveryReason,
    RecoveryStatus,
    ResponseChannel,
    Trigger,
)
from aftersales.feedback.selectors import recovery_report
from aftersales.feedback.services import recovery_case_contact, recovery_case_resolve, response_record
from aftersales.feedback.signals import promoter_answered
from aftersales.feedback.sweeps import recovery_overdue
from aftersales.messaging.models import Message
from tests.factories import CustomerFactory, SaleFactory, SaleLineFactory, UnitFactory
from tests.feedback.helpers import invite, links_in, path_of

pytestmark = pytest.mark.django_db(transaction=True)

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
FRIDAY_4PM = dt.datetime(2025, 6, 6, 16, 0, tzinfo=MADRID)


def test_an_unhappy_click_opens_a_case_for_the_selling_rep_and_the_follow_up_measures_the_change(
    client, immediate_tasks, rep, manager
):
    # given a customer whose unit was sold by the rep
    customer = CustomerFactory(name="Lucía Fernández", email="lucia@example.com")
    sale = SaleFactory(customer=customer, sales_rep=rep)
    unit = UnitFactory(sale_line=SaleLineFactory(sale=sale), customer=customer)
    with time_machine.travel(FRIDAY_4PM, tick=False):
        invitation = invite(customer, unit=unit)
        links = links_in(invitation.message)

        # when she clicks "1" in the email (the worker evaluates the answer after commit)
        client.get(path_of(links["1 · Very dissatisfied"]))

    # then a case is open for the rep, first contact due Monday 16:00 (nine working hours later)
    case = RecoveryCase.objects.get()
    assert (case.reason, case.assignee, case.status) == (RecoveryReason.LOW_CSAT, rep, RecoveryStatus.OPEN)
    assert case.first_contact_due_at == dt.datetime(2025, 6, 9, 16, 0, tzinfo=MADRID)
    assert Notification.objects.filter(user=rep, verb="feedback_recovery_assigned").count() == 1

    # when the rep calls her on Monday morning and resolves the case
    with time_machine.travel(dt.datetime(2025, 6, 9, 10, 0, tzinfo=MADRID), tick=False):
        recovery_case_contact(actor=rep, case=case, note="Called; the delivery was two days late.")
        recovery_case_resolve(actor=rep, case=case, outcome=RecoveryOutcome.RECOVERED, note="Refunded the delivery fee.")

    # then a follow-up survey goes out despite the fatigue rule, and her new answer is compared with the old one
    follow_up = case.follow_up_invitations.get()
    assert follow_up.status == InvitationStatus.SENT and follow_up.trigger == Trigger.RECOVERY_FOLLOW_UP
    with time_machine.travel(dt.datetime(2025, 6, 10, 10, 0, tzinfo=MADRID), tick=False):
        client.get(path_of(links_in(follow_up.message)["5 · Very satisfied"]))
    event = case.events.get(kind=RecoveryEventKind.FOLLOW_UP_ANSWERED)
    assert (event.data["before"], event.data["after"]) == (1, 5)
    assert RecoveryCase.objects.count() == 1  # the follow-up answer does not open a case of its own
    [team] = recovery_report()
    assert (team.cases, team.resolved, team.recovered, team.on_time, team.score_change) == (1, 1, 1, 1, 4.0)


def test_a_negative_comment_opens_a_case_even_with_a_middling_score(immediate_tasks, manager):
    customer = CustomerFactory(email="ana@example.com", language="es")
    invitation = invite(customer)
    response_record(
        invitation=invitation,
        channel=ResponseChannel.FORM,
        scores={"csat": 3},
        comment="El técnico llegó tres horas tarde y fue muy maleducado. Pésimo servicio.",
    )
    case = RecoveryCase.objects.get()
    # nobody sold this customer anything: a service manager takes the case
    assert (case.reason, case.assignee) == (RecoveryReason.NEGATIVE_COMMENT, manager)
    case.response.refresh_from_db()
    assert case.response.sentiment == "negative"
    assert "staff_attitude" in case.response.topics and "response_time" in case.response.topics


def test_a_late_first_contact_is_escalated_to_the_service_managers_once(immediate_tasks, rep, manager):
    customer = CustomerFactory(email="lucia@example.com")
    SaleFactory(customer=customer, sales_rep=rep)
    with time_machine.travel(FRIDAY_4PM, tick=False):
        response_record(invitation=invite(customer), channel=ResponseChannel.FORM, scores={"csat": 2})
    with time_machine.travel(dt.datetime(2025, 6, 9, 15, 0, tzinfo=MADRID), tick=False):
        assert recovery_overdue() == 0
    with time_machine.travel(dt.datetime(2025, 6, 9, 17, 0, tzinfo=MADRID), tick=False):
        assert recovery_overdue() == 1
        assert recovery_overdue() == 0
    assert list(Notification.objects.filter(verb="feedback_recovery_overdue").values_list("user", flat=True)) == [manager.pk]
    assert RecoveryCase.objects.get().events.filter(kind=RecoveryEventKind.ESCALATED).count() == 1


def test_a_promoter_gets_a_review_request_and_loyalty_is_told(immediate_tasks, settings):
    settings.FEEDBACK_REVIEW_URL = "https://reviews.example/shop"
    told = []

    def loyalty(sender, response_id, customer_id, invitation_id, **kwargs):
        told.append(customer_id)

    promoter_answered.connect(loyalty, dispatch_uid="test-loyalty")
    try:
        customer = CustomerFactory(email="lucia@example.com", consent_email_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        invitation = invite(customer, trigger=Trigger.RELATIONSHIP, subject_key="relationship:2025-06")
        response_record(invitation=invitation, channel=ResponseChannel.FORM, scores={"nps": 10})
        response_record(invitation=invitation, channel=ResponseChannel.FORM, scores={}, comment="Great service.")
    finally:
        promoter_answered.disconnect(dispatch_uid="test-loyalty")

    review = Message.objects.get(template_code="feedback_review_request")
    assert "https://reviews.example/shop" in review.body
    assert told == [customer.pk]
    assert not RecoveryCase.objects.exists()
