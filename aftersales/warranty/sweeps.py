"""Periodic sweeps of the warranty, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.warranty.services import warranty_terms_snapshot_missing


@sweep_register("warranty.terms_snapshot", every=dt.timedelta(minutes=10))
def terms_snapshot() -> dict[str, int]:
    """Copy the product's warranty terms onto units written in bulk (imports) that have none yet."""
    return {"units": warranty_terms_snapshot_missing()}
