"""The feedback screens: the scores dashboard, recovery cases and their actions, the recovery report, the portal's
surveys, who may open what, and the demo data they show."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest
import time_machine
from django.utils import timezone

from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from aftersales.feedback.models import (
    InvitationStatus,
    RecoveryCase,
    RecoveryEventKind,
    RecoveryOutcome,
    RecoveryStatus,
    ResponseChannel,
    Trigger,
)
from aftersales.feedback.services import recovery_case_resolve, response_evaluate, response_record
from tests.factories import CustomerFactory, SaleFactory, SaleLineFactory, UnitFactory, staff
from tests.feedback.helpers import invite

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sold_by(rep, **customer_fields):
    customer = CustomerFactory(consent_email_at=timezone.now(), **customer_fields)
    sale = SaleFactory(customer=customer, sales_rep=rep)
    return UnitFactory(sale_line=SaleLineFactory(sale=sale), customer=customer)


def answer(unit, scores, *, trigger=Trigger.TICKET_RESOLVED, comment=""):
    """Have the unit's customer answer a survey about it, and evaluate the answer as the worker would."""
    invitation = invite(unit.customer, trigger=trigger, subject_key=f"{trigger}:{unit.pk}", unit=unit)
    assert invitation.status == InvitationStatus.SENT
    response = response_record(invitation=invitation, channel=ResponseChannel.FORM, scores=scores, comment=comment)
    response_evaluate(response_id=response.pk)
    return response


def nps_dd(page: str) -> str:
    match = re.search(r"<dt>NPS</dt><dd>(.*?)</dd>", page, re.S)
    assert match, "no NPS figure on the page"
    return match.group(1)


def test_the_dashboard_shows_scores_with_intervals_a_breakdown_the_trend_and_word_of_mouth(signed_in, manager, settings):
    settings.FEEDBACK_WORD_OF_MOUTH_SATISFIED = "4-6"
    settings.FEEDBACK_WORD_OF_MOUTH_DISSATISFIED = 10
    rep = staff(first_name="Rosa", last_name="Prieto")
    for value in [10] * 8 + [8] * 2 + [3] * 2:
        answer(sold_by(rep), {"nps": value, "buy_again": 1}, trigger=Trigger.RELATIONSHIP)

    page = text(signed_in(manager).get("/feedback/", {"by": "sales_rep"}))

    # NPS (8 − 2) / 12 = 50; variance .8333 − .25 = .5833, half-width 1.96 √(.5833 / 12) = 43.2
    figure = nps_dd(page)
    assert "<strong>50</strong>" in figure and "95% interval 7 to 93" in figure and "n = 12" in figure
    assert "too few answers" not in figure
    assert "Rosa Prieto" in page.split('id="breakdown"')[1]
    trend = page.split('id="trend"')[1]
    svg = ElementTree.fromstring(trend[trend.index("<svg") : trend.index("</svg>") + 6])
    drawn = [element.tag.split("}")[1] for element in svg]
    assert "polygon" in drawn and drawn.count("circle") == 1  # the band, and one month with answers
    word = page.split('id="word-of-mouth"')[1]
    assert "8 satisfied customers: about 32 to 48 people" in word
    assert "2 dissatisfied customers: about 20 people" in word
    assert "tell 4 to 6 people, a dissatisfied one 10" in word


def test_a_score_on_few_answers_says_so(signed_in, manager):
    rep = staff()
    for value in (10, 9, 2):
        answer(sold_by(rep), {"nps": value}, trigger=Trigger.RELATIONSHIP)
    figure = nps_dd(text(signed_in(manager).get("/feedback/")))
    assert "n = 3" in figure and "too few answers" in figure


