"""Units: lookup by serial, the unit page with its timeline, delivery and installation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.console.access import staff_view
from aftersales.console.forms import MomentForm, UnitFilterForm
from aftersales.console.selectors import units_search
from aftersales.console.views.common import page_of, timeline_page
from aftersales.console.views_repairs import unit_repairs
from aftersales.console.views_warranty import unit_warranty
from aftersales.core.errors import ValidationFailed
from aftersales.core.timeline import timeline_for_unit
from aftersales.sales.models import Unit, UnitStatus
from aftersales.sales.selectors import units_visible_to
from aftersales.sales.services import unit_mark_delivered, unit_mark_installed


@staff_view("sales.view_unit")
def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None, statuses=UnitStatus.choices)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    units = units_search(units_visible_to(request.user), serial=filters.get("serial", ""), status=filters.get("status", ""))
    # Each row states the warranty the warranty app decides from the terms the unit was sold with and its
    # extensions, read here for the whole page.
    units = units.select_related("warranty_terms").prefetch_related("extended_warranties")
    return render(request, "console/units/list.html", {"section": "units", "form": form, "page": page_of(request, units)})


@staff_view("sales.view_unit")
def unit_by_serial(request: HttpRequest, serial: str) -> HttpResponse:
    units = units_visible_to(request.user).filter(serial__iexact=serial.strip())
    if request.GET.get("sku"):
        units = units.filter(product__sku=request.GET["sku"])
    found = list(units[:20])
    if not found:
        raise Http404(_("No unit with this serial number."))
    if len(found) > 1:
        # Two products may carry the same serial: let the person pick the product.
        return render(request, "console/units/choose.html", {"section": "units", "serial": serial, "units": found})
    return _unit_page(request, found[0])


@staff_view("sales.view_unit")
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _unit_page(request, _unit(request, unit_id))


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such unit."))
    return unit


def _unit_page(request: HttpRequest, unit: Unit) -> HttpResponse:
    events, rows = timeline_page(request, timeline_for_unit(unit_id=unit.pk))
    timeline = {"page": events, "rows": rows}
    if request.htmx and "events" in request.GET:  # type: ignore[attr-defined]
        return render(request, "console/_timeline_items.html", {"timeline": timeline})
    context: dict[str, Any] = {"section": "units", "unit": unit, "timeline": timeline}
    if request.user.has_perm("warranty.view_warrantyclaim"):
        context["warranty"] = unit_warranty(unit)
    if request.user.has_perm("warranty.view_repairorder"):
        context["repairs"] = unit_repairs(unit)
    return render(request, "console/units/detail.html", context)


# How each moment is recorded, and what the person is told once it is.
MOMENTS: dict[str, tuple[Callable[[Any, Unit, Any], Unit], Any]] = {
    "delivered": (
        lambda actor, unit, at: unit_mark_delivered(actor=actor, unit=unit, delivered_at=at),
        gettext_lazy("The delivery was recorded."),
    ),
    "installed": (
        lambda actor, unit, at: unit_mark_installed(actor=actor, unit=unit, installed_at=at),
        gettext_lazy("The installation was recorded."),
    ),
}


@staff_view("sales.view_unit", "sales.change_unit")
@require_POST
def unit_record_moment(request: HttpRequest, unit_id: int, moment: str) -> HttpResponse:
    """Record that a unit was delivered or installed, at the given moment or now."""
    unit = _unit(request, unit_id)
    record, done = MOMENTS[moment]
    form = MomentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(error) for error in form.errors.get("at", [])))
        return redirect("console:unit", unit_id=unit.pk)
    try:
        record(request.user, unit, form.cleaned_data["at"])
    except ValidationFailed as failure:
        messages.error(request, "; ".join(f"{error.field}: {error.reason}" for error in failure.errors))
    else:
        messages.success(request, str(done))
    return redirect("console:unit", unit_id=unit.pk)
