"""Periodic sweeps of the service desk, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.service.webhooks import webhook_deliveries_redispatch


@sweep_register("service.webhooks_due", every=dt.timedelta(minutes=1))
def webhooks_due() -> dict[str, int]:
    """Hand due webhook deliveries back to the workers (recovery after a lost task or a dead worker)."""
    return webhook_deliveries_redispatch()
