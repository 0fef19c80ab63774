"""Periodic sweeps of offers, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.offers.services import offers_resume


@sweep_register("offers.resume_sending", every=dt.timedelta(minutes=10))
def resume_sending() -> dict[str, int]:
    """Hand offers whose sending stopped half-way back to the workers."""
    return {"resumed": offers_resume()}
