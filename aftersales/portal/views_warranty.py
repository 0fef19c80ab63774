"""Portal screens of the warranty: start a claim for one of my products, follow my claims, the public check."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.core.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view
from aftersales.sales.selectors import units_of_customer
from aftersales.warranty import selectors, services
from aftersales.warranty.coverage import coverage_on
from aftersales.warranty.models import FaultCode, WarrantyClaim
from aftersales.warranty.public import warranty_check_public


class ClaimForm(forms.Form):
    fault_code = forms.ChoiceField(label=gettext_lazy("What is wrong?"), choices=FaultCode.choices)
    fault_description = forms.CharField(
        label=gettext_lazy("Tell us what happens"), max_length=services.DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    receipt = forms.FileField(
        label=gettext_lazy("Photo or PDF of your receipt"),
        required=False,
        help_text=gettext_lazy("We have no purchase on record for this product: your receipt proves it is under warranty."),
    )


class CheckForm(forms.Form):
    serial = forms.CharField(label=gettext_lazy("Serial number"), max_length=64)
    proof = forms.CharField(
        label=gettext_lazy("Receipt number or your email address"),
        max_length=254,
        help_text=gettext_lazy("As on your receipt, or the email address you gave us when you bought."),
    )


def _claims(customer: Customer) -> QuerySet[WarrantyClaim]:
    return WarrantyClaim.objects.filter(customer=customer).select_related("unit", "unit__product")


@portal_view
def claim_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    return render(request, "portal/claims.html", {"section": "claims", "claims": _claims(customer)})


@portal_view
def claim_detail(request: HttpRequest, customer: Customer, claim_id: int) -> HttpResponse:
    claim = _claims(customer).filter(pk=claim_id).first()
    if claim is None:
        raise Http404(_("No such claim."))
    context = {
        "section": "claims",
        "claim": claim,
        "coverage": coverage_on(unit=claim.unit, on=claim.claimed_on),
        "history": selectors.claim_history_described(claim),
    }
    return render(request, "portal/claim.html", context)


@portal_view
def claim_new(request: HttpRequest, customer: Customer, unit_id: int) -> HttpResponse:
    unit = units_of_customer(customer=customer).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such product."))
    needs_receipt = unit.sale_line_id is None
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if needs_receipt and not form.cleaned_data["receipt"]:
            form.add_error("receipt", _("Please add a photo or PDF of your receipt."))
        else:
            try:
                claim = services.claim_submit(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    fault_code=form.cleaned_data["fault_code"],
                    fault_description=form.cleaned_data["fault_description"],
                    receipt=form.cleaned_data["receipt"],
                )
            except ValidationFailed as failure:
                for error in failure.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.reason)
            else:
                messages.success(request, _("Your claim %(reference)s was received.") % {"reference": claim.reference})
                return redirect("portal:claim", claim_id=claim.pk)
    context = {
        "section": "claims",
        "unit": unit,
        "form": form,
        "needs_receipt": needs_receipt,
        "coverage": selectors.coverage_now(unit),
    }
    return render(request, "portal/claim_new.html", context)


@portal_view
@require_POST
def claim_cancel(request: HttpRequest, customer: Customer, claim_id: int) -> HttpResponse:
    claim = _claims(customer).filter(pk=claim_id).first()
    if claim is None:
        raise Http404(_("No such claim."))
    try:
        services.claim_cancel(actor=request.user, claim=claim)  # type: ignore[arg-type]
    except Conflict:
        messages.error(request, _("This claim was already decided and can no longer be withdrawn."))
    else:
        messages.success(request, _("Your claim was withdrawn."))
    return redirect("portal:claim", claim_id=claim.pk)


def warranty_check(request: HttpRequest) -> HttpResponse:
    """Check a product's warranty by serial number and proof of purchase, without signing in."""
    form = CheckForm(request.POST or None)
    context: dict[str, object] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            answer = warranty_check_public(
                serial=form.cleaned_data["serial"], proof=form.cleaned_data["proof"], address=request.META.get("REMOTE_ADDR", "")
            )
        except TooManyRequests as refused:
            form.add_error(None, str(refused.message))
            status = 429
        except NotFound as missing:
            form.add_error(None, str(missing.message))
            status = 404
        else:
            context["answer"] = answer
    return render(request, "portal/warranty_check.html", context, status=status)
