"""Console screens of the warranty: the claim queue, a claim with its decision, starting a claim, the unit's panel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.console.access import staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.views.common import form_ticket, page_of, refused
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to
from aftersales.warranty import selectors, services
from aftersales.warranty.coverage import coverage_on
from aftersales.warranty.models import ClaimStatus, DecisionReason, FaultCode, WarrantyClaim
from aftersales.warranty.services import APPROVAL_REASONS, REJECTION_REASONS

VIEW = "warranty.view_warrantyclaim"
DECIDE = "warranty.decide_warrantyclaim"


class ClaimFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("Serial, customer or WC- number"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *ClaimStatus.choices]


class ClaimForm(forms.Form):
    fault_code = forms.ChoiceField(label=gettext_lazy("Fault"), choices=FaultCode.choices)
    fault_description = forms.CharField(label=gettext_lazy("What happens"), widget=forms.Textarea(attrs={"rows": 5}))
    claimed_on = forms.DateField(
        label=gettext_lazy("Claim date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty for today; the day the customer reported the fault."),
    )
    receipt = forms.FileField(
        label=gettext_lazy("Receipt"), required=False, help_text=gettext_lazy("A photo or PDF, when no sale is on record.")
    )
    ticket = forms.IntegerField(label=gettext_lazy("Ticket number"), required=False, min_value=1)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(ClaimStatus.APPROVED, ClaimStatus.APPROVED.label), (ClaimStatus.REJECTED, ClaimStatus.REJECTED.label)],
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[(code, DecisionReason(code).label) for code in dict.fromkeys([*APPROVAL_REASONS, *REJECTION_REASONS])],
    )
    text = forms.CharField(label=gettext_lazy("Note to the customer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendedWarrantyForm(forms.Form):
    months = forms.IntegerField(label=gettext_lazy("Months"), min_value=1, max_value=120)
    price = forms.DecimalField(label=gettext_lazy("Price"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    sale_reference = forms.CharField(label=gettext_lazy("Sale reference"), max_length=64, required=False)


class ExclusionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What voids the warranty"), max_length=500)
    effective_on = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty for today."),
    )


def unit_warranty(unit: Unit) -> dict[str, Any]:
    """Return what the unit page's warranty panel shows: the cover today, the unit's claims and the forms."""
    return {
        "coverage": selectors.coverage_now(unit),
        "claims": list(WarrantyClaim.objects.filter(unit=unit).order_by("-created_at", "-id")[:10]),
        "extended": list(unit.extended_warranties.order_by("id")),
        "exclusions": list(unit.warranty_exclusions.order_by("effective_on", "id")),
        "extended_form": ExtendedWarrantyForm(),
        "exclusion_form": ExclusionForm(),
    }


def _claim(request: HttpRequest, claim_id: int) -> WarrantyClaim:
    claim = selectors.claims_visible_to(request.user).filter(pk=claim_id).first()
    if claim is None:
        raise Http404(_("No such claim."))
    return claim


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such unit."))
    return unit


@staff_view(VIEW)
def claim_queue(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    claims = selectors.claims_filtered(
        selectors.claims_visible_to(request.user), status=filters.get("status", ""), text=filters.get("q", "")
    )
    context = {"section": "warranty", "form": form, "page": page_of(request, claims), "statuses": ClaimStatus.choices}
    return render(request, "console/warranty/claims.html", context)


@staff_view(VIEW)
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    context = {
        "section": "warranty",
        "claim": claim,
        "coverage": coverage_on(unit=claim.unit, on=claim.claimed_on),
        "history": selectors.claim_history_described(claim),
        "decide_form": DecideForm(),
    }
    return render(request, "console/warranty/claim.html", context)


@staff_view("warranty.add_warrantyclaim", "sales.view_unit")
def claim_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Start a claim for a unit, directly or from a ticket (``?ticket=<number>``)."""
    unit = _unit(request, unit_id)
    form = ClaimForm(request.POST or None, request.FILES or None, initial={"ticket": request.GET.get("ticket")})
    if request.method == "POST" and form.is_valid():
        ticket = form_ticket(request, form)
        if not form.errors:
            try:
                claim = services.claim_submit(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    fault_code=form.cleaned_data["fault_code"],
                    fault_description=form.cleaned_data["fault_description"],
                    claimed_on=form.cleaned_data["claimed_on"],
                    receipt=form.cleaned_data["receipt"],
                    ticket=ticket,
                )
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(
                    request,
                    _("Claim %(reference)s: %(status)s.") % {"reference": claim.reference, "status": claim.get_status_display()},
                )
                return redirect("console:warranty_claim", claim_id=claim.pk)
    context = {"section": "warranty", "unit": unit, "form": form, "coverage": selectors.coverage_now(unit)}
    return render(request, "console/warranty/claim_new.html", context)


@staff_view(VIEW, DECIDE)
@require_POST
def claim_decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and a reason."))
        return redirect("console:warranty_claim", claim_id=claim.pk)
    try:
        services.claim_decide(actor=request.user, claim=claim, **form.cleaned_data)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The decision was recorded and the customer told."))
    return redirect("console:warranty_claim", claim_id=claim.pk)


@staff_view(VIEW, DECIDE)
@require_POST
def claim_verify(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    try:
        services.claim_verify_receipt(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            valid=request.POST.get("valid") == "1",
            text=request.POST.get("text", ""),
        )
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The receipt check was recorded."))
    return redirect("console:warranty_claim", claim_id=claim.pk)


@staff_view(VIEW, "warranty.change_warrantyclaim")
@require_POST
def claim_cancel(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    try:
        services.claim_cancel(actor=request.user, claim=claim, text=request.POST.get("text", ""))  # type: ignore[arg-type]
    except Conflict as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The claim was cancelled."))
    return redirect("console:warranty_claim", claim_id=claim.pk)


@staff_view(VIEW)
def claim_receipt(request: HttpRequest, claim_id: int) -> FileResponse:
    claim = _claim(request, claim_id)
    if not claim.has_receipt:
        raise Http404(_("This claim has no receipt."))
    response = FileResponse(claim.receipt_file.open("rb"), filename=f"{claim.reference}-receipt")
    response["Content-Type"] = claim.receipt_content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@staff_view("sales.view_unit", "warranty.add_extendedwarranty")
@require_POST
def unit_extended(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    form = ExtendedWarrantyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect("console:unit", unit_id=unit.pk)
    try:
        services.extended_warranty_sell(actor=request.user, unit=unit, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The extended warranty was recorded."))
    return redirect("console:unit", unit_id=unit.pk)


@staff_view("sales.view_unit", "warranty.add_exclusion")
@require_POST
def unit_exclusion(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect("console:unit", unit_id=unit.pk)
    try:
        services.exclusion_add(actor=request.user, unit=unit, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The exclusion was recorded."))
    return redirect("console:unit", unit_id=unit.pk)
