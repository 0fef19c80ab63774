"""Sales: the filtered list, the sale page and its proof of purchase."""

from __future__ import annotations

from pathlib import PurePath

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.console.access import staff_view
from aftersales.console.forms import SaleFilterForm
from aftersales.console.selectors import sales_reps, sales_search
from aftersales.console.views.common import page_of
from aftersales.core.files import stored_file_response
from aftersales.sales.models import Sale
from aftersales.sales.selectors import sale_detail as sale_with_lines
from aftersales.sales.selectors import sales_visible_to


@staff_view("sales.view_sale")
def sale_list(request: HttpRequest) -> HttpResponse:
    form = SaleFilterForm(request.GET or None, reps=sales_reps())
    found = sales_search(sales_visible_to(request.user), **(form.filters() if form.is_bound else {}))
    return render(request, "console/sales/list.html", {"section": "sales", "form": form, "page": page_of(request, found)})


def _sale(request: HttpRequest, sale_id: int) -> Sale:
    sale = sale_with_lines(sales_visible_to(request.user)).filter(pk=sale_id).first()
    if sale is None:
        raise Http404(_("No such sale."))
    return sale


@staff_view("sales.view_sale")
def sale_detail(request: HttpRequest, sale_id: int) -> HttpResponse:
    return render(request, "console/sales/detail.html", {"section": "sales", "sale": _sale(request, sale_id)})


@staff_view("sales.view_sale")
def sale_proof(request: HttpRequest, sale_id: int) -> FileResponse:
    """Send the proof of purchase as a download, only to staff allowed to see the sale."""
    sale = _sale(request, sale_id)
    if not sale.proof_file:
        raise Http404(_("This sale has no proof of purchase file."))
    return stored_file_response(sale.proof_file, filename=f"proof-{sale.number}{PurePath(sale.proof_file.name).suffix}")
