"""The sales history import: upload a CSV, follow its background import, see what was imported or why nothing was."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.console.access import staff_view
from aftersales.console.forms import ImportForm, errors_attach
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.sales.import_runs import sales_import_get, sales_import_submit, sales_imports_recent
from aftersales.sales.imports import COLUMNS as IMPORT_COLUMNS
from aftersales.sales.imports import REQUIRED_COLUMNS

SAMPLE_FILE = settings.PROJECT_DIR / "examples" / "sales.csv"

# What each column holds (docs/import.md), shown on the page so nobody needs to leave it.
COLUMN_CONTENT = {
    "sale_number": gettext_lazy("Sale number; rows of one sale share it and follow each other. Known numbers are skipped."),
    "sale_date": gettext_lazy("Date of the sale, YYYY-MM-DD, not in the future."),
    "channel": gettext_lazy("store, online, phone or field; store when empty."),
    "sales_rep": gettext_lazy("Username or email of the staff member who sold it."),
    "customer_name": gettext_lazy("The customer's full name."),
    "customer_email": gettext_lazy("Matches an existing customer first."),
    "customer_phone": gettext_lazy("Best with country code; matches an existing customer when the email does not."),
    "customer_language": gettext_lazy("en or es; en when empty."),
    "customer_country": gettext_lazy("Two-letter code, e.g. ES."),
    "customer_postal_code": gettext_lazy("Postal code."),
    "customer_city": gettext_lazy("City."),
    "sku": gettext_lazy("SKU of a product in the catalogue."),
    "quantity": gettext_lazy("Whole number, at least 1."),
    "unit_price": gettext_lazy("Price of one item: 12.50 or 12,50."),
    "serials": gettext_lazy("Serial numbers separated by |, as many as the quantity, or none."),
    "delivered_on": gettext_lazy("Delivery date, YYYY-MM-DD."),
    "installed_on": gettext_lazy("Installation date, YYYY-MM-DD."),
    "receipt_number": gettext_lazy("Receipt or invoice number, the proof of purchase."),
}
COLUMNS = [(name, name in REQUIRED_COLUMNS, COLUMN_CONTENT.get(name, "")) for name in IMPORT_COLUMNS]


@staff_view("sales.import_sales")
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A worker imports the file: a big history takes longer than a web request may last.
            run = sales_import_submit(actor=request.user, upload=form.cleaned_data["file"])  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            response = redirect("console:import_run", import_id=run.pk)
            response.status_code = 303  # See Other: the browser GETs the status page.
            return response
    context: dict[str, Any] = {
        "section": "import",
        "form": form,
        "columns": COLUMNS,
        "has_sample": SAMPLE_FILE.exists(),
        "runs": sales_imports_recent(actor=request.user),
    }
    return render(request, "console/import.html", context, status=400 if form.errors else 200)


@staff_view("sales.import_sales")
def import_run(request: HttpRequest, import_id: int) -> HttpResponse:
    """Show how an import goes; htmx asks for the status fragment again until it has finished."""
    try:
        run = sales_import_get(actor=request.user, import_id=import_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    template = "console/import_status.html" if request.htmx else "console/import_run.html"  # type: ignore[attr-defined]
    return render(request, template, {"section": "import", "run": run})


@staff_view("sales.import_sales")
def import_sample(request: HttpRequest) -> FileResponse:
    """Send the sample CSV that shows every column."""
    if not SAMPLE_FILE.exists():
        raise Http404(_("The sample file is not installed."))
    return FileResponse(SAMPLE_FILE.open("rb"), as_attachment=True, filename="sales.csv", content_type="text/csv")
