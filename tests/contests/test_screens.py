"""Console and portal screens of contests: who may open them, the contest form, actions, entries, audit and results."""

from __future__ import annotations

import pytest
import time_machine

from aftersales.contests.models import Contest, ContestStatus, Entry, Exclusion
from aftersales.contests.services import contest_create, entry_manual_add
from aftersales.customers.services import customer_portal_user
from tests.contests.conftest import AFTER, DRAW_DAY, DURING, closed, drawn, madrid, opened, terms
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FORM = {
    "code": "autumn",
    "name": "Autumn draw",
    "name_es": "Sorteo de otoño",
    "rules": "Buy and win",
    "opens_at": "2026-03-01T00:00",
    "closes_at": "2026-03-31T23:00",
    "draw_at": "2026-04-02T12:00",
    "winners_count": "2",
    "prize": "A bicycle",
    "prize_voucher_valid_days": "90",
    "entries_per_sale": "1",
    "entries_per_survey": "0",
    "entries_per_referral": "0",
    "exclude_staff": "on",
}


def test_the_console_list_needs_the_permission_and_shows_the_contests(client, signed_in, technician, rep):
    opened()
    assert client.get("/contests/").status_code == 302
    assert signed_in(technician).get("/contests/").status_code == 403
    page = signed_in(rep).get("/contests/")
    assert page.status_code == 200 and "Spring draw" in page.content.decode()
    assert 'href="/contests/"' in page.content.decode()


def test_a_manager_creates_edits_and_opens_a_contest_and_a_rep_cannot(client, signed_in, manager, rep):
    signed_in(rep)
    assert client.post("/contests/new/", FORM).status_code == 403
    signed_in(manager)
    bad = client.post("/contests/new/", {**FORM, "draw_at": "2026-03-15T12:00"})
    assert bad.status_code == 200 and "must not be before entries close" in bad.content.decode()
    response = client.post("/contests/new/", FORM)
    contest = Contest.objects.get(code="autumn")
    assert response.status_code == 302 and contest.status == ContestStatus.DRAFT and contest.winners_count == 2
    client.post(f"/contests/{contest.pk}/edit/", {**FORM, "winners_count": "3"})
    assert Contest.objects.get(pk=contest.pk).winners_count == 3
    signed_in(rep)
    assert client.post(f"/contests/{contest.pk}/open/").status_code == 403
    signed_in(manager)
    with time_machine.travel(madrid(2026, 2, 20), tick=False):
        client.post(f"/contests/{contest.pk}/open/")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.OPEN
    page = client.get(f"/contests/{contest.pk}/").content.decode()
    assert contest.seed_hash in page and contest.seed not in page
    assert client.get(f"/contests/{contest.pk}/edit/").status_code == 302


def test_the_draw_needs_its_confirmation_and_shows_the_audit_panel(client, signed_in, manager):
    contest = opened(winners_count=1)
    with time_machine.travel(DURING, tick=False):
        for _ in range(3):
            entry_manual_add(actor=None, contest=contest, customer=CustomerFactory(), count=1, reason="Fair")
    signed_in(manager)
    with time_machine.travel(AFTER, tick=False):
        client.post(f"/contests/{contest.pk}/close/")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.CLOSED
    with time_machine.travel(DRAW_DAY, tick=False):
        client.post(f"/contests/{contest.pk}/draw/")
        assert Contest.objects.get(pk=contest.pk).status == ContestStatus.CLOSED
        client.post(f"/contests/{contest.pk}/draw/", {"confirm": "yes"})
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAWN
    page = client.get(f"/contests/{contest.pk}/").content.decode()
    assert contest.seed in page and contest.entries_digest in page and "contest-verify" in page
    csv = client.get(f"/contests/{contest.pk}/entries.csv")
    assert csv.status_code == 200 and csv.content.decode().count("\n") == 4


