"""Periodic sweeps of referrals, run by ``aftersales tick``; each is set-based and safe to run twice."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.referrals.services import referrals_catch_up, referrals_expire


@sweep_register("referrals.attribution", every=dt.timedelta(hours=1))
def attribution() -> dict[str, int]:
    """Convert pending referrals whose friend bought (a missed signal, an import), then expire the stale ones."""
    converted = referrals_catch_up()
    return {"converted": converted, "expired": referrals_expire()}
