"""The sales history import: upload a CSV, see what was imported or why nothing was."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.console.access import staff_view
from aftersales.console.forms import ImportForm
from aftersales.core.errors import ValidationFailed

SAMPLE_FILE = settings.PROJECT_DIR / "examples" / "sales.csv"

# The documented columns (docs/import.md), shown on the page so nobody needs to leave it.
COLUMNS = [
    ("sale_number", True, gettext_lazy("Sale number; rows of one sale share it and follow each other.")),
    ("sale_date", True, gettext_lazy("Date of the sale, YYYY-MM-DD.")),
    ("channel", False, gettext_lazy("store, online, phone or field; store when empty.")),
    ("sales_rep", False, gettext_lazy("Username or email of the staff member who sold it.")),
    ("customer_name", True, gettext_lazy("The customer's full name.")),
    ("customer_email", False, gettext_lazy("Matches an existing customer first.")),
    ("customer_phone", False, gettext_lazy("With country code; matches an existing customer when the email does not.")),
    ("customer_language", False, gettext_lazy("en or es.")),
    ("customer_country", False, gettext_lazy("Two-letter code, e.g. ES.")),
    ("customer_postal_code", False, gettext_lazy("Postal code.")),
    ("customer_city", False, gettext_lazy("City.")),
    ("sku", True, gettext_lazy("SKU of a product in the catalogue.")),
    ("quantity", True, gettext_lazy("Whole number, at least 1.")),
    ("unit_price", True, gettext_lazy("Price of one item: 12.50 or 12,50.")),
    ("serials", False, gettext_lazy("Serial numbers separated by |, as many as the quantity, or empty.")),
    ("delivered_on", False, gettext_lazy("Delivery date, YYYY-MM-DD.")),
    ("installed_on", False, gettext_lazy("Installation date, YYYY-MM-DD.")),
    ("receipt_number", False, gettext_lazy("Receipt or invoice number, the proof of purchase.")),
]


def _import(request: HttpRequest, upload: Any) -> Any:
    from aftersales.sales.imports import sales_import

    return sales_import(actor=request.user, source=upload)  # type: ignore[arg-type]


@staff_view("sales.import_sales")
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"section": "import", "form": form, "columns": COLUMNS, "has_sample": SAMPLE_FILE.exists()}
    if request.method == "POST" and form.is_valid():
        try:
            report = _import(request, form.cleaned_data["file"])
        except ValidationFailed as failure:
            context.update(failed=True, errors=failure.errors, error_count=len(failure.errors))
        else:
            context.update(report=report, failed=not report.ok, errors=report.errors, error_count=report.error_count)
    status = 400 if context.get("failed") else 200
    return render(request, "console/import.html", context, status=status)


@staff_view("sales.import_sales")
def import_sample(request: HttpRequest) -> FileResponse:
    """Send the sample CSV that shows every column."""
    if not SAMPLE_FILE.exists():
        raise Http404(_("The sample file is not installed."))
    return FileResponse(SAMPLE_FILE.open("rb"), as_attachment=True, filename="sales.csv", content_type="text/csv")
