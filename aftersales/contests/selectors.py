"""Reads of contests: lists, counts by source, a customer's entries, the audit data and the public results."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from aftersales.contests.models import Contest, ContestStatus, Entry, EntrySource, Exclusion, Winner, customer_ref
from aftersales.customers.models import Customer

# Contests a customer may see in the portal: published ones (a draft or a cancelled one is not shown).
PUBLIC_STATUSES = (ContestStatus.OPEN, ContestStatus.CLOSED, ContestStatus.DRAWN)


def contests_filtered(*, status: str = "", text: str = "") -> QuerySet[Contest]:
    """Return contests by status and name or code, newest window first, with their entry counts."""
    contests = Contest.objects.annotate(entry_total=Count("entries"))
    if status:
        contests = contests.filter(status=status)
    if text:
        contests = contests.filter(Q(name__icontains=text) | Q(name_es__icontains=text) | Q(code__icontains=text))
    return contests.order_by("-opens_at", "-pk")


def contests_public() -> QuerySet[Contest]:
    """Return the contests shown to customers: open, closed or drawn."""
    return Contest.objects.filter(status__in=PUBLIC_STATUSES).order_by("-opens_at", "-pk")


def entry_counts_by_source(*, contest: Contest) -> dict[str, int]:
    """Return the number of entries per source, every source present (zero when none)."""
    counts = dict(
        Entry.objects.filter(contest=contest).values("source").annotate(total=Count("pk")).values_list("source", "total")
    )
    return {source: counts.get(source, 0) for source in EntrySource.values}


def entries_of_contest(*, contest: Contest, text: str = "", source: str = "") -> QuerySet[Entry]:
    """Return a contest's entries, optionally of customers matching a name, email or reference, or of a source."""
    entries = Entry.objects.filter(contest=contest).select_related("customer", "created_by")
    if source:
        entries = entries.filter(source=source)
    if text:
        text = text.strip()
        query = Q(customer__name__icontains=text) | Q(customer__email__icontains=text)
        if text[:1] in "Cc" and text[1:].isdigit():
            query |= Q(customer_id=int(text[1:]))
        entries = entries.filter(query)
    return entries.order_by("number", "pk")


@dataclass
class CustomerEntries:
    """A customer's standing in one contest."""

    contest: Contest
    total: int
    by_source: dict[str, int] = field(default_factory=dict)
    won: Winner | None = None


def entries_of_customer(*, customer: Customer) -> list[CustomerEntries]:
    """Return the customer's entries in each public contest they entered."""
    rows = (
        Entry.objects.filter(customer=customer, contest__status__in=PUBLIC_STATUSES)
        .values("contest_id", "source")
        .annotate(total=Count("pk"))
    )
    standing: dict[int, dict[str, int]] = {}
    for row in rows:
        standing.setdefault(row["contest_id"], {})[row["source"]] = row["total"]
    contests = {contest.pk: contest for contest in Contest.objects.filter(pk__in=standing)}
    wins = {win.contest_id: win for win in Winner.objects.filter(customer=customer, contest_id__in=standing)}
    result = [
        CustomerEntries(contest=contests[pk], total=sum(sources.values()), by_source=sources, won=wins.get(pk))
        for pk, sources in standing.items()
    ]
    return sorted(result, key=lambda item: item.contest.opens_at, reverse=True)


def exclusions_for(*, contest: Contest) -> QuerySet[Exclusion]:
    """Return the exclusions that apply to a contest: its own and the flags that bar from every contest."""
    return Exclusion.objects.filter(Q(contest=contest) | Q(contest__isnull=True)).select_related("customer", "created_by")


def winners_of(*, contest: Contest) -> QuerySet[Winner]:
    return Winner.objects.filter(contest=contest).select_related("customer", "entry").order_by("rank")


def entries_csv(*, contest: Contest) -> str:
    """Return the frozen entry list as CSV: number, customer reference, source and whether the customer may win."""
    barred = set(contest.excluded_refs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["number", "customer", "source", "eligible"])
    rows = (
        Entry.objects.filter(contest=contest, number__isnull=False)
        .order_by("number")
        .values_list("number", "customer_id", "source")
    )
    for number, customer_id, source in rows:
        ref = customer_ref(customer_id)
        writer.writerow([number, ref, source, "no" if ref in barred else "yes"])
    return out.getvalue()


def audit_of(*, contest: Contest) -> dict[str, Any]:
    """Return the published audit data: the seed's hash, the entry digest, the seed after the draw, the winners."""
    return {
        "contest": contest.code,
        "status": contest.status,
        "seed_hash": contest.seed_hash,
        "entries_count": contest.entries_count if contest.frozen_at else None,
        "entries_digest": contest.entries_digest,
        "frozen_at": contest.frozen_at,
        "excluded": list(contest.excluded_refs) if contest.frozen_at else [],
        "winners_count": contest.winners_count,
        "seed": contest.seed_published,
        "drawn_at": contest.drawn_at,
        "winners": [
            {
                "rank": winner.rank,
                "draw_round": winner.draw_round,
                "entry_number": winner.entry.number,
                "customer": customer_ref(winner.customer_id),
            }
            for winner in winners_of(contest=contest)
        ]
        if contest.status == ContestStatus.DRAWN
        else [],
    }
