"""Background tasks of the SLA clocks: they take ids and call one service."""

from __future__ import annotations

from django_tasks import task

from aftersales.service.sla import sla_escalations_apply


@task()
def sla_escalate(clock_ids: list[int], trigger: str) -> int:
    """Run the escalation rules of warned or breached clocks (each clock once, however often this runs)."""
    return sla_escalations_apply(clock_ids=clock_ids, trigger=trigger)
