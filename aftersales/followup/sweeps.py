"""Periodic sweeps of follow-up, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from aftersales.core.tick import sweep_register
from aftersales.followup.services import followup_sweep, tasks_escalate_overdue


@sweep_register("followup.touches_due", every=dt.timedelta(seconds=settings.FOLLOWUP_SWEEP_SECONDS))
def touches_due() -> dict[str, int]:
    """Record the touches that fell due over the whole installed base and act on each once."""
    return followup_sweep()


@sweep_register("followup.tasks_overdue", every=dt.timedelta(minutes=15))
def tasks_overdue() -> int:
    """Escalate calls and visits overdue beyond FOLLOWUP_ESCALATE_AFTER_HOURS to the service managers."""
    return tasks_escalate_overdue()
