"""Periodic sweeps run by ``aftersales tick``.

Capabilities register sweeps with :func:`sweep_register`. A tick may run on
several machines at once: each sweep is claimed by locking its ``SweepRun`` row
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers),
and a sweep that ran less than its interval ago is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from aftersales.core.models import SweepRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


_SWEEPS: dict[str, Sweep] = {}


def sweep_register(name: str, *, every: dt.timedelta) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register a function as a periodic sweep that runs at most once per interval."""

    def decorator(func: Callable[[], object]) -> Callable[[], object]:
        _SWEEPS[name] = Sweep(name=name, every=every, run=func)
        return func

    return decorator


def sweeps() -> list[Sweep]:
    """Return the registered sweeps in name order."""
    return sorted(_SWEEPS.values(), key=lambda sweep: sweep.name)


def _claim(sweep: Sweep) -> bool:
    """Mark a due sweep as started; return False when another tick has it or it is not due."""
    SweepRun.objects.get_or_create(name=sweep.name)
    with transaction.atomic():
        query = SweepRun.objects.filter(name=sweep.name)
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        run = query.first()
        if run is None:
            return False
        now = timezone.now()
        if run.last_started_at and now - run.last_started_at < sweep.every:
            return False
        run.last_started_at = now
        run.save(update_fields=["last_started_at"])
        return True


def tick_run(*, only: str | None = None) -> dict[str, str]:
    """Run every due sweep once; return what happened to each."""
    outcome: dict[str, str] = {}
    for sweep in sweeps():
        if only and sweep.name != only:
            continue
        if not _claim(sweep):
            outcome[sweep.name] = "skipped"
            continue
        try:
            sweep.run()
        except Exception:
            logger.exception("Sweep %s failed", sweep.name)
            SweepRun.objects.filter(name=sweep.name).update(last_error=traceback.format_exc()[-4000:])
            outcome[sweep.name] = "failed"
        else:
            SweepRun.objects.filter(name=sweep.name).update(last_finished_at=timezone.now(), last_error="")
            outcome[sweep.name] = "ran"
    return outcome


@sweep_register("core.clear_expired_sessions", every=dt.timedelta(hours=1))
def _clear_expired_sessions() -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()


@sweep_register("core.prune_task_results", every=dt.timedelta(hours=6))
def _prune_task_results() -> None:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=14)
    DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
