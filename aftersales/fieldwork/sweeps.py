"""Periodic sweeps of field service, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from aftersales.core.tick import sweep_register
from aftersales.fieldwork.services.after_sale import after_sale_propose
from aftersales.fieldwork.services.scheduling import reminders_send

EVERY = dt.timedelta(seconds=int(getattr(settings, "FIELDWORK_SWEEP_SECONDS", 300)))


@sweep_register("fieldwork.after_sale", every=EVERY)
def after_sale() -> dict[str, int]:
    """Propose installation and delivery visits for recent sales, imported ones included."""
    return after_sale_propose()


@sweep_register("fieldwork.reminders", every=EVERY)
def reminders() -> dict[str, int]:
    """Remind customers of tomorrow's visits, once per booking."""
    return {"reminded": reminders_send()}
