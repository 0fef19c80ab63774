"""REST endpoints that import sales history: a CSV upload and a JSON batch, both all or nothing."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import ngettext
from ninja import Field, File, Router, Schema, UploadedFile

from aftersales.core.api import ErrorOut
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_perm
from aftersales.sales.imports import COLUMNS, ImportReport, sales_import, sales_import_rows

router = Router(tags=["imports"])


class ImportReportOut(Schema):
    rows: int = Field(description="Data rows read.")
    sales_created: int
    sales_skipped: int = Field(description="Sales whose number was already recorded: left unchanged.")
    customers_created: int
    customers_matched: int = Field(description="Existing customers found by email or phone.")
    units_created: int


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


@router.post("/imports/sales", response={200: ImportReportOut, 400: ErrorOut})
def import_sales_file(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Import a CSV file of sales (multipart field ``file``); 400 lists every bad row and nothing is written."""
    require_perm(request.user, "sales.import_sales")
    return _answer(sales_import(actor=request.user, source=file))  # type: ignore[arg-type]


@router.post("/imports/sales/batch", response={200: ImportReportOut, 400: ErrorOut})
def import_sales_batch(request: HttpRequest, payload: ImportBatchIn) -> Any:
    """Import sales given as JSON rows; errors name the row by its 1-based position in ``rows``."""
    require_perm(request.user, "sales.import_sales")
    return _answer(sales_import_rows(actor=request.user, rows=payload.rows))  # type: ignore[arg-type]
