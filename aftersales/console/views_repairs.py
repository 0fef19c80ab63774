"""Console screens of repairs: the board by status, a repair order, opening one, and the parts catalogue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Part
from aftersales.catalog.services import part_stock_receive
from aftersales.console.access import staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.views.common import form_ticket, page_of
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to
from aftersales.warranty import selectors, selectors_repairs, services
from aftersales.warranty.models import QuoteChannel, RepairOrder, RepairStatus

VIEW = "warranty.view_repairorder"
WORK = "warranty.work_repairorder"


class RepairForm(forms.Form):
    fault_description = forms.CharField(
        label=gettext_lazy("Reported fault"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    ticket = forms.IntegerField(label=gettext_lazy("Ticket number"), required=False, min_value=1)


class DiagnosisForm(forms.Form):
    diagnosis = forms.CharField(label=gettext_lazy("Diagnosis"), widget=forms.Textarea(attrs={"rows": 4}))


COVER_CHOICES = [
    ("", gettext_lazy("As the repair (covered or not)")),
    ("1", gettext_lazy("Covered")),
    ("0", gettext_lazy("Billable")),
]


class PartLineForm(forms.Form):
    part = forms.ModelChoiceField(label=gettext_lazy("Part"), queryset=Part.objects.filter(is_active=True).order_by("name"))
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=999, initial=1)
    covered = forms.ChoiceField(label=gettext_lazy("Who pays"), choices=COVER_CHOICES, required=False)


class LabourLineForm(forms.Form):
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=24 * 60)
    description = forms.CharField(label=gettext_lazy("Work done"), max_length=200, required=False)
    covered = forms.ChoiceField(label=gettext_lazy("Who pays"), choices=COVER_CHOICES, required=False)


class ReceiveForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("Quantity received"), min_value=1, max_value=100000)
    reference = forms.CharField(label=gettext_lazy("Delivery note"), max_length=64, required=False)


def _form_errors(form: forms.Form) -> str:
    return "; ".join(
        f"{form.fields[name].label}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()
    )


def _covered(value: str) -> bool | None:
    return None if value in ("", None) else value == "1"


def _order(request: HttpRequest, order_id: int) -> RepairOrder:
    order = selectors_repairs.repairs_visible_to(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404(_("No such repair order."))
    return order


def _refused(request: HttpRequest, failure: ValidationFailed | Conflict) -> None:
    if isinstance(failure, ValidationFailed):
        messages.error(request, "; ".join(str(error.reason) for error in failure.errors))
    else:
        messages.error(request, str(failure.message))


def unit_repairs(unit: Unit) -> list[RepairOrder]:
    """Return the unit's repair orders for its page, newest first."""
    return list(RepairOrder.objects.filter(unit=unit).order_by("-received_at", "-id")[:10])


def _board_context(request: HttpRequest) -> dict[str, Any]:
    text = request.GET.get("q", "")
    return {
        "section": "repairs",
        "columns": selectors_repairs.repair_board(request.user, text=text),
        "summary": selectors_repairs.turnaround_summary(),
        "q": text,
        "can_work": request.user.has_perm(WORK),
    }


@staff_view(VIEW)
def repair_board(request: HttpRequest) -> HttpResponse:
    return render(request, "console/repairs/board.html", _board_context(request))


@staff_view(VIEW)
def repair_list(request: HttpRequest) -> HttpResponse:
    """List every repair order, closed ones too, filtered by status and search."""
    status = request.GET.get("status", "")
    orders = selectors_repairs.repairs_filtered(
        selectors_repairs.repairs_visible_to(request.user),
        status=status if status in RepairStatus.values else "",
        repeat=True if request.GET.get("repeat") == "1" else None,
        text=request.GET.get("q", ""),
    )
    context = {"section": "repairs", "page": page_of(request, orders), "statuses": RepairStatus.choices, "status": status}
    return render(request, "console/repairs/list.html", context)


@staff_view(VIEW, WORK)
@require_POST
def repair_move(request: HttpRequest, order_id: int) -> HttpResponse:
    """Move a repair to another status, from the board (htmx: the board is redrawn) or the order's page."""
    order = _order(request, order_id)
    try:
        services.repair_move(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        order.refresh_from_db()
        messages.success(
            request, _("%(reference)s: %(status)s.") % {"reference": order.reference, "status": order.get_status_display()}
        )
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "console/repairs/_board.html", _board_context(request))
    if request.POST.get("next") == "board":
        return redirect("console:repairs")
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW)
def repair_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    context = {
        "section": "repairs",
        "order": order,
        "lines": list(selectors_repairs.repair_lines(order)),
        "totals": services.order_totals(order),
        "quote": services.current_quote(order),
        "history": selectors_repairs.repair_history_described(order),
        "age_hours": selectors_repairs.repair_age_hours(order),
        "next_statuses": [(status, RepairStatus(status).label) for status in order.next_statuses()],
        "diagnosis_form": DiagnosisForm(initial={"diagnosis": order.diagnosis}),
        "part_form": PartLineForm(auto_id="part-%s"),
        "labour_form": LabourLineForm(auto_id="labour-%s"),
        "labour_rates": services.labour_rates(),
        "repeat_days": selectors_repairs.repeat_window_days(),
        "can_work": request.user.has_perm(WORK),
    }
    return render(request, "console/repairs/detail.html", context)


