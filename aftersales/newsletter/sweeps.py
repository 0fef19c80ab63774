"""Periodic sweeps of newsletter, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.newsletter.services import issues_resume_stalled


@sweep_register("newsletter.resume_sending", every=dt.timedelta(minutes=5))
def resume_sending() -> int:
    """Give issues whose sending stopped halfway (a worker died) back to the workers."""
    return issues_resume_stalled()
