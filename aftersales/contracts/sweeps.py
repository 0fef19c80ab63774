"""Periodic sweeps of maintenance contracts, run by ``aftersales tick``; each is set-based and safe to run twice."""

from __future__ import annotations

import datetime as dt

from aftersales.contracts.services import contract_reminders_send, contract_visits_generate, contracts_lapse
from aftersales.core.tick import sweep_register


@sweep_register("contracts.visits", every=dt.timedelta(hours=1))
def visits() -> dict[str, int]:
    """Create the maintenance work orders of visits due within the lead days."""
    return {"work_orders": contract_visits_generate()}


@sweep_register("contracts.renewal_reminders", every=dt.timedelta(hours=1))
def renewal_reminders() -> dict[str, int]:
    """Remind customers 60, 30 and 7 days before their contract ends."""
    return {"reminders": contract_reminders_send()}


@sweep_register("contracts.lapse", every=dt.timedelta(hours=1))
def lapse() -> dict[str, int]:
    """Mark contracts lapsed the day after they ended without renewal."""
    return {"lapsed": contracts_lapse()}
