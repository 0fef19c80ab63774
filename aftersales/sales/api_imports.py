"""REST endpoints that import sales history: a CSV upload and a JSON batch, both all or nothing.

A CSV upload is imported in the request when it is small; big files (or ``?background=true``) are
stored and imported by a background worker, and ``GET /imports/{id}`` tells how it went.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext
from ninja import Field, File, Router, Schema, UploadedFile

from aftersales.core.api import ErrorOut, FieldErrorOut
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_perm
from aftersales.sales.import_runs import BACKGROUND_FROM_BYTES, sales_import_get, sales_import_submit
from aftersales.sales.imports import COLUMNS, ImportReport, sales_import, sales_import_rows
from aftersales.sales.models import SalesImport

router = Router(tags=["imports"])


class ImportReportOut(Schema):
    rows: int = Field(description="Data rows read.")
    sales_created: int
    sales_skipped: int = Field(description="Sales whose number was already recorded: left unchanged.")
    customers_created: int
    customers_matched: int = Field(description="Existing customers found by email or phone.")
    units_created: int


class ImportQueuedOut(Schema):
    id: int
    status: str = Field(description="queued, running, imported, rejected (nothing written) or crashed (nothing written).")
    url: str = Field(description="Where to follow the import: GET it until its status is no longer queued or running.")


class ImportRunOut(Schema):
    id: int
    status: str = Field(description="queued, running, imported, rejected (nothing written) or crashed (nothing written).")
    file_name: str
    size: int = Field(description="Size of the uploaded file in bytes.")
    progress_bytes: int = Field(description="Bytes read so far while running (0 where the database cannot tell).")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows: int
    sales_created: int
    sales_skipped: int
    customers_created: int
    customers_matched: int
    units_created: int
    error_count: int = Field(description="Bad rows found; when not 0 nothing was written.")
    errors: list[FieldErrorOut] = Field(description="The first bad rows, in the language of whoever submitted the file.")


class ImportBatchIn(Schema):
    rows: list[dict[str, Any]] = Field(
        description="One object per sale line, keyed by the CSV columns: " + ", ".join(COLUMNS) + ". "
        "`serials` may be a list or a `|`-separated string."
    )


def _answer(report: ImportReport) -> ImportReport:
    if not report.ok:
        message = ngettext(
            "%(count)d error in %(rows)d rows; nothing was imported.",
            "%(count)d errors in %(rows)d rows; nothing was imported.",
            report.error_count,
        ) % {
            "count": report.error_count,
            "rows": report.rows,
        }
        raise ValidationFailed(errors=report.errors, message=message)
    return report


def _queued(request: HttpRequest, run: SalesImport) -> dict[str, Any]:
    url = reverse("api:sales_import_get", kwargs={"import_id": run.pk})
    return {"id": run.pk, "status": run.status, "url": request.build_absolute_uri(url)}


@router.post("/imports/sales", response={200: ImportReportOut, 202: ImportQueuedOut, 400: ErrorOut})
def import_sales_file(request: HttpRequest, file: File[UploadedFile], background: bool = False) -> Any:
    """Import a CSV file of sales (multipart field ``file``); 400 lists every bad row and nothing is written.

    With ``background=true``, or for files of 5 MB or more, answer 202 at once with the import's id and
    URL; a worker imports it, by the same rules.
    """
    require_perm(request.user, "sales.import_sales")
    if background or (file.size or 0) >= BACKGROUND_FROM_BYTES:
        return 202, _queued(request, sales_import_submit(actor=request.user, upload=file))  # type: ignore[arg-type]
    return _answer(sales_import(actor=request.user, source=file))  # type: ignore[arg-type]


@router.get("/imports/{int:import_id}", response={200: ImportRunOut}, url_name="sales_import_get")
def sales_import_detail(request: HttpRequest, import_id: int) -> Any:
    """Return a background import's status, counts and errors."""
    return sales_import_get(actor=request.user, import_id=import_id)


@router.post("/imports/sales/batch", response={200: ImportReportOut, 400: ErrorOut})
def import_sales_batch(request: HttpRequest, payload: ImportBatchIn) -> Any:
    """Import sales given as JSON rows; errors name the row by its 1-based position in ``rows``."""
    require_perm(request.user, "sales.import_sales")
    return _answer(sales_import_rows(actor=request.user, rows=payload.rows))  # type: ignore[arg-type]
