"""Background tasks of sales: they take ids and call one service."""

from __future__ import annotations

from django_tasks import task

from aftersales.sales.import_runs import sales_import_execute


@task()
def run_sales_import(import_id: int) -> str:
    """Run one queued sales import (a no-op when another worker has it or it already finished)."""
    return sales_import_execute(import_id=import_id).status
