"""The contest's life with its commit–reveal audit: hash at opening, digest at closing, seed and winners after the draw."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.contests import draw as drawing
from aftersales.contests.models import Contest, ContestStatus, Entry, Winner
from aftersales.contests.selectors import audit_of, entries_csv
from aftersales.contests.services import (
    contest_close,
    contest_draw,
    contest_update,
    entry_manual_add,
    exclusion_add,
    frozen_tickets,
)
from aftersales.core.errors import Conflict
from aftersales.core.models import TimelineEvent
from aftersales.messaging.models import Message
from aftersales.offers.models import Voucher
from tests.contests.conftest import AFTER, DURING, closed, drawn, opened
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_entries(contest, customers, per_customer=1):
    with time_machine.travel(DURING, tick=False):
        for customer in customers:
            entry_manual_add(actor=None, contest=contest, customer=customer, count=per_customer, reason="In-store game")
    return contest


def test_opening_publishes_the_hash_of_a_hidden_32_byte_seed_which_the_draw_reveals():
    contest = opened()
    assert contest.status == ContestStatus.OPEN
    assert len(bytes.fromhex(contest.seed)) == 32
    published = audit_of(contest=contest)
    assert published["seed_hash"] == contest.seed_hash and published["seed"] == ""
    with_entries(contest, [CustomerFactory() for _ in range(3)])
    contest = drawn(contest)
    revealed = audit_of(contest=contest)["seed"]
    assert hashlib.sha256(bytes.fromhex(revealed)).hexdigest() == published["seed_hash"]


def test_two_contests_get_different_seeds():
    assert opened(code="one").seed != opened(code="two").seed


def test_closing_numbers_the_entries_and_publishes_their_digest():
    contest = with_entries(opened(), [CustomerFactory() for _ in range(4)], per_customer=2)
    with pytest.raises(Conflict), time_machine.travel(DURING, tick=False):
        contest_close(actor=None, contest=contest)
    contest = closed(contest)
    assert contest.status == ContestStatus.CLOSED and contest.entries_count == 8
    assert sorted(Entry.objects.filter(contest=contest).values_list("number", flat=True)) == list(range(1, 9))
    assert contest.entries_digest == drawing.entries_digest(frozen_tickets(contest=contest))
    lines = entries_csv(contest=contest).splitlines()
    assert lines[0] == "number,customer,source,eligible" and len(lines) == 9
    with pytest.raises(Conflict), time_machine.travel(AFTER, tick=False):
        entry_manual_add(actor=None, contest=contest, customer=CustomerFactory(), count=1, reason="Too late")


def test_an_open_contest_cannot_be_edited_and_a_closed_one_not_drawn_before_its_date():
    contest = opened()
    with pytest.raises(Conflict):
        contest_update(actor=None, contest=contest, terms={"name": "Another"})
    contest = closed(with_entries(contest, [CustomerFactory()]))
    with pytest.raises(Conflict), time_machine.travel(AFTER, tick=False):
        contest_draw(actor=None, contest=contest)


def test_staff_flagged_and_excluded_customers_never_win():
    contest = opened(winners_count=3)
    staff_customer = CustomerFactory(email="Jo.Staff@Shop.example")
    UserFactory(email="jo.staff@shop.example", is_staff=True)
    flagged, excluded = CustomerFactory(), CustomerFactory()
    exclusion_add(actor=None, customer=flagged, reason="Fraud in 2025")
    exclusion_add(actor=None, contest=contest, customer=excluded, reason="Family of the owner")
    ordinary = [CustomerFactory() for _ in range(3)]
    # the barred hold most of the tickets
    with_entries(contest, [staff_customer, flagged, excluded], per_customer=20)
    with_entries(contest, ordinary)
    contest = drawn(contest)
    assert sorted(Winner.objects.filter(contest=contest).values_list("customer_id", flat=True)) == sorted(c.pk for c in ordinary)
    assert contest.excluded_refs == sorted(
        [f"C{c.pk}" for c in (staff_customer, flagged, excluded)], key=lambda ref: int(ref[1:])
    )


def test_winners_are_notified_given_a_voucher_and_the_event_on_their_timeline():
    people = [CustomerFactory(name="Ana María García", city="Sevilla", language="es"), CustomerFactory(language="en")]
    contest = drawn(with_entries(opened(winners_count=2), people))
    winners = list(Winner.objects.filter(contest=contest).select_related("customer"))
    assert len(winners) == 2
    for winner in winners:
        message = Message.objects.get(pk=winner.notified_message_id)
        assert message.customer == winner.customer and message.template_code == "contest_winner"
        assert winner.voucher_code in message.body
        voucher = Voucher.objects.get(code=winner.voucher_code)
        assert voucher.customer == winner.customer and voucher.value == contest.prize_voucher_value
        assert TimelineEvent.objects.filter(customer=winner.customer, kind="contest_won").exists()
    spanish = next(winner for winner in winners if winner.customer.language == "es")
    assert "Sorteo de primavera" in Message.objects.get(pk=spanish.notified_message_id).subject
    assert spanish.public_name == "Ana G. (Sevilla)"


def test_the_verify_command_passes_on_an_honest_draw_and_from_the_published_files(tmp_path):
    contest = drawn(with_entries(opened(winners_count=2), [CustomerFactory() for _ in range(6)], per_customer=3))
    out = StringIO()
    call_command("contest_verify", contest.code, stdout=out)
    assert "is verified" in out.getvalue()
    published = tmp_path / "entries.csv"
    published.write_text(entries_csv(contest=contest), encoding="utf-8")
    out = StringIO()
    call_command("contest_verify", str(contest.pk), "--seed", contest.seed, "--entries", str(published), stdout=out)
    assert "is verified" in out.getvalue()


def test_the_verify_command_fails_on_a_tampered_seed_entry_list_or_winner(tmp_path):
    contest = drawn(with_entries(opened(winners_count=2), [CustomerFactory() for _ in range(6)], per_customer=3))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("contest_verify", contest.code, "--seed", "00" * 32, stderr=err)
    assert "does not match the published hash" in err.getvalue()

    rows = entries_csv(contest=contest).splitlines()
    number, customer, source, eligible = rows[1].split(",")
    other = rows[-1].split(",")[1]
    rows[1] = ",".join([number, other if other != customer else "C0", source, eligible])
    tampered = tmp_path / "tampered.csv"
    tampered.write_text("\n".join(rows) + "\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("contest_verify", contest.code, "--entries", str(tampered), stderr=err)
    assert "does not match the published digest" in err.getvalue()

    winner = Winner.objects.filter(contest=contest).first()
    loser = Entry.objects.filter(contest=contest).exclude(customer__contest_wins__contest=contest).first()
    Winner.objects.filter(pk=winner.pk).update(entry=loser, customer=loser.customer)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("contest_verify", contest.code, stderr=err)
    assert "recorded winners hold" in err.getvalue()


def test_the_verify_command_refuses_a_contest_not_yet_drawn():
    contest = closed(with_entries(opened(), [CustomerFactory()]))
    with pytest.raises(CommandError):
        call_command("contest_verify", contest.code, stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("contest_verify", "no-such-contest", stderr=StringIO())


def test_the_tick_closes_a_contest_whose_window_ended():
    from aftersales.contests.sweeps import close_due

    contest = with_entries(opened(), [CustomerFactory()])
    with time_machine.travel(DURING, tick=False):
        assert close_due() == 0
    with time_machine.travel(AFTER + dt.timedelta(hours=1), tick=False):
        assert close_due() == 1
    assert Contest.objects.get(pk=contest.pk).status == ContestStatus.CLOSED


def test_the_aftersales_command_line_runs_contest_verify_by_its_dashed_name(capsys, monkeypatch):
    from django.db import connections

    from aftersales.cli import main

    # A command run from the command line closes the connections when it ends; the test still needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    contest = drawn(with_entries(opened(winners_count=1), [CustomerFactory() for _ in range(2)]))
    main(["aftersales", "contest-verify", contest.code])
    assert "is verified" in capsys.readouterr().out


def test_the_admin_never_shows_the_seed(client, django_user_model):
    contest = opened()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(admin)
    response = client.get(f"/admin/contests/contest/{contest.pk}/change/")
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    page = response.content.decode()
    assert contest.seed_hash in page, page[:2000]
    assert contest.seed not in page
