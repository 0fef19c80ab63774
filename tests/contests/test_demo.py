"""The demo company's contests: a drawn one that verifies, an open one with entries, a draft."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from aftersales.contests.models import Contest, ContestStatus, Entry, EntrySource, Winner
from aftersales.demo.builder import demo_build

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_drawn_an_open_and_a_draft_contest_and_the_draw_verifies():
    demo_build(customers=40, seed=3, today=dt.date(2026, 6, 15))
    statuses = dict(Contest.objects.values_list("code", "status"))
    assert statuses == {
        "spring-draw": ContestStatus.DRAWN,
        "summer-sweepstake": ContestStatus.OPEN,
        "autumn-contest": ContestStatus.DRAFT,
    }
    spring = Contest.objects.get(code="spring-draw")
    assert Entry.objects.filter(contest=spring, source=EntrySource.SALE).exists()
    assert Entry.objects.filter(contest=spring, source=EntrySource.MANUAL).exists()
    assert 1 <= Winner.objects.filter(contest=spring).count() <= 3
    out = StringIO()
    call_command("contest_verify", "spring-draw", stdout=out)
    assert "is verified" in out.getvalue()
