"""The demo company's contests: a spring draw already drawn (with its audit data to verify), a summer
sweepstake open now and an autumn contest still in draft.

Entries come from the demo's real purchases in each window (the set-based catch-up), a few manual entries
and a flagged customer; the drawn contest went through close and draw like a real one.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from aftersales.contests.models import Contest, ContestStatus
from aftersales.contests.services import (
    contest_close,
    contest_create,
    contest_draw,
    contest_open,
    entries_catch_up,
    entry_manual_add,
    exclusion_add,
)
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import User
from aftersales.customers.models import Customer


def _moment(day: dt.date, hour: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _contest(code: str, **terms: object) -> Contest:
    existing = Contest.objects.filter(code=code).first()
    return existing or contest_create(actor=None, terms={"code": code, **terms})


def contests_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Set up the demo contests; return how many exist."""
    rng = random.Random(f"contests-{seed}")
    manager = staff["manager"]
    customers = list(Customer.objects.order_by("pk")[:200])
    spring = _contest(
        "spring-draw",
        name="Spring prize draw",
        name_es="Sorteo de primavera",
        rules="Every purchase in the window is one entry; each 500 spent is one more. Answering a survey gives two entries. "
        "Staff and their families cannot win.",
        rules_es="Cada compra en el periodo es una participación; cada 500 gastados, una más. Responder a una encuesta da dos "
        "participaciones. El personal y sus familias no pueden ganar.",
        opens_at=_moment(today - dt.timedelta(days=100)),
        closes_at=_moment(today - dt.timedelta(days=40), 23),
        draw_at=_moment(today - dt.timedelta(days=38), 12),
        winners_count=3,
        prize="A 100 euro voucher",
        prize_es="Un vale de 100 euros",
        prize_voucher_value=Decimal("100.00"),
        entries_per_sale=1,
        sale_amount_step=Decimal("500.00"),
        entries_per_survey=2,
        max_entries_per_customer=10,
    )
    summer = _contest(
        "summer-sweepstake",
        name="Summer sweepstake",
        name_es="Gran sorteo de verano",
        rules="One entry per purchase; two per friend you refer who buys from us.",
        rules_es="Una participación por compra; dos por cada amigo que nos recomiende y nos compre.",
        opens_at=_moment(today - dt.timedelta(days=20)),
        closes_at=_moment(today + dt.timedelta(days=40), 23),
        draw_at=_moment(today + dt.timedelta(days=42), 12),
        winners_count=1,
        prize="A robot vacuum cleaner",
        prize_es="Un robot aspirador",
        entries_per_sale=1,
        entries_per_referral=2,
    )
    _contest(
        "autumn-contest",
        name="Autumn contest",
        name_es="Concurso de otoño",
        opens_at=_moment(today + dt.timedelta(days=60)),
        closes_at=_moment(today + dt.timedelta(days=90), 23),
        draw_at=_moment(today + dt.timedelta(days=92), 12),
        winners_count=2,
        prize="A 50 euro voucher",
        prize_es="Un vale de 50 euros",
        prize_voucher_value=Decimal("50.00"),
        entries_per_sale=1,
    )
    for contest in (spring, summer):
        if contest.status == ContestStatus.DRAFT:
            contest_open(actor=manager, contest=contest, now=contest.opens_at)
            entries_catch_up(contest=contest)
            for customer in rng.sample(customers, min(3, len(customers))):
                try:
                    entry_manual_add(
                        actor=manager, contest=contest, customer=customer, count=1, reason="Visited the showroom open day"
                    )
                except ValidationFailed:
                    continue  # the customer already holds the maximum of entries
    spring.refresh_from_db()
    if customers and spring.status == ContestStatus.OPEN:
        exclusion_add(actor=manager, customer=customers[0], reason="Works for our installer partner")
        if timezone.now() >= spring.draw_at:
            contest_close(actor=manager, contest=spring)
            contest_draw(actor=manager, contest=Contest.objects.get(pk=spring.pk))
    return Contest.objects.count()
