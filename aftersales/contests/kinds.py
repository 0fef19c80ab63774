"""Contests' entries in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.contests.models import EntrySource
from aftersales.core.timeline import kind_register

kind_register(
    "contest_entries",
    label=_("Contest entries"),
    sentence=_("Entries earned in the contest “%(contest)s”: %(count)s (%(source)s)"),
    choices={"source": EntrySource},
)
kind_register(
    "contest_won",
    label=_("Contest won"),
    sentence=_("Won prize %(rank)s of the contest “%(contest)s”: %(prize)s"),
)
