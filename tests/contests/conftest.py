"""Fixtures of the contest tests: a March 2026 contest in Madrid time and helpers to run it."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps

from aftersales.contests.services import contest_close, contest_create, contest_draw, contest_open
from tests.outbox import outbox_settings_apply

MADRID = ZoneInfo("Europe/Madrid")


def madrid(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=MADRID)


OPENS = madrid(2026, 3, 1, 0)
CLOSES = madrid(2026, 3, 31, 23)
DRAW = madrid(2026, 4, 2, 12)
DURING = madrid(2026, 3, 10)
AFTER = madrid(2026, 4, 1)
DRAW_DAY = madrid(2026, 4, 2, 13)


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path, request):
    outbox_settings_apply(settings, tmp_path)
    settings.TIME_ZONE = "Europe/Madrid"
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("django_db_blocker")
        # Transactional tests flush what data migrations wrote: put the winner template back.
        importlib.import_module("aftersales.contests.migrations.0002_winner_templates").create(django_apps, None)


def terms(**overrides: object) -> dict[str, object]:
    """Return valid terms of a March contest: one entry per purchase, two winners, a 50 voucher each."""
    base: dict[str, object] = {
        "code": "spring-2026",
        "name": "Spring draw",
        "name_es": "Sorteo de primavera",
        "rules": "One entry per purchase in March.",
        "rules_es": "Una participación por compra en marzo.",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "draw_at": DRAW,
        "winners_count": 2,
        "prize": "A 50 euro voucher",
        "prize_es": "Un vale de 50 euros",
        "prize_voucher_value": Decimal("50.00"),
        "entries_per_sale": 1,
    }
    base.update(overrides)
    return base


def opened(actor=None, **overrides: object):
    """Return a contest created and opened during its window (the clock stays where it was)."""
    contest = contest_create(actor=actor, terms=terms(**overrides))
    with time_machine.travel(madrid(2026, 2, 20), tick=False):
        return contest_open(actor=actor, contest=contest)


def closed(contest, actor=None):
    with time_machine.travel(AFTER, tick=False):
        return contest_close(actor=actor, contest=contest)


def drawn(contest, actor=None):
    contest = closed(contest, actor)
    with time_machine.travel(DRAW_DAY, tick=False):
        return contest_draw(actor=actor, contest=contest)
