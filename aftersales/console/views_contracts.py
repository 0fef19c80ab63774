"""Console screens of maintenance contracts: the list, a contract with its visits, billing and figures, the
contract form, and the opportunities page for reps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.console.access import staff_view
from aftersales.console.views.common import page_of, refused
from aftersales.contracts import selectors, services
from aftersales.contracts.models import (
    BillingLine,
    BillingPeriod,
    ContractPlan,
    ContractStatus,
    MaintenanceContract,
    RepairCover,
)
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_search, customers_visible_to
from aftersales.sales.models import Unit, UnitStatus
from aftersales.sales.selectors import units_visible_to

VIEW = "contracts.view_maintenancecontract"
SELL = "contracts.sell_maintenancecontract"
MANAGE = "contracts.manage_maintenancecontract"


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("AMC- number, customer or serial"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    ending = forms.IntegerField(label=gettext_lazy("Ending within (days)"), required=False, min_value=0, max_value=3650)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("Any")), *ContractStatus.choices]


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.product.name} · {obj.serial}"


class ContractForm(forms.Form):
    units = UnitChoiceField(
        label=gettext_lazy("Units covered"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Plan"),
        queryset=ContractPlan.objects.none(),
        required=False,
        help_text=gettext_lazy("Terms left empty below are taken from the plan."),
    )
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    months = forms.IntegerField(label=gettext_lazy("Term (months)"), required=False, min_value=1, max_value=120)
    price = forms.DecimalField(label=gettext_lazy("Price for the term"), required=False, max_digits=12, decimal_places=2)
    billing_period = forms.ChoiceField(label=gettext_lazy("Billing period"), required=False)
    visit_every_months = forms.IntegerField(
        label=gettext_lazy("A maintenance visit every (months)"), required=False, min_value=1, max_value=120
    )
    response_hours = forms.IntegerField(label=gettext_lazy("First response within (working hours)"), required=False, min_value=1)
    repair_cover = forms.ChoiceField(label=gettext_lazy("Repairs covered"), required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    activate = forms.BooleanField(
        label=gettext_lazy("Signed: activate it now"),
        required=False,
        help_text=gettext_lazy("Leave unticked to keep it as a proposal (a draft)."),
    )

    def __init__(self, *args: Any, customer: Customer, draft: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = Unit.objects.filter(customer=customer, status=UnitStatus.IN_SERVICE).select_related("product")
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = ContractPlan.objects.filter(active=True)
        billing, cover = self.fields["billing_period"], self.fields["repair_cover"]
        assert isinstance(billing, forms.ChoiceField) and isinstance(cover, forms.ChoiceField)
        billing.choices = [("", _("From the plan (yearly without one)")), *BillingPeriod.choices]
        cover.choices = [("", _("From the plan (parts and labour without one)")), *RepairCover.choices]
        if not draft:
            del self.fields["activate"]


class RenewForm(forms.Form):
    price = forms.DecimalField(
        label=gettext_lazy("Price of the next period"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Empty: the same price."),
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=gettext_lazy("Payment reference"), required=False, max_length=100)


def _contract(request: HttpRequest, contract_id: int) -> MaintenanceContract:
    contract = selectors.contracts_visible_to(request.user).filter(pk=contract_id).first()
    if contract is None:
        raise Http404(_("No such contract."))
    return contract


@staff_view(VIEW)
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    contracts = selectors.contracts_filtered(
        selectors.contracts_visible_to(request.user),
        status=filters.get("status", ""),
        text=filters.get("q", ""),
        ending_within_days=filters.get("ending"),
    ).prefetch_related("units", "units__product")
    context = {"section": "contracts", "form": form, "page": page_of(request, contracts), "statuses": ContractStatus.choices}
    return render(request, "console/contracts/list.html", context)


@staff_view(VIEW)
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    context = {
        "section": "contracts",
        "contract": contract,
        "units": list(contract.units.select_related("product").order_by("pk")),
        "visits": list(contract.visits.select_related("work_order", "work_order__assignee").order_by("due_on")),
        "lines": list(contract.billing_lines.order_by("due_on", "pk")),
        "figures": selectors.contract_figures(contract),
        "next_period": MaintenanceContract.objects.filter(previous=contract).first(),
        "renew_form": RenewForm(),
        "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    return render(request, "console/contracts/detail.html", context)


def _contract_values(form: ContractForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "starts_on": data["starts_on"],
        "months": data["months"],
        "price": data["price"],
        "billing_period": data["billing_period"] or None,
        "visit_every_months": data["visit_every_months"],
        "response_hours": data["response_hours"],
        "repair_cover": data["repair_cover"] or None,
        "notes": data["notes"],
    }


@staff_view(VIEW, SELL, "contracts.add_maintenancecontract", "customers.view_customer")
def contract_new(request: HttpRequest) -> HttpResponse:
    """Draft a contract for a customer (``?customer=<id>``, or ``?unit=<id>`` from an opportunity); search one first."""
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = units_visible_to(request.user).filter(pk=int(request.GET["unit"])).first()
    customer = unit.customer if unit is not None else None
    if customer is None and request.GET.get("customer", "").isdigit():
        customer = customers_visible_to(request.user).filter(pk=int(request.GET["customer"])).first()
    if customer is None:
        text = request.GET.get("q", "")
        found = customer_search(queryset=customers_visible_to(request.user), text=text)[:20] if text.strip() else []
        return render(request, "console/contracts/choose_customer.html", {"section": "contracts", "q": text, "found": found})
    initial = {"starts_on": timezone.localdate(), "units": [unit.pk] if unit else []}
    form = ContractForm(request.POST or None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _contract_values(form)
        try:
            contract = services.contract_create(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                units=form.cleaned_data["units"],
                plan=form.cleaned_data["plan"],
                activate=form.cleaned_data["activate"],
                **values,
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Contract %(reference)s saved.") % {"reference": contract.reference})
            return redirect("console:contract", contract_id=contract.pk)
    context = {"section": "contracts", "customer": customer, "form": form, "contract": None}
    return render(request, "console/contracts/form.html", context)


@staff_view(VIEW, SELL, "contracts.change_maintenancecontract")
def contract_edit(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    if contract.status != ContractStatus.DRAFT:
        messages.error(request, _("Only a draft contract can be changed."))
        return redirect("console:contract", contract_id=contract.pk)
    initial = {
        "units": list(contract.units.values_list("pk", flat=True)),
        "plan": contract.plan_id,
        **{
            name: getattr(contract, name)
            for name in (
                "starts_on",
                "months",
                "price",
                "billing_period",
                "visit_every_months",
                "response_hours",
                "repair_cover",
                "notes",
            )
        },
    }
    form = ContractForm(request.POST or None, customer=contract.customer, draft=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _contract_values(form)
        data = {name: value for name, value in values.items() if value is not None}
        data.update({name: values[name] for name in ("visit_every_months", "response_hours")})
        try:
            services.contract_update(actor=request.user, contract=contract, units=form.cleaned_data["units"], data=data)  # type: ignore[arg-type]
        except (ValidationFailed, Conflict) as failure:
            if isinstance(failure, ValidationFailed):
                errors_attach(form, failure)
            else:
                refused(request, failure)
        else:
            messages.success(request, _("Contract %(reference)s saved.") % {"reference": contract.reference})
            return redirect("console:contract", contract_id=contract.pk)
    context = {"section": "contracts", "customer": contract.customer, "form": form, "contract": contract}
    return render(request, "console/contracts/form.html", context)


@staff_view(VIEW, SELL)
@require_POST
def contract_activate(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    try:
        services.contract_activate(actor=request.user, contract=contract)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The contract is active."))
    return redirect("console:contract", contract_id=contract.pk)


@staff_view(VIEW, SELL)
@require_POST
def contract_renew(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    form = RenewForm(request.POST)
    price = form.cleaned_data["price"] if form.is_valid() else None
    try:
        following = services.contract_renew(actor=request.user, contract=contract, price=price)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
        return redirect("console:contract", contract_id=contract.pk)
    messages.success(request, _("Renewed: %(reference)s is the next period.") % {"reference": following.reference})
    return redirect("console:contract", contract_id=following.pk)


@staff_view(VIEW, MANAGE)
@require_POST
def contract_cancel(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    try:
        services.contract_cancel(actor=request.user, contract=contract, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The contract was cancelled."))
    return redirect("console:contract", contract_id=contract.pk)


@staff_view(VIEW, MANAGE)
@require_POST
def billing_line_payment(request: HttpRequest, contract_id: int, line_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    line = BillingLine.objects.filter(contract=contract, pk=line_id).first()
    if line is None:
        raise Http404(_("No such billing line."))
    form = PaymentForm(request.POST)
    paid = request.POST.get("paid", "1") == "1"
    if not form.is_valid():
        messages.error(
            request, "; ".join(f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items())
        )
        return redirect("console:contract", contract_id=contract.pk)
    try:
        services.billing_line_record_payment(
            actor=request.user,  # type: ignore[arg-type]
            line=line,
            paid=paid,
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
        )
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The payment was recorded.") if paid else _("The payment record was removed."))
    return redirect("console:contract", contract_id=contract.pk)


@staff_view(VIEW, "sales.view_unit")
def opportunities(request: HttpRequest) -> HttpResponse:
    """List units whose standard warranty ends soon without a contract: the rep's own customers first."""
    units = selectors.contract_opportunities(request.user)
    context = {"section": "contract_opportunities", "page": page_of(request, units), "days": selectors.opportunity_days()}
    return render(request, "console/contracts/opportunities.html", context)
