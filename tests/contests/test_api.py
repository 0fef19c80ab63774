"""The contests API: permissions, drafts, the life of a contest, entries, exclusions, public audit data and results."""

from __future__ import annotations

import hashlib

import pytest
import time_machine

from aftersales.contests.models import Contest, ContestStatus, Entry
from tests.contests.conftest import AFTER, DRAW_DAY, DURING, madrid, opened
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BODY = {
    "code": "summer",
    "name": "Summer draw",
    "name_es": "Sorteo de verano",
    "opens_at": "2026-03-01T00:00:00+01:00",
    "closes_at": "2026-03-31T23:00:00+02:00",
    "draw_at": "2026-04-02T12:00:00+02:00",
    "winners_count": 1,
    "prize": "A coffee machine",
    "entries_per_sale": 1,
}


def test_only_staff_with_the_role_may_use_the_staff_endpoints(api_as, rep, manager, customer, portal_as):
    assert api_as().get("/api/v1/contests/").status_code == 401
    assert portal_as(customer).get("/api/v1/contests/").status_code == 403
    assert api_as(rep).get("/api/v1/contests/").status_code == 200
    assert api_as(rep).post("/api/v1/contests/", BODY).status_code == 403
    assert api_as(manager).post("/api/v1/contests/", BODY).status_code == 201
    contest = Contest.objects.get(code="summer")
    assert api_as(rep).post(f"/api/v1/contests/{contest.pk}/open").status_code == 403
    assert (
        api_as(rep).post(f"/api/v1/contests/{contest.pk}/entries", {"customer_id": customer.pk, "reason": "x"}).status_code == 403
    )


def test_bad_terms_are_refused_with_the_field_and_the_reason(api_as, manager):
    response = api_as(manager).post("/api/v1/contests/", {**BODY, "closes_at": "2026-02-01T00:00:00+01:00", "prize": " "})
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"closes_at", "prize"}
    api_as(manager).post("/api/v1/contests/", BODY)
    duplicate = api_as(manager).post("/api/v1/contests/", BODY)
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["field"] == "code"


def test_a_draft_is_edited_and_deleted_but_an_open_contest_is_fixed(api_as, manager):
    client = api_as(manager)
    contest_id = client.post("/api/v1/contests/", BODY).json()["id"]
    changed = client.patch(f"/api/v1/contests/{contest_id}", {"winners_count": 3, "name_es": "Verano"})
    assert changed.status_code == 200 and changed.json()["winners_count"] == 3
    with time_machine.travel(madrid(2026, 2, 20), tick=False):
        opened_ = client.post(f"/api/v1/contests/{contest_id}/open").json()
    assert opened_["status"] == "open" and len(opened_["seed_hash"]) == 64 and opened_["seed"] == ""
    assert client.patch(f"/api/v1/contests/{contest_id}", {"winners_count": 5}).status_code == 409
    assert client.delete(f"/api/v1/contests/{contest_id}").status_code == 409
    draft_id = client.post("/api/v1/contests/", {**BODY, "code": "other"}).json()["id"]
    assert client.delete(f"/api/v1/contests/{draft_id}").status_code == 204


def test_the_whole_draw_through_the_api_and_the_public_audit(api_as, manager):
    client = api_as(manager)
    contest = opened(winners_count=1)
    people = [CustomerFactory(name=name, city="Toledo") for name in ("Luis Pérez", "Ana Gil", "Eva Ruiz")]
    with time_machine.travel(DURING, tick=False):
        for person in people:
            response = client.post(
                f"/api/v1/contests/{contest.pk}/entries",
                {"customer_id": person.pk, "count": 2, "reason": "Shop opening", "idempotency_key": f"opening-{person.pk}"},
            )
            assert response.status_code == 201 and len(response.json()) == 2
        again = client.post(
            f"/api/v1/contests/{contest.pk}/entries",
            {"customer_id": people[0].pk, "count": 2, "reason": "Shop opening", "idempotency_key": f"opening-{people[0].pk}"},
        )
        assert again.status_code == 201
        assert (
            client.post(f"/api/v1/contests/{contest.pk}/entries", {"customer_id": 999999, "reason": "x"}).json()["errors"][0][
                "field"
            ]
            == "customer_id"
        )
    assert Entry.objects.filter(contest=contest).count() == 6
    public = api_as()
    before = public.get(f"/api/v1/contests/{contest.pk}/audit").json()
    assert before["seed"] == "" and before["entries_digest"] == "" and before["winners"] == []
    assert public.get(f"/api/v1/contests/{contest.pk}/entries.csv").status_code == 404
    with time_machine.travel(AFTER, tick=False):
        assert client.post(f"/api/v1/contests/{contest.pk}/close").json()["status"] == "closed"
    csv = public.get(f"/api/v1/contests/{contest.pk}/entries.csv")
    assert csv.status_code == 200 and csv.content.decode().startswith("number,customer,source,eligible\n1,")
    with time_machine.travel(DRAW_DAY, tick=False):
        assert client.post(f"/api/v1/contests/{contest.pk}/draw").json()["status"] == ContestStatus.DRAWN
    audit = public.get(f"/api/v1/contests/{contest.pk}/audit").json()
    assert hashlib.sha256(bytes.fromhex(audit["seed"])).hexdigest() == before["seed_hash"]
    assert len(audit["winners"]) == 1 and audit["entries_count"] == 6
    results = public.get(f"/api/v1/contests/{contest.pk}/results").json()
    assert (
        results[0]["name"] in {"Luis P. (Toledo)", "Ana G. (Toledo)", "Eva R. (Toledo)"} and results[0]["prize"] == contest.prize
    )


def test_a_draft_contest_is_not_public(api_as, manager):
    contest_id = api_as(manager).post("/api/v1/contests/", BODY).json()["id"]
    assert api_as().get(f"/api/v1/contests/{contest_id}/audit").status_code == 404
    assert api_as().get(f"/api/v1/contests/{contest_id}/results").status_code == 404
    assert api_as(manager).get(f"/api/v1/contests/{contest_id}").json()["seed_hash"] == ""


def test_exclusions_through_the_api(api_as, manager, rep):
    contest = opened()
    customer = CustomerFactory()
    assert (
        api_as(rep).post(f"/api/v1/contests/{contest.pk}/exclusions", {"customer_id": customer.pk, "reason": "x"}).status_code
        == 403
    )
    response = api_as(manager).post(
        f"/api/v1/contests/{contest.pk}/exclusions", {"customer_id": customer.pk, "reason": "Owner's son"}
    )
    assert response.status_code == 201
    listed = api_as(rep).get(f"/api/v1/contests/{contest.pk}/exclusions").json()
    assert [row["customer_id"] for row in listed] == [customer.pk]
    missing_reason = api_as(manager).post(f"/api/v1/contests/{contest.pk}/exclusions", {"customer_id": customer.pk, "reason": ""})
    assert missing_reason.status_code == 400 and missing_reason.json()["errors"][0]["field"] == "reason"
