"""The draw as a pure function, using nothing but Python's standard library: anyone can re-run it.

Inputs:

- the seed: 32 random bytes, published as 64 lowercase hex digits after the draw; before the entries close
  only ``sha256(seed)`` is published;
- the frozen entry list: rows ``(number, customer, source)`` in entry-number order, where ``customer`` is
  the public customer reference (``C`` + id);
- the number of winners;
- the customers who cannot win (staff, flagged and excluded customers), frozen with the entries.

Entry-list digest: SHA-256 of the UTF-8 text made of one line per entry, in entry-number order,
``f"{number},{customer},{source}\\n"`` (no header, no spaces).

Draw: the eligible tickets are the entries of customers who may win, in entry-number order. Round ``r``
(from 0) computes ``HMAC-SHA256(key=seed, message=b"draw:" + str(r))``, reads the 32 bytes as an unsigned
big-endian integer and takes it modulo the number of remaining tickets; the ticket at that position wins,
and every ticket of its customer leaves the pool (a customer wins once). Rounds go on until there are as
many winners as prizes or no tickets remain.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Ticket:
    """One frozen entry as it is published."""

    number: int
    customer: str
    source: str


@dataclass(frozen=True)
class Pick:
    """One winner: the round that chose them, their ticket and their customer reference."""

    rank: int
    draw_round: int
    number: int
    customer: str


def seed_hash(seed: bytes) -> str:
    """Return the published commitment to a seed: its SHA-256 in hex."""
    return hashlib.sha256(seed).hexdigest()


def entries_serialise(tickets: Iterable[Ticket]) -> bytes:
    """Return the canonical text of an entry list (one ``number,customer,source`` line per entry)."""
    ordered = sorted(tickets, key=lambda ticket: ticket.number)
    return "".join(f"{ticket.number},{ticket.customer},{ticket.source}\n" for ticket in ordered).encode()


def entries_digest(tickets: Iterable[Ticket]) -> str:
    """Return the SHA-256 of the canonical entry list."""
    return hashlib.sha256(entries_serialise(tickets)).hexdigest()


def round_number(seed: bytes, draw_round: int) -> int:
    """Return the number a round of the draw draws: HMAC-SHA256(seed, "draw:<round>") as an integer."""
    digest = hmac.new(seed, f"draw:{draw_round}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def draw(*, seed: bytes, tickets: Sequence[Ticket], winners: int, excluded: Iterable[str] = ()) -> list[Pick]:
    """Return the winners of a draw, in rank order; the same inputs always give the same winners."""
    barred = set(excluded)
    pool = [ticket for ticket in sorted(tickets, key=lambda ticket: ticket.number) if ticket.customer not in barred]
    picks: list[Pick] = []
    draw_round = 0
    while pool and len(picks) < winners:
        chosen = pool[round_number(seed, draw_round) % len(pool)]
        picks.append(Pick(rank=len(picks) + 1, draw_round=draw_round, number=chosen.number, customer=chosen.customer))
        pool = [ticket for ticket in pool if ticket.customer != chosen.customer]
        draw_round += 1
    return picks
