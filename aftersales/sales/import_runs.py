"""Sales imports run by a background worker: submit a file, run it once, recover runs that were lost.

A web request only stores the uploaded file and queues a task (``sales.tasks.run_sales_import``); a
worker claims the import with a conditional ``UPDATE`` (queued → running), so two workers never run
the same one, and calls :func:`aftersales.sales.imports.sales_import` on the stored file. The report
is stored in the same transaction as the imported rows: an import is ``imported`` exactly when its
sales were written, and ``rejected`` or ``crashed`` imports wrote nothing.

Progress (bytes read) is written from a second database connection every few seconds while the
import's own transaction is open. SQLite allows one writer at a time, so there the page shows an
indeterminate "running" state instead.

Recovery (:func:`sales_imports_recover`, run by ``aftersales tick``): a queued import whose task is
no longer waiting in the queue is queued again after ``REQUEUE_AFTER``; a running import that has not
finished ``RUNNING_TIMEOUT`` after it started is marked crashed (its worker died; the transaction it
held was rolled back, so nothing was written). If that worker was in fact still alive, its commit is
refused and rolled back when it finds the import no longer running.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, NotFound, ValidationFailed, interpolate
from aftersales.core.models import User
from aftersales.core.permissions import require_perm
from aftersales.core.tasks import task_enqueue_on_commit, tasks_waiting
from aftersales.sales.imports import ImportReport, sales_import
from aftersales.sales.models import SalesImport, SalesImportStatus

__all__ = [
    "BACKGROUND_FROM_BYTES",
    "REQUEUE_AFTER",
    "RUNNING_TIMEOUT",
    "sales_import_execute",
    "sales_import_get",
    "sales_import_submit",
    "sales_imports_recent",
    "sales_imports_recover",
]

logger = logging.getLogger(__name__)

# Files at least this big are imported in the background even when the API caller did not ask for it.
BACKGROUND_FROM_BYTES = 5 * 1024 * 1024
# How often a running import records how far it has read.
PROGRESS_SECONDS = 2.0
# A queued import whose task left the queue is queued again after this long.
REQUEUE_AFTER = dt.timedelta(minutes=10)
# A running import that has not finished this long after it started is taken for dead.
RUNNING_TIMEOUT = dt.timedelta(hours=6)
_REPORT_FIELDS = ("rows", "sales_created", "sales_skipped", "customers_created", "customers_matched", "units_created")


class _Superseded(Exception):
    """Raised inside the import's transaction when the import was marked crashed meanwhile."""


# --- reading --------------------------------------------------------------------------------------


def sales_imports_recent(*, actor: Any, limit: int = 20) -> QuerySet[SalesImport]:
    """Return the latest imports, newest first, for someone allowed to import."""
    require_perm(actor, "sales.import_sales")
    return SalesImport.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]


def sales_import_get(*, actor: Any, import_id: int) -> SalesImport:
    """Return one import; staff who may import see every import."""
    require_perm(actor, "sales.import_sales")
    found = SalesImport.objects.select_related("created_by").filter(pk=import_id).first()
    if found is None:
        raise NotFound(_("No such import."))
    return found


# --- submitting -----------------------------------------------------------------------------------


def _file_check(upload: UploadedFile) -> None:
    size = upload.size or 0
    if size == 0:
        raise ValidationFailed(errors=[FieldError(field="file", reason=_("the file is empty"))])
    limit = settings.SALES_IMPORT_MAX_BYTES
    if size > limit:
        reason = interpolate(_("the file is larger than %(limit)s"), limit=filesizeformat(limit))
        raise ValidationFailed(errors=[FieldError(field="file", reason=reason)])


def _enqueue_on_commit(import_id: int) -> None:
    """Hand an import to the workers once the transaction that queued it has committed."""
    task_enqueue_on_commit(_import_task, record=SalesImport, pk=import_id)


def _import_task() -> Any:
    from aftersales.sales.tasks import run_sales_import

    return run_sales_import


@transaction.atomic
def sales_import_submit(*, actor: User, upload: UploadedFile) -> SalesImport:
    """Store an uploaded sales file privately and queue its import for a background worker."""
    require_perm(actor, "sales.import_sales")
    _file_check(upload)
    run = SalesImport(created_by=actor, file_name=(upload.name or "sales.csv")[-255:], size=upload.size or 0)
    run.file.save(run.file_name, upload, save=False)
    try:
        run.save()
    except Exception:
        run.file.delete(save=False)
        raise
    _enqueue_on_commit(run.pk)
    return run


# --- running --------------------------------------------------------------------------------------


