"""The demo company's referrals: the programme's terms, promoters invited to refer, links opened, friends
recorded by link and by phone (some pending, one rejected as a self-referral, one as a duplicate), and two
friends whose first purchase converted their referral and rewarded both sides.

Everything goes through the referral services, each step at its moment in the past (``demo_clock``), so
codes, invitations, outbox messages, timeline entries, points and vouchers are the real ones. The same
seed gives the same story.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count, Min
from django.utils import timezone

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import User
from aftersales.customers.models import Customer
from aftersales.demo.service_desk import demo_clock
from aftersales.referrals.models import InvitationTrigger, Referral, ReferralSource
from aftersales.referrals.services import (
    code_for,
    link_view_count,
    programme_settings,
    referral_attribute,
    referral_invite,
    referral_record,
)

# Friends who left their details and have not bought yet: (name, email, phone, language, source).
PROSPECTS = [
    ("Jorge Navarro Díaz", "jorge.navarro@demo-friends.example", "", "es", ReferralSource.LINK),
    ("Emily Carter", "emily.carter@demo-friends.example", "", "en", ReferralSource.LINK),
    ("Marta Ortega Vidal", "", "+34699100200", "es", ReferralSource.PHONE),
    ("Oliver Hughes", "oliver.hughes@demo-friends.example", "+447911123456", "en", ReferralSource.STORE),
    ("Lucía Romero Sanz", "lucia.romero@demo-friends.example", "", "es", ReferralSource.EVENT),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def referrals_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Tell the referral story of the last months; return how many referrals exist."""
    rng = random.Random(f"referrals-{seed}")
    programme_settings()
    rep = staff["rep.ana"]
    buyers = list(
        Customer.objects.annotate(first=Min("sales__sold_on"), sales_count=Count("sales"))
        .filter(sales_count__gt=0)
        .exclude(email="")
        .order_by("pk")
    )
    if len(buyers) < 4:
        return Referral.objects.count()
    # Referrers bought at least four months ago; friends made their first purchase in the last 100 days.
    old = [customer for customer in buyers if customer.first <= today - dt.timedelta(days=120)]  # type: ignore[attr-defined]
    recent = [
        customer
        for customer in buyers
        if today - dt.timedelta(days=100) <= customer.first <= today - dt.timedelta(days=10)  # type: ignore[attr-defined]
        and customer not in old
    ]
    if not old:
        return Referral.objects.count()
    rng.shuffle(old)
    referrers = old[:4]

    # Promoters invited to refer, a month or two ago; their links opened now and then since.
    for index, referrer in enumerate(referrers):
        moment = _at(today - dt.timedelta(days=60 - 7 * index), 10)
        with demo_clock(moment):
            try:
                referral_invite(
                    actor=None if index % 2 == 0 else rep,
                    customer=referrer,
                    trigger=InvitationTrigger.PROMOTER if index % 2 == 0 else InvitationTrigger.STAFF,
                    idempotency_key=f"demo:{seed}:{referrer.pk}",
                )
            except (Conflict, ValidationFailed):
                continue
        code = code_for(customer=referrer)
        for _view in range(rng.randint(2, 9)):
            link_view_count(code=code, day=today - dt.timedelta(days=rng.randint(0, 55)))

    # Friends recorded by link, phone, store and event over the last weeks.
    for index, (name, email, phone, language, source) in enumerate(PROSPECTS):
        referrer = referrers[index % len(referrers)]
        with demo_clock(_at(today - dt.timedelta(days=5 + 6 * index), 17)):
            referral_record(
                actor=None if source == ReferralSource.LINK else rep,
                referrer=referrer,
                name=name,
                email=email,
                phone=phone,
                language=language,
                source=source,
                consent=True,
            )
    # The fraud guards at work: a referrer who gave their own email, a friend referred twice.
    with demo_clock(_at(today - dt.timedelta(days=3), 12)):
        referral_record(
            actor=None, referrer=referrers[0], name="Me", email=referrers[0].email, source=ReferralSource.LINK, consent=True
        )
        referral_record(
            actor=rep,
            referrer=referrers[1 % len(referrers)],
            name=PROSPECTS[0][0],
            email=PROSPECTS[0][1],
            language="es",
            source=ReferralSource.PHONE,
            consent=True,
        )

    # Two friends who were referred a week before their first purchase: converted and rewarded.
    for index, friend in enumerate(recent[:2]):
        first_day = friend.first  # type: ignore[attr-defined]
        referrer = referrers[(index + 2) % len(referrers)]
        with demo_clock(_at(first_day - dt.timedelta(days=7), 11)):
            referral = referral_record(
                actor=rep,
                referrer=referrer,
                name=friend.name,
                email=friend.email,
                phone=friend.phone,
                language=friend.language,
                source=ReferralSource.STORE,
                consent=True,
            )
        # The hourly sweep converts it the morning after the purchase.
        with demo_clock(_at(first_day + dt.timedelta(days=1), 9)):
            referral_attribute(referral_id=referral.pk, customer=friend)
    return Referral.objects.count()
