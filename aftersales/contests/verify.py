"""Verification of a draw: the seed against its published hash, the entry list against its digest, the winners."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from aftersales.contests import draw as drawing
from aftersales.contests.models import Contest, ContestStatus
from aftersales.contests.selectors import winners_of
from aftersales.contests.services import frozen_tickets


@dataclass
class Verification:
    """What was checked, and the mismatches found (none: the draw is verified)."""

    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def entries_read(text: str) -> tuple[list[drawing.Ticket], list[str]]:
    """Read the published CSV (number, customer, source, eligible) into tickets and the customers who cannot win."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"number", "customer", "source"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(_("The entry file lacks the columns: %(columns)s") % {"columns": ", ".join(sorted(missing))})
    tickets, excluded = [], set()
    for line, row in enumerate(reader, start=2):
        try:
            number = int(row["number"])
        except (TypeError, ValueError):
            raise ValueError(_("Line %(line)s: the entry number is not a number") % {"line": line}) from None
        tickets.append(drawing.Ticket(number=number, customer=row["customer"], source=row["source"]))
        if (row.get("eligible") or "yes").strip().lower() == "no":
            excluded.add(row["customer"])
    return tickets, sorted(excluded)


def contest_verify(*, contest: Contest, seed_hex: str | None = None, entries_text: str | None = None) -> Verification:
    """Recompute the seed's hash, the entry digest and the winners, and compare them with what was published."""
    result = Verification()
    if contest.status != ContestStatus.DRAWN:
        result.problems.append(_("The contest has not been drawn yet: its seed is not published."))
        return result
    seed_text = (seed_hex if seed_hex is not None else contest.seed_published).strip().lower()
    try:
        seed = bytes.fromhex(seed_text)
    except ValueError:
        result.problems.append(_("The seed is not hexadecimal."))
        return result
    if drawing.seed_hash(seed) == contest.seed_hash:
        result.checks.append(
            _("The seed's SHA-256 equals the hash published when the contest opened: %(hash)s") % {"hash": contest.seed_hash}
        )
    else:
        result.problems.append(
            _("The seed does not match the published hash: SHA-256 of the seed is %(actual)s, published %(published)s.")
            % {"actual": drawing.seed_hash(seed), "published": contest.seed_hash}
        )
    if entries_text is not None:
        try:
            tickets, excluded = entries_read(entries_text)
        except ValueError as error:
            result.problems.append(str(error))
            return result
    else:
        tickets, excluded = frozen_tickets(contest=contest), list(contest.excluded_refs)
    digest = drawing.entries_digest(tickets)
    if digest == contest.entries_digest:
        result.checks.append(
            _("The entry list (%(count)s entries) has the published digest: %(digest)s")
            % {"count": len(tickets), "digest": digest}
        )
    else:
        result.problems.append(
            _("The entry list does not match the published digest: computed %(actual)s, published %(published)s.")
            % {"actual": digest, "published": contest.entries_digest}
        )
    if sorted(excluded) != sorted(contest.excluded_refs):
        result.problems.append(_("The customers who cannot win differ from the list frozen with the entries."))
    picks = drawing.draw(seed=seed, tickets=tickets, winners=contest.winners_count, excluded=excluded)
    recorded = [(winner.rank, winner.entry.number) for winner in winners_of(contest=contest)]
    computed = [(pick.rank, pick.number) for pick in picks]
    if computed == recorded:
        result.checks.append(
            _("The draw gives the recorded winners: entries %(numbers)s")
            % {"numbers": ", ".join(str(number) for _rank, number in computed) or "—"}
        )
    else:
        result.problems.append(
            _("The draw gives entries %(computed)s, but the recorded winners hold entries %(recorded)s.")
            % {
                "computed": ", ".join(str(number) for _rank, number in computed) or "—",
                "recorded": ", ".join(str(number) for _rank, number in recorded) or "—",
            }
        )
    return result
