"""Helpers for handing records to background workers (django-tasks)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def task_enqueue_on_commit(
    task_loader: Callable[[], Any], *, record: type[models.Model], pk: int, run_after: dt.datetime | None = None
) -> None:
    """Enqueue a task for a record once the current transaction commits, and store the task's id on it.

    The record is the source of truth: if the queue refuses the task, the failure is logged and the
    owning app's recovery sweep hands the record over later. ``task_loader`` returns the task; it is
    called late so that task modules are imported only when needed.
    """

    def enqueue() -> None:
        task = task_loader()
        if run_after is not None and run_after > timezone.now() and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        try:
            result = task.enqueue(pk)
        except Exception:
            logger.exception("Could not queue %s for %s %s; its recovery sweep will retry", task.name, record.__name__, pk)
        else:
            record._default_manager.filter(pk=pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def tasks_waiting(task: Any, task_ids: Iterable[str], *, statuses: tuple[str, ...] = ("READY",)) -> set[str]:
    """Return which task ids are still in the database queue with one of the statuses.

    With another task backend nothing can be looked up, so every id counts as not waiting.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    ids = [task_id for task_id in task_ids if task_id]
    if not ids or not isinstance(task.get_backend(), DatabaseBackend):
        return set()
    waiting = DBTaskResult.objects.filter(id__in=ids, status__in=statuses).values_list("id", flat=True)
    return {str(task_id) for task_id in waiting}
