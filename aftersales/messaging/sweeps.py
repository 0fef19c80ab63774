"""Periodic sweeps of the outbox, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from aftersales.core.tick import sweep_register
from aftersales.messaging.services import messages_redispatch_due


@sweep_register("messaging.retry_due", every=dt.timedelta(seconds=settings.MESSAGING_SWEEP_SECONDS))
def retry_due() -> dict[str, int]:
    """Hand due and abandoned messages back to the workers (recovery after a worker died mid-send)."""
    return messages_redispatch_due()
