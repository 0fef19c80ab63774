"""The draw as a pure function: reproducible, seed-dependent, never picking a barred customer or a customer twice."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.contests.draw import Ticket, draw, entries_digest, entries_serialise, round_number, seed_hash


def tickets(customers: int, per_customer: int = 3) -> list[Ticket]:
    rows = []
    for index in range(customers * per_customer):
        rows.append(Ticket(number=index + 1, customer=f"C{index % customers + 1}", source="sale"))
    return rows


def test_the_same_seed_and_entries_give_the_same_winners():
    seed = bytes(range(32))
    first = draw(seed=seed, tickets=tickets(40), winners=5)
    # the list given in another order is the same list (entries are taken in number order)
    second = draw(seed=seed, tickets=list(reversed(tickets(40))), winners=5)
    assert first == second
    assert len(first) == 5


def test_different_seeds_give_different_winners_over_several_trials():
    results = {
        tuple(pick.number for pick in draw(seed=bytes([trial]) * 32, tickets=tickets(50), winners=3)) for trial in range(10)
    }
    # ten seeds over 150 tickets: a collision of whole results is possible but not of all ten
    assert len(results) >= 9


def test_a_round_is_hmac_sha256_of_the_seed_as_a_big_endian_integer():
    seed = b"\x07" * 32
    expected = int.from_bytes(hmac.new(seed, b"draw:3", hashlib.sha256).digest(), "big")
    assert round_number(seed, 3) == expected
    pool = tickets(7, per_customer=1)
    assert draw(seed=seed, tickets=pool, winners=1)[0].number == pool[round_number(seed, 0) % 7].number


def test_barred_customers_never_win_and_a_customer_wins_once():
    pool = tickets(6, per_customer=5)
    for trial in range(30):
        picks = draw(seed=bytes([trial]) * 32, tickets=pool, winners=4, excluded={"C1", "C2"})
        customers = [pick.customer for pick in picks]
        assert "C1" not in customers and "C2" not in customers
        assert len(set(customers)) == len(customers) == 4


def test_fewer_eligible_customers_than_prizes_gives_fewer_winners():
    picks = draw(seed=b"\x01" * 32, tickets=tickets(3), winners=5, excluded={"C3"})
    assert sorted(pick.customer for pick in picks) == ["C1", "C2"]
    assert [pick.rank for pick in picks] == [1, 2]


def test_the_entry_digest_is_sha256_of_one_line_per_entry_in_number_order():
    rows = [Ticket(2, "C9", "survey"), Ticket(1, "C4", "sale")]
    assert entries_serialise(rows) == b"1,C4,sale\n2,C9,survey\n"
    assert entries_digest(rows) == hashlib.sha256(b"1,C4,sale\n2,C9,survey\n").hexdigest()
    assert seed_hash(b"abc") == hashlib.sha256(b"abc").hexdigest()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    owners=st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=40),
    winners=st.integers(min_value=1, max_value=10),
    barred=st.sets(st.integers(min_value=1, max_value=8), max_size=3),
)
def test_any_draw_is_repeatable_and_respects_the_rules(seed, owners, winners, barred):
    pool = [Ticket(number=index + 1, customer=f"C{owner}", source="sale") for index, owner in enumerate(owners)]
    excluded = {f"C{owner}" for owner in barred}
    picks = draw(seed=seed, tickets=pool, winners=winners, excluded=excluded)
    assert picks == draw(seed=seed, tickets=pool, winners=winners, excluded=excluded)
    eligible = {ticket.customer for ticket in pool} - excluded
    assert len(picks) == min(winners, len(eligible))
    assert {pick.customer for pick in picks} <= eligible
    assert len({pick.customer for pick in picks}) == len(picks)
