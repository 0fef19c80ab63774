"""Portal screens of contests: open contests with their rules and published hash, my entries, results."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.contests import selectors
from aftersales.contests.models import Contest, ContestStatus, Entry, EntrySource
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view


@portal_view
def contest_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    contests = list(selectors.contests_public())
    mine = {item.contest.pk: item for item in selectors.entries_of_customer(customer=customer)}
    context = {
        "section": "contests",
        "open": [(contest, mine.get(contest.pk)) for contest in contests if contest.status == ContestStatus.OPEN],
        "past": [(contest, mine.get(contest.pk)) for contest in contests if contest.status != ContestStatus.OPEN],
    }
    return render(request, "portal/contests/list.html", context)


@portal_view
def contest_detail(request: HttpRequest, customer: Customer, contest_id: int) -> HttpResponse:
    contest = selectors.contests_public().filter(pk=contest_id).first()
    if contest is None:
        raise Http404(_("No such contest."))
    counts = dict.fromkeys(EntrySource.values, 0)
    for source in Entry.objects.filter(contest=contest, customer=customer).values_list("source", flat=True):
        counts[source] += 1
    context = {
        "section": "contests",
        "contest": contest,
        "my_counts": [(label, counts[code]) for code, label in EntrySource.choices if counts[code]],
        "my_total": sum(counts.values()),
        "my_numbers": list(
            Entry.objects.filter(contest=contest, customer=customer, number__isnull=False)
            .order_by("number")
            .values_list("number", flat=True)
        ),
        "winners": list(selectors.winners_of(contest=contest)) if contest.status == ContestStatus.DRAWN else [],
        "won": contest.winners.filter(customer=customer).first(),
    }
    return render(request, "portal/contests/detail.html", context)


@portal_view
def contest_entries_csv(request: HttpRequest, customer: Customer, contest_id: int) -> HttpResponse:
    contest: Contest | None = selectors.contests_public().filter(pk=contest_id, frozen_at__isnull=False).first()
    if contest is None:
        raise Http404(_("No such contest."))
    response = HttpResponse(selectors.entries_csv(contest=contest), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contest-{contest.code}-entries.csv"'
    return response