def test_entries_screen_counts_searches_and_gives_manual_entries(client, signed_in, manager, rep):
    contest = opened()
    ana = CustomerFactory(name="Ana Torres", email="ana@example.com")
    signed_in(rep)
    with time_machine.travel(DURING, tick=False):
        refused = client.post(f"/contests/{contest.pk}/entries/", {"customer": "ana@example.com", "count": "2", "reason": "Quiz"})
        assert refused.status_code == 403 and not Entry.objects.exists()
        signed_in(manager)
        client.post(f"/contests/{contest.pk}/entries/", {"customer": "ana@example.com", "count": "2", "reason": "Quiz"})
        unknown = client.post(
            f"/contests/{contest.pk}/entries/", {"customer": "nobody@example.com", "count": "1", "reason": "Quiz"}
        )
    assert "No customer with this reference or email." in unknown.content.decode()
    assert Entry.objects.filter(contest=contest, customer=ana).count() == 2
    entry_manual_add(actor=None, contest=contest, customer=CustomerFactory(name="Bruno Díaz"), count=1, reason="Fair")
    # the session was opened on a day in March: sign in again today
    signed_in(manager)
    page = client.get(f"/contests/{contest.pk}/entries/", {"q": "Ana"}).content.decode()
    assert "Ana Torres" in page and "Bruno Díaz" not in page
    assert "Manual entry: 3" in page


def test_exclusions_screen_adds_and_removes_until_entries_freeze(client, signed_in, manager):
    contest = opened()
    customer = CustomerFactory()
    signed_in(manager)
    client.post(f"/contests/{contest.pk}/exclusions/", {"customer": f"C{customer.pk}", "reason": "Owner's family"})
    client.post(f"/contests/{contest.pk}/exclusions/", {"customer": f"C{customer.pk}", "reason": "Fraud", "every_contest": "on"})
    assert Exclusion.objects.filter(contest=contest, customer=customer).exists()
    assert Exclusion.objects.filter(contest__isnull=True, customer=customer).exists()
    exclusion = Exclusion.objects.get(contest=contest)
    client.post(f"/contests/{contest.pk}/exclusions/{exclusion.pk}/remove/")
    assert not Exclusion.objects.filter(pk=exclusion.pk).exists()
    closed(contest)
    flagged = Exclusion.objects.get(contest__isnull=True)
    other = Exclusion.objects.create(contest=contest, customer=CustomerFactory(), reason="Late")
    client.post(f"/contests/{contest.pk}/exclusions/{other.pk}/remove/")
    assert Exclusion.objects.filter(pk=other.pk).exists()
    assert "Every contest (flagged)" in client.get(f"/contests/{contest.pk}/exclusions/").content.decode()
    assert flagged.pk


def test_the_portal_shows_open_contests_my_entries_the_hash_and_the_results(client, signed_in):
    contest = opened(winners_count=1)
    draft = contest_create(actor=None, terms=terms(code="hidden", name="Hidden draft"))
    me = CustomerFactory(name="Marta López", city="Cádiz")
    with time_machine.travel(DURING, tick=False):
        entry_manual_add(actor=None, contest=contest, customer=me, count=2, reason="Store visit")
    signed_in(customer_portal_user(customer=me))
    with time_machine.travel(DURING, tick=False):
        listing = client.get("/portal/contests/").content.decode()
        assert "Spring draw" in listing and "Hidden draft" not in listing and "You have 2 entries." in listing
        page = client.get(f"/portal/contests/{contest.pk}/").content.decode()
        assert contest.seed_hash in page and contest.seed not in page
        assert client.get(f"/portal/contests/{draft.pk}/").status_code == 404
    drawn(contest)
    page = client.get(f"/portal/contests/{contest.pk}/").content.decode()
    assert "Marta L. (Cádiz)" in page and contest.seed in page and "You won" in page
    assert client.get(f"/portal/contests/{contest.pk}/entries.csv").status_code == 200


def test_the_portal_shows_a_customer_only_their_own_entries(client, signed_in):
    contest = opened()
    me, other = CustomerFactory(), CustomerFactory()
    with time_machine.travel(DURING, tick=False):
        entry_manual_add(actor=None, contest=contest, customer=other, count=5, reason="Fair")
        entry_manual_add(actor=None, contest=contest, customer=me, count=1, reason="Fair")
        signed_in(customer_portal_user(customer=me))
        page = client.get(f"/portal/contests/{contest.pk}/").content.decode()
    assert "You have 1 entry." in page
