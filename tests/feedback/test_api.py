"""The feedback API: scores, recovery cases (each sees their own), the CSV import with the sales import's rules."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from aftersales.feedback.models import Invitation, RecoveryCase, Response, ResponseChannel
from aftersales.feedback.services import recovery_case_open, response_record
from tests.factories import CustomerFactory, SaleFactory, staff
from tests.feedback.helpers import invite

pytestmark = pytest.mark.django_db


def answered(customer, **scores):
    invitation = invite(customer, subject_key=f"ticket:{customer.pk}")
    return response_record(invitation=invitation, channel=ResponseChannel.FORM, scores=scores)


def test_scores_come_with_their_intervals(api_as, manager):
    for value in (5, 5, 4, 2):
        answered(CustomerFactory(), csat=value)
    body = api_as(manager).get("/api/v1/feedback/scores").json()
    assert body["csat"]["value"] == 75.0 and body["csat"]["n"] == 4
    assert body["csat"]["low"] < 75 < body["csat"]["high"]
    assert body["nps"] is None


def test_scores_by_an_unknown_dimension_name_the_choices(api_as, manager):
    response = api_as(manager).get("/api/v1/feedback/scores/by/colour")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "dimension"


def test_a_rep_sees_the_scores_only_with_the_permission(api_as, rep):
    assert api_as(rep).get("/api/v1/feedback/scores").status_code == 403


def test_a_rep_sees_only_their_own_recovery_cases(api_as, rep, manager):
    mine = answered(CustomerFactory(), csat=1)
    theirs = answered(CustomerFactory(), csat=1)
    case = recovery_case_open(response=mine, reason="low_csat")
    other = recovery_case_open(response=theirs, reason="low_csat")
    RecoveryCase.objects.filter(pk=case.pk).update(assignee=rep)
    RecoveryCase.objects.filter(pk=other.pk).update(assignee=manager)

    listed = api_as(rep).get("/api/v1/feedback/recovery-cases").json()["items"]
    assert [row["id"] for row in listed] == [case.pk]
    assert api_as(rep).get(f"/api/v1/feedback/recovery-cases/{other.pk}").status_code == 404

    resolved = api_as(rep).post(f"/api/v1/feedback/recovery-cases/{case.pk}/resolve", {"outcome": "maybe"})
    assert resolved.status_code == 400 and resolved.json()["errors"][0]["field"] == "outcome"
    resolved = api_as(rep).post(f"/api/v1/feedback/recovery-cases/{case.pk}/resolve", {"outcome": "recovered", "note": "Refund"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    detail = api_as(rep).get(f"/api/v1/feedback/recovery-cases/{case.pk}").json()
    assert [event["kind"] for event in detail["events"]] == ["opened", "resolved"]


def _csv(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("results.csv", text.encode(encoding), content_type="text/csv")


def test_import_reads_semicolons_and_latin1_and_finds_customers_by_email_or_order(api_as, manager):
    lucia = CustomerFactory(email="lucia@example.com")
    sale = SaleFactory(number="S-100", customer=CustomerFactory())
    text = (
        "date;kind;score;comment;customer_email;order_number\n"
        "2025-05-02;nps;9;Atención excelente, gracias;lucia@example.com;\n"
        "2025-05-03;;2;Llegó tarde;;S-100\n"
    )

    response = api_as(manager).post("/api/v1/feedback/imports", {"file": _csv(text, "latin-1")}, content_type=MULTIPART_CONTENT)
    again = api_as(manager).post("/api/v1/feedback/imports", {"file": _csv(text, "latin-1")}, content_type=MULTIPART_CONTENT)

    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "imported": 2, "skipped": 0}
    assert again.json() == {"rows": 2, "imported": 0, "skipped": 2}
    assert Response.objects.get(invitation__customer=lucia).comment == "Atención excelente, gracias"
    assert Invitation.objects.get(customer=sale.customer).sale == sale
    assert not RecoveryCase.objects.exists()  # old results are scored, not acted on


def test_import_reports_every_bad_row_and_writes_nothing(api_as, manager):
    CustomerFactory(email="lucia@example.com")
    text = (
        "date,kind,score,customer_email\n"
        "2025-05-02,csat,4,lucia@example.com\n"
        "02/05/2025,csat,4,lucia@example.com\n"
        "2025-05-02,nps,11,lucia@example.com\n"
        "2025-05-02,csat,3,nobody@example.com\n"
    )
    response = api_as(manager).post("/api/v1/feedback/imports", {"file": _csv(text)}, content_type=MULTIPART_CONTENT)

    assert response.status_code == 400
    assert [(error["line"], error["field"]) for error in response.json()["errors"]] == [
        (3, "date"),
        (4, "score"),
        (5, "customer_email"),
    ]
    assert not Response.objects.exists()


def test_import_needs_the_permission(api_as):
    agent = staff("support_agent")
    assert (
        api_as(agent).post("/api/v1/feedback/imports", {"file": _csv("date,score\n")}, content_type=MULTIPART_CONTENT).status_code
        == 403
    )
