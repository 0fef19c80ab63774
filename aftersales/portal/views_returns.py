"""Portal screens of returns: see what the policy says, start a return or exchange of one of my products, follow my returns."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view
from aftersales.sales.selectors import units_of_customer
from aftersales.warranty import services
from aftersales.warranty.models import ReturnCondition, ReturnRequest, ReturnStatus, ReturnWish
from aftersales.warranty.policies import customer_today, evaluation_explain, return_policy_evaluate
from aftersales.warranty.selectors_returns import return_history


class ReturnForm(forms.Form):
    wish = forms.ChoiceField(label=gettext_lazy("What would you like?"), choices=ReturnWish.choices, widget=forms.RadioSelect)
    condition = forms.ChoiceField(label=gettext_lazy("What condition is it in?"), choices=ReturnCondition.choices)
    reason = forms.CharField(
        label=gettext_lazy("Tell us why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _returns(customer: Customer) -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(customer=customer).select_related("unit", "unit__product", "exchange_sale")


@portal_view
def return_new(request: HttpRequest, customer: Customer, unit_id: int) -> HttpResponse:
    """Show what the policy allows for one of my products, then open the return or exchange."""
    unit = units_of_customer(customer=customer).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such product."))
    form = ReturnForm(request.POST or request.GET or None)
    evaluation = None
    if form.is_bound and form.is_valid():
        evaluation = return_policy_evaluate(
            unit=unit, on=customer_today(customer), condition=form.cleaned_data["condition"], wish=form.cleaned_data["wish"]
        )
        if request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                rma = services.return_request_open(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    wish=form.cleaned_data["wish"],
                    condition=form.cleaned_data["condition"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationFailed as failure:
                for error in failure.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.reason)
            else:
                if rma.status == ReturnStatus.AUTHORISED:
                    messages.success(request, _("Your return %(reference)s is authorised.") % {"reference": rma.reference})
                else:
                    messages.success(
                        request, _("Your request %(reference)s was sent to our team.") % {"reference": rma.reference}
                    )
                return redirect("portal:return", return_id=rma.pk)
    context = {"section": "returns", "unit": unit, "form": form, "evaluation": evaluation}
    return render(request, "portal/returns/new.html", context)


@portal_view
def return_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    return render(request, "portal/returns/list.html", {"section": "returns", "returns": _returns(customer)})


@portal_view
def return_detail(request: HttpRequest, customer: Customer, return_id: int) -> HttpResponse:
    rma = _returns(customer).filter(pk=return_id).first()
    if rma is None:
        raise Http404(_("No such return."))
    history = [
        (event, ReturnStatus(event.status_to).label if event.status_to in ReturnStatus.values else event.kind)
        for event in return_history(rma)
    ]
    context = {
        "section": "returns",
        "rma": rma,
        "explanation": evaluation_explain(rma.evaluation, customer.language),
        "history": history,
    }
    return render(request, "portal/returns/detail.html", context)


@portal_view
@require_POST
def return_cancel(request: HttpRequest, customer: Customer, return_id: int) -> HttpResponse:
    rma = _returns(customer).filter(pk=return_id).first()
    if rma is None:
        raise Http404(_("No such return."))
    try:
        services.return_request_cancel(actor=request.user, request=rma)  # type: ignore[arg-type]
    except Conflict:
        messages.error(request, _("We already have the goods: this return can no longer be withdrawn."))
    else:
        messages.success(request, _("Your return was withdrawn."))
    return redirect("portal:return", return_id=rma.pk)