class _ProgressRecorder:
    """Write the bytes read so far from another thread's connection, at most every few seconds."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.read = 0
        self.last = time.monotonic()
        self.pending: Future[None] | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sales-import-progress")

    def __call__(self, read: int) -> None:
        self.read += read
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS or (self.pending is not None and not self.pending.done()):
            return
        self.last = now
        self.pending = self.executor.submit(self._write, self.read)

    def _write(self, read: int) -> None:
        try:
            SalesImport.objects.filter(pk=self.import_id, status=SalesImportStatus.RUNNING).update(progress_bytes=read)
        except Exception:
            logger.warning("Could not record the progress of sales import %s", self.import_id, exc_info=True)

    def close(self) -> None:
        # Wait for the last write, then close the connection that the writing thread opened.
        self.executor.submit(_connection_close).result()
        self.executor.shutdown()


def _connection_close() -> None:
    connection.close()


def _progress_possible() -> bool:
    # A second connection can write while the import's transaction is open only on PostgreSQL, and it
    # sees the claimed row only when the claim was committed (not nested in an outer transaction).
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _report_store(import_id: int, report: ImportReport, language: str) -> None:
    """Record the outcome; refuse it (and roll the import back) when the import is no longer running."""
    with translation.override(language):
        # Reasons are shown to whoever submitted the file, in their language.
        errors = [{"line": error.line, "field": error.field, "reason": str(error.reason)} for error in report.errors]
    status = SalesImportStatus.IMPORTED if report.ok else SalesImportStatus.REJECTED
    counts = {name: getattr(report, name) for name in _REPORT_FIELDS}
    updated = SalesImport.objects.filter(pk=import_id, status=SalesImportStatus.RUNNING).update(
        status=status, errors=errors, error_count=report.error_count, finished_at=timezone.now(), **counts
    )
    if not updated:
        raise _Superseded


def sales_import_execute(*, import_id: int) -> SalesImport:
    """Run a queued import once, writing its sales and its report together, or nothing at all.

    Not one transaction: the claim commits first, so that others see the import running; the import
    and its report then commit together.
    """
    now = timezone.now()
    claimed = SalesImport.objects.filter(pk=import_id, status=SalesImportStatus.QUEUED).update(
        status=SalesImportStatus.RUNNING, started_at=now, updated_at=now
    )
    run = SalesImport.objects.select_related("created_by").get(pk=import_id)
    if not claimed:
        # Another worker has it, or it already finished.
        return run
    actor = run.created_by
    language = actor.language if actor is not None else settings.LANGUAGE_CODE
    recorder = _ProgressRecorder(import_id) if _progress_possible() else None
    try:
        with transaction.atomic():
            with run.file.open("rb") as source:
                report = sales_import(actor=actor, source=source, progress=recorder)
            if recorder is not None:
                recorder.close()
                recorder = None
            _report_store(import_id, report, language)
    except _Superseded:
        logger.warning("Sales import %s was marked crashed while it ran; its rows were rolled back", import_id)
    except Exception:
        logger.exception("Sales import %s crashed; nothing was written", import_id)
        SalesImport.objects.filter(pk=import_id, status=SalesImportStatus.RUNNING).update(
            status=SalesImportStatus.CRASHED, finished_at=timezone.now(), updated_at=timezone.now()
        )
    finally:
        if recorder is not None:
            recorder.close()
    run.refresh_from_db()
    return run


# --- recovering -----------------------------------------------------------------------------------


def _tasks_waiting(task_ids: list[str]) -> set[str]:
    """Return which of the import tasks are still in the database queue, waiting or running."""
    return tasks_waiting(_import_task(), task_ids, statuses=("READY", "RUNNING"))


@transaction.atomic
def sales_imports_recover(*, limit: int = 100) -> dict[str, int]:
    """Queue again the imports whose task was lost, and mark crashed those whose worker died."""
    now = timezone.now()
    dead = SalesImport.objects.filter(status=SalesImportStatus.RUNNING, started_at__lt=now - RUNNING_TIMEOUT)
    crashed = dead.update(status=SalesImportStatus.CRASHED, finished_at=now, updated_at=now)
    if crashed:
        logger.warning("Marked %d sales imports crashed: running for more than %s", crashed, RUNNING_TIMEOUT)
    stale = list(
        SalesImport.objects.filter(status=SalesImportStatus.QUEUED, updated_at__lt=now - REQUEUE_AFTER)
        .order_by("pk")
        .values_list("pk", "task_id")[:limit]
    )
    waiting = _tasks_waiting([task_id for _pk, task_id in stale if task_id])
    lost = [pk for pk, task_id in stale if task_id not in waiting]
    # Touch them, so that the next sweep waits REQUEUE_AFTER again before it looks at them.
    SalesImport.objects.filter(pk__in=lost).update(updated_at=now)
    for pk in lost:
        _enqueue_on_commit(pk)
    return {"crashed": crashed, "requeued": len(lost)}
