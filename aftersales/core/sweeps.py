"""Periodic sweeps of the core, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.core.statistics import planner_statistics_refresh
from aftersales.core.tick import sweep_register


@sweep_register("core.planner_statistics", every=dt.timedelta(hours=1))
def planner_statistics() -> dict[str, object]:
    """Describe the tables to SQLite's query planner again (PostgreSQL's autovacuum does it there)."""
    return planner_statistics_refresh()
