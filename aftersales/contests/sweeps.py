"""Periodic sweeps of contests, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.contests.services import contests_close_due, entries_catch_up
from aftersales.core.tick import sweep_register


@sweep_register("contests.entries_catch_up", every=dt.timedelta(minutes=30))
def catch_up() -> int:
    """Give the entries of sales in open contests' windows that none were given for (a lost signal, an import)."""
    return entries_catch_up()


@sweep_register("contests.close_due", every=dt.timedelta(minutes=5))
def close_due() -> int:
    """Close open contests whose entry window has ended, freezing their entries."""
    return contests_close_due()