def test_the_dashboard_counts_only_the_chosen_period(signed_in, manager):
    rep = staff()
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)):
        answer(sold_by(rep), {"nps": 10}, trigger=Trigger.RELATIONSHIP)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
        answer(sold_by(rep), {"nps": 0}, trigger=Trigger.RELATIONSHIP)
        client = signed_in(manager)
        january = nps_dd(text(client.get("/feedback/", {"start": "2026-01-01", "end": "2026-01-31"})))
        march = nps_dd(text(client.get("/feedback/", {"start": "2026-03-01", "end": "2026-03-31"})))
    assert "<strong>100</strong>" in january and "<strong>-100</strong>" in march


def test_staff_without_the_scores_permission_are_refused_the_dashboard_and_the_report(signed_in, rep):
    client = signed_in(rep)
    assert client.get("/feedback/").status_code == 403
    assert client.get("/feedback/recovery/report/").status_code == 403
    page = text(client.get("/feedback/recovery/"))  # their own cases they may see
    assert 'href="/feedback/"' not in page


def test_a_rep_sees_only_their_own_recovery_cases_and_a_manager_sees_all(signed_in, manager):
    mine, other = staff(role=Role.SALES_REP), staff(role=Role.SALES_REP)
    answer(sold_by(mine, name="Irene Casado"), {"csat": 1})
    answer(sold_by(other, name="Bruno Ferrer"), {"csat": 2})
    theirs = RecoveryCase.objects.get(assignee=other)

    client = signed_in(mine)
    listed = text(client.get("/feedback/recovery/"))
    assert "Irene Casado" in listed and "Bruno Ferrer" not in listed
    assert "Bruno Ferrer" not in text(client.get("/feedback/recovery/", {"scope": "all"}))
    assert client.get(f"/feedback/recovery/{theirs.pk}/").status_code == 404
    assert client.post(f"/feedback/recovery/{theirs.pk}/note/", {"note": "x"}).status_code == 404

    everything = text(signed_in(manager).get("/feedback/recovery/"))
    assert "Irene Casado" in everything and "Bruno Ferrer" in everything


def test_a_case_shows_what_opened_it_its_due_time_overdue_and_the_actions_write_its_history(signed_in, rep):
    with time_machine.travel(dt.datetime(2026, 2, 2, 10, tzinfo=dt.UTC), tick=False):
        answer(sold_by(rep), {"csat": 1, "effort": 2}, comment="Nobody called me back about the broken door.")
    case = RecoveryCase.objects.get()
    client = signed_in(rep)
    url = f"/feedback/recovery/{case.pk}/"

    with time_machine.travel(dt.datetime(2026, 2, 5, 10, tzinfo=dt.UTC), tick=False):
        page = text(client.get(url))
        assert "Nobody called me back about the broken door." in page
        assert "Overdue" in page.split('id="due"')[1].split("</dd>")[0]
        assert "First contact overdue" in text(client.get("/feedback/recovery/", {"state": "overdue"}))

        fragment = text(client.post(f"{url}contact/", {"note": "Phoned; a technician comes Friday."}, HTTP_HX_REQUEST="true"))
        assert "<html" not in fragment and "Phoned; a technician comes Friday." in fragment
        assert "Overdue" not in fragment.split('id="due"')[1].split("</dd>")[0]
        client.post(f"{url}note/", {"note": "Door replaced."})
        client.post(f"{url}resolve/", {"outcome": RecoveryOutcome.RECOVERED, "note": "Customer thanked us."})

    case.refresh_from_db()
    assert case.status == RecoveryStatus.RESOLVED and case.outcome == RecoveryOutcome.RECOVERED
    assert case.follow_up_invitations.count() == 1
    history = text(client.get(url)).split('id="history"')[1]
    assert "Recovered: the customer is satisfied" in history and "Door replaced." in history
    assert list(case.events.values_list("kind", flat=True).order_by("pk")) == [
        RecoveryEventKind.OPENED,
        RecoveryEventKind.CONTACTED,
        RecoveryEventKind.NOTE,
        RecoveryEventKind.RESOLVED,
    ]
    assert "Resolve and send the follow-up survey" not in text(client.get(url))


