"""Periodic sweeps of the loyalty programme, run by ``aftersales tick``; each is set-based and safe to run twice."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.loyalty.services import points_expire
from aftersales.loyalty.services.earning import purchases_catch_up
from aftersales.loyalty.services.notices import points_expiry_notify
from aftersales.loyalty.services.refunds import refunds_catch_up
from aftersales.loyalty.services.tiers import tier_visits_grant, tiers_recompute


@sweep_register("loyalty.purchases", every=dt.timedelta(hours=1))
def purchases() -> dict[str, int]:
    """Credit the points of sales that have none yet (a missed signal, an import), then take back those refunded."""
    return {"entries": purchases_catch_up(), "taken_back": refunds_catch_up()}


@sweep_register("loyalty.expire", every=dt.timedelta(hours=24))
def expire() -> dict[str, int]:
    """Lapse what is left of earned points past their last day."""
    return {"entries": points_expire()}


@sweep_register("loyalty.expiry_notices", every=dt.timedelta(hours=24))
def expiry_notices() -> dict[str, int]:
    """Warn customers whose points lapse within 30 days (once a month)."""
    return {"messages": points_expiry_notify()}


@sweep_register("loyalty.tiers", every=dt.timedelta(hours=24))
def tiers() -> dict[str, int]:
    """Move customers whose 12-month spend changed their tier, then propose their free visits."""
    return {"moved": tiers_recompute(), "visits": tier_visits_grant()}
