"""Periodic sweeps of sales imports, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.sales.import_runs import sales_imports_recover


@sweep_register("sales.recover_imports", every=dt.timedelta(minutes=5))
def recover_imports() -> dict[str, int]:
    """Queue again imports whose task was lost; mark crashed those running past the time limit."""
    return sales_imports_recover()