def test_a_refused_action_says_why_and_changes_nothing(signed_in, rep):
    answer(sold_by(rep), {"csat": 1})
    case = RecoveryCase.objects.get()
    client = signed_in(rep)
    page = text(client.post(f"/feedback/recovery/{case.pk}/resolve/", {"outcome": "maybe"}, follow=True))
    assert "outcome:" in page
    case.refresh_from_db()
    assert case.status == RecoveryStatus.OPEN and case.events.count() == 1


def test_only_managers_reassign(signed_in, manager, rep):
    answer(sold_by(rep), {"csat": 1})
    case = RecoveryCase.objects.get()
    colleague = staff(role=Role.SALES_REP, first_name="Pablo", last_name="Ibarra")
    assert signed_in(rep).post(f"/feedback/recovery/{case.pk}/reassign/", {"assignee": colleague.pk}).status_code == 403
    case.refresh_from_db()
    assert case.assignee == rep

    signed_in(manager).post(f"/feedback/recovery/{case.pk}/reassign/", {"assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague
    assert "Pablo Ibarra" in text(signed_in(manager).get(f"/feedback/recovery/{case.pk}/"))


def test_the_recovery_report_shows_each_team_with_its_recovery_rate(signed_in, manager, rep):
    answer(sold_by(rep), {"csat": 1})
    answer(sold_by(rep), {"csat": 2})
    first, second = RecoveryCase.objects.order_by("pk")
    recovery_case_resolve(actor=rep, case=first, outcome=RecoveryOutcome.RECOVERED)
    recovery_case_resolve(actor=rep, case=second, outcome=RecoveryOutcome.NOT_RECOVERED)
    table = text(signed_in(manager).get("/feedback/recovery/report/")).split('id="teams"')[1]
    # One of two recovered: 50%, Wilson interval 9.5% to 90.5%.
    assert "50%" in table and "95% interval 9 to 91" in table


def test_a_customer_sees_only_their_own_surveys_with_a_link_to_answer_the_open_one(client):
    rep = staff()
    waiting = sold_by(rep, name="Elena Ruiz")
    invite(waiting.customer, subject_key="ticket:7", unit=waiting)
    someone_else = sold_by(rep)
    invite(someone_else.customer, trigger=Trigger.DELIVERY, subject_key="delivery:1", unit=someone_else)

    client.force_login(customer_portal_user(customer=waiting.customer))
    page = text(client.get("/portal/surveys/"))
    surveys = page.split('id="surveys"')[1]
    assert surveys.count('class="card product"') == 1
    assert "Waiting for your answer" in surveys
    link = re.search(r'href="(https://service\.example/s/f/[^"]+/)"', surveys)
    assert link, "no link to the survey page"
    assert "How satisfied are you" in text(client.get(link.group(1).removeprefix("https://service.example")))


def test_the_portal_surveys_read_in_spanish_for_a_spanish_customer(client):
    unit = sold_by(staff(), language="es")
    answer(unit, {"csat": 1})
    recovery_case_resolve(actor=None, case=RecoveryCase.objects.get(), outcome=RecoveryOutcome.UNREACHABLE)
    client.force_login(customer_portal_user(customer=unit.customer))
    page = text(client.get("/portal/surveys/"))
    assert "Mis encuestas" in page and "Responder a la encuesta" in page and "Respondida" in page


def test_the_demo_shows_answers_and_open_and_resolved_recovery_cases(signed_in, manager):
    from aftersales.demo.builder import demo_build

    demo_build(customers=30, seed=11, today=timezone.localdate())
    statuses = set(RecoveryCase.objects.values_list("status", flat=True))
    assert RecoveryStatus.RESOLVED in statuses and statuses & {RecoveryStatus.OPEN, RecoveryStatus.CONTACTED}
    page = text(signed_in(manager).get("/feedback/"))
    assert "No surveys were answered in this period." not in page
    assert "no answers" not in nps_dd(page)