@staff_view(WORK, "sales.view_unit")
def repair_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Receive a unit for repair (``?ticket=<number>`` to link a ticket)."""
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such unit."))
    form = RepairForm(request.POST or None, initial={"ticket": request.GET.get("ticket")})
    if request.method == "POST" and form.is_valid():
        ticket = form_ticket(request, form)
        if not form.errors:
            try:
                order = services.repair_open(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    fault_description=form.cleaned_data["fault_description"],
                    ticket=ticket,
                )
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("Repair order %(reference)s opened.") % {"reference": order.reference})
                return redirect("console:repair", order_id=order.pk)
    context = {"section": "repairs", "unit": unit, "form": form, "coverage": selectors.coverage_now(unit)}
    return render(request, "console/repairs/new.html", context)


@staff_view(WORK, "warranty.view_warrantyclaim")
@require_POST
def claim_repair(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Open the repair order of an approved claim."""
    claim = selectors.claims_visible_to(request.user).filter(pk=claim_id).first()
    if claim is None:
        raise Http404(_("No such claim."))
    try:
        order = services.repair_open(actor=request.user, unit=claim.unit, claim=claim)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        _refused(request, failure)
        return redirect("console:warranty_claim", claim_id=claim.pk)
    messages.success(request, _("Repair order %(reference)s opened.") % {"reference": order.reference})
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW, WORK)
@require_POST
def repair_diagnose(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    try:
        services.repair_diagnose(actor=request.user, order=order, diagnosis=request.POST.get("diagnosis", ""))  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("The diagnosis was recorded."))
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW, WORK)
@require_POST
def repair_part_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    form = PartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("console:repair", order_id=order.pk)
    try:
        services.repair_part_add(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            part=form.cleaned_data["part"],
            quantity=form.cleaned_data["quantity"],
            covered=_covered(form.cleaned_data["covered"]),
        )
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("The part was taken from stock and added."))
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW, WORK)
@require_POST
def repair_labour_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    form = LabourLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("console:repair", order_id=order.pk)
    try:
        services.repair_labour_add(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            minutes=form.cleaned_data["minutes"],
            description=form.cleaned_data["description"],
            covered=_covered(form.cleaned_data["covered"]),
        )
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("The labour was added."))
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW, WORK)
@require_POST
def repair_line_remove(request: HttpRequest, order_id: int, line_id: int) -> HttpResponse:
    order = _order(request, order_id)
    try:
        services.repair_line_remove(actor=request.user, order=order, line_id=line_id)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("The line was removed; its parts went back to stock."))
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW, WORK)
@require_POST
def repair_quote_send(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    try:
        services.repair_quote_send(actor=request.user, order=order)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("The quote was sent to the customer."))
    return redirect("console:repair", order_id=order.pk)


@staff_view(VIEW, WORK)
@require_POST
def repair_quote_answer(request: HttpRequest, order_id: int) -> HttpResponse:
    """Record the customer's answer given by phone or at the counter."""
    order = _order(request, order_id)
    number = request.POST.get("quote") or ""
    quote = order.quotes.filter(pk=int(number) if number.isdigit() else 0).first()
    if quote is None:
        raise Http404(_("No such quote."))
    try:
        services.repair_quote_decide(
            actor=request.user,  # type: ignore[arg-type]
            quote=quote,
            approve=request.POST.get("approve") == "1",
            via=QuoteChannel.STAFF,
        )
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, _("The customer's answer was recorded."))
    return redirect("console:repair", order_id=order.pk)


@staff_view("catalog.view_part")
def parts(request: HttpRequest) -> HttpResponse:
    """List the spare parts with their stock on hand; parts at or below their reorder level are flagged."""
    text = request.GET.get("q", "")
    low = request.GET.get("low") == "1"
    context = {
        "section": "parts",
        "page": page_of(request, selectors_repairs.parts_catalogue(text=text, low_only=low)),
        "q": text,
        "low": low,
        "receive_form": ReceiveForm(),
        "can_receive": request.user.has_perm("catalog.change_part"),
    }
    return render(request, "console/repairs/parts.html", context)


@staff_view("catalog.view_part", "catalog.change_part")
@require_POST
def part_receive(request: HttpRequest, part_id: int) -> HttpResponse:
    part = Part.objects.filter(pk=part_id).first()
    if part is None:
        raise Http404(_("No such part."))
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter how many parts were received."))
        return redirect("console:parts")
    part = part_stock_receive(
        actor=request.user,  # type: ignore[arg-type]
        part=part,
        quantity=form.cleaned_data["quantity"],
        reference=form.cleaned_data["reference"],
    )
    messages.success(request, _("%(sku)s: %(count)s in stock.") % {"sku": part.sku, "count": part.stock_on_hand})
    return redirect("console:parts")
