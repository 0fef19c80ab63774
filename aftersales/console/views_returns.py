"""Console screens of returns and replacements: the RMA list and detail with its actions, starting a return,
the return policies, replacing a unit, and the cost-of-after-sales report."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category, Product
from aftersales.console.access import forbidden, staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.views.common import page_of, refused
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import SPANISH_HELP
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to
from aftersales.warranty import selectors, selectors_returns, services
from aftersales.warranty.api_costs import period_parse
from aftersales.warranty.models import (
    CostKind,
    CostSource,
    RefundMethod,
    ReplacementReason,
    ReturnCondition,
    ReturnPolicy,
    ReturnRequest,
    ReturnStatus,
    ReturnWish,
    WarrantyClaim,
)
from aftersales.warranty.policies import customer_today, evaluation_explain, return_policy_evaluate
from aftersales.warranty.selectors_costs import GROUPINGS, cost_summary, costs_in_period

VIEW = "warranty.view_returnrequest"


# --- Forms ---------------------------------------------------------------------------------------


class ReturnFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("Serial, customer or RMA- number"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    wish = forms.ChoiceField(label=gettext_lazy("Wish"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), ("open", _("Open")), *ReturnStatus.choices]
        self.fields["wish"].choices = [("", _("Any")), *ReturnWish.choices]


class ReturnNewForm(forms.Form):
    wish = forms.ChoiceField(label=gettext_lazy("The customer wants"), choices=ReturnWish.choices)
    condition = forms.ChoiceField(label=gettext_lazy("Condition"), choices=ReturnCondition.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    exchange_product = forms.ModelChoiceField(
        label=gettext_lazy("Exchange for"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("Empty for the same product."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReceiveForm(NoteForm):
    logistics_cost = forms.DecimalField(
        label=gettext_lazy("Collection cost"), required=False, min_value=0, max_digits=12, decimal_places=2
    )


class InspectForm(forms.Form):
    condition_found = forms.ChoiceField(label=gettext_lazy("Condition found"), choices=ReturnCondition.choices)
    accept = forms.TypedChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[("1", gettext_lazy("Accept the return")), ("0", gettext_lazy("Refuse it"))],
        coerce=lambda value: value == "1",
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required when you refuse it: the customer reads it."),
    )


class RefundForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=RefundMethod.choices)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Empty for the price paid less the restocking fee."),
    )
    reference = forms.CharField(label=gettext_lazy("Payment reference"), required=False, max_length=100)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class ExchangeForm(forms.Form):
    new_serial = forms.CharField(label=gettext_lazy("Serial of the new unit"), max_length=64)
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("Empty for the product asked for, else the same one."),
    )
    unit_price = forms.DecimalField(
        label=gettext_lazy("Price"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Empty for the price paid for the returned unit."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class ReplaceForm(forms.Form):
    new_serial = forms.CharField(label=gettext_lazy("Serial of the new unit"), max_length=64)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=ReplacementReason.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)
    unit_cost = forms.DecimalField(
        label=gettext_lazy("Cost of the new unit"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Empty for the price paid for the replaced unit."),
    )
    logistics_cost = forms.DecimalField(
        label=gettext_lazy("Delivery and collection cost"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    covered = forms.BooleanField(label=gettext_lazy("Borne by the company"), required=False, initial=True)


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_es = forms.CharField(label=gettext_lazy("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.all(), required=False)
    return_window_days = forms.IntegerField(label=gettext_lazy("Return window (days)"), min_value=0, max_value=365)
    exchange_window_days = forms.IntegerField(label=gettext_lazy("Exchange window (days)"), min_value=0, max_value=365)
    refund_methods = forms.MultipleChoiceField(
        label=gettext_lazy("Refund methods"), choices=RefundMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    fee_on_exchange = forms.BooleanField(label=gettext_lazy("Restocking fee on exchanges too"), required=False)
    notes = forms.CharField(label=gettext_lazy("Notes for staff"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, policy: ReturnPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if policy is not None and policy.is_default:
            del self.fields["category"]
        rules = {row.condition: row for row in policy.conditions.all()} if policy else {}
        self.condition_rows = []
        for code, label in ReturnCondition.choices:
            row = rules.get(code)
            names = {}
            for suffix, field in (
                ("accepts_return", forms.BooleanField(label=gettext_lazy("Refund"), required=False)),
                ("accepts_exchange", forms.BooleanField(label=gettext_lazy("Exchange"), required=False)),
                (
                    "fee_percent",
                    forms.DecimalField(label=gettext_lazy("Fee %"), min_value=0, max_value=100, decimal_places=2, initial=0),
                ),
                ("fee_flat", forms.DecimalField(label=gettext_lazy("Flat fee"), min_value=0, decimal_places=2, initial=0)),
            ):
                name = f"{code}__{suffix}"
                self.fields[name] = field
                if row is not None:
                    self.initial.setdefault(name, getattr(row, suffix))
                elif suffix.startswith("accepts"):
                    self.initial.setdefault(name, code != ReturnCondition.DAMAGED_BY_CUSTOMER)
                names[suffix] = name
            self.condition_rows.append(
                (label, [self[names[s]] for s in ("accepts_return", "accepts_exchange", "fee_percent", "fee_flat")])
            )

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {
            code: {
                suffix: self.cleaned_data.get(f"{code}__{suffix}")
                for suffix in ("accepts_return", "accepts_exchange", "fee_percent", "fee_flat")
            }
            for code in ReturnCondition.values
        }


class CostFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=list(GROUPINGS.items()), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.all(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("Any")), *CostSource.choices]
        self.fields["kind"].choices = [("", _("Any")), *CostKind.choices]


# --- Helpers -------------------------------------------------------------------------------------


def _return(request: HttpRequest, return_id: int) -> ReturnRequest:
    found = selectors_returns.returns_visible_to(request.user).filter(pk=return_id).first()
    if found is None:
        raise Http404(_("No such return."))
    return found


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such unit."))
    return unit


def _formrefused(request: HttpRequest, form: forms.Form) -> None:
    messages.error(request, "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))


# --- Return requests -----------------------------------------------------------------------------


@staff_view(VIEW)
def return_list(request: HttpRequest) -> HttpResponse:
    form = ReturnFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = selectors_returns.returns_filtered(
        selectors_returns.returns_visible_to(request.user),
        status=filters.get("status", ""),
        wish=filters.get("wish", ""),
        text=filters.get("q", ""),
    )
    context = {"section": "returns", "form": form, "page": page_of(request, found), "statuses": ReturnStatus.choices}
    return render(request, "console/returns/list.html", context)


@staff_view(VIEW)
def return_detail(request: HttpRequest, return_id: int) -> HttpResponse:
    rma = _return(request, return_id)
    context = {
        "section": "returns",
        "rma": rma,
        "explanation": evaluation_explain(rma.evaluation),
        "history": [
            (event, ReturnStatus(event.status_to).label if event.status_to in ReturnStatus.values else event.kind)
            for event in selectors_returns.return_history(rma)
        ],
        "note_form": NoteForm(),
        "receive_form": ReceiveForm(),
        "inspect_form": InspectForm(initial={"condition_found": rma.condition}),
        "refund_form": RefundForm(initial={"method": (rma.evaluation.get("refund_methods") or [""])[0]}),
        "exchange_form": ExchangeForm(),
    }
    return render(request, "console/returns/detail.html", context)


@staff_view(VIEW, "warranty.add_returnrequest", "sales.view_unit")
def return_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Start a return or exchange for a unit, showing the policy's answer before it is opened."""
    unit = _unit(request, unit_id)
    form = ReturnNewForm(request.POST or request.GET or None)
    evaluation = None
    if form.is_bound and form.is_valid():
        evaluation = return_policy_evaluate(
            unit=unit, on=customer_today(unit.customer), condition=form.cleaned_data["condition"], wish=form.cleaned_data["wish"]
        )
        if request.method == "POST":
            try:
                rma = services.return_request_open(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    wish=form.cleaned_data["wish"],
                    condition=form.cleaned_data["condition"],
                    reason=form.cleaned_data["reason"],
                    exchange_product=form.cleaned_data["exchange_product"],
                )
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(
                    request, _("%(reference)s: %(status)s.") % {"reference": rma.reference, "status": rma.get_status_display()}
                )
                return redirect("console:return", return_id=rma.pk)
    context = {"section": "returns", "unit": unit, "form": form, "evaluation": evaluation}
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        return render(request, "console/returns/_evaluation.html", context)
    return render(request, "console/returns/new.html", context)


# Each action: the permission it needs, its form, the service, and what the person is told.
def _act_authorise(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_authorise(actor=request.user, request=rma, note=data["note"])  # type: ignore[arg-type]


def _act_reject(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_reject(actor=request.user, request=rma, note=data["note"])  # type: ignore[arg-type]


def _act_cancel(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_cancel(actor=request.user, request=rma, note=data["note"])  # type: ignore[arg-type]


def _act_close(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_close(actor=request.user, request=rma, note=data["note"])  # type: ignore[arg-type]


def _act_receive(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_receive(actor=request.user, request=rma, **data)  # type: ignore[arg-type]


def _act_inspect(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_inspect(actor=request.user, request=rma, **data)  # type: ignore[arg-type]


def _act_refund(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_refund(actor=request.user, request=rma, **data)  # type: ignore[arg-type]


def _act_exchange(request: HttpRequest, rma: ReturnRequest, data: dict[str, Any]) -> Any:
    return services.return_request_exchange(actor=request.user, request=rma, **data)  # type: ignore[arg-type]


ACTIONS: dict[str, tuple[tuple[str, ...], type[forms.Form], Any, Any]] = {
    "authorise": (("warranty.authorise_returnrequest",), NoteForm, _act_authorise, gettext_lazy("The return was authorised.")),
    "reject": (("warranty.authorise_returnrequest",), NoteForm, _act_reject, gettext_lazy("The return was rejected.")),
    "cancel": (("warranty.change_returnrequest",), NoteForm, _act_cancel, gettext_lazy("The return was cancelled.")),
    "receive": (("warranty.change_returnrequest",), ReceiveForm, _act_receive, gettext_lazy("The goods were received.")),
    "inspect": (("warranty.inspect_returnrequest",), InspectForm, _act_inspect, gettext_lazy("The inspection was recorded.")),
    "refund": (("warranty.refund_returnrequest",), RefundForm, _act_refund, gettext_lazy("The refund was recorded.")),
    "exchange": (
        ("warranty.refund_returnrequest", "sales.add_sale"),
        ExchangeForm,
        _act_exchange,
        gettext_lazy("The exchange was recorded as a new sale."),
    ),
    "close": (("warranty.change_returnrequest",), NoteForm, _act_close, gettext_lazy("The return was closed.")),
}


@staff_view(VIEW)
@require_POST
def return_act(request: HttpRequest, return_id: int, action: str) -> HttpResponse:
    """Move a return on: authorise, reject, cancel, receive, inspect, refund, exchange or close it."""
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    perms, form_class, act, done = ACTIONS[action]
    if not request.user.has_perms(perms):
        return forbidden(request, _("Your role does not allow you to do this."))
    rma = _return(request, return_id)
    form = form_class(request.POST)
    if not form.is_valid():
        _formrefused(request, form)
    else:
        try:
            act(request, rma, dict(form.cleaned_data))
        except (ValidationFailed, Conflict) as failure:
            refused(request, failure)
        else:
            messages.success(request, str(done))
    return redirect("console:return", return_id=rma.pk)


# --- Policies ------------------------------------------------------------------------------------


@staff_view("warranty.view_returnpolicy")
def policy_list(request: HttpRequest) -> HttpResponse:
    services.return_policy_defaults_create()
    context = {
        "section": "return_policies",
        "policies": selectors_returns.return_policies(),
        "conditions": ReturnCondition.choices,
    }
    return render(request, "console/returns/policies.html", context)


@staff_view("warranty.view_returnpolicy", "warranty.change_returnpolicy", "warranty.add_returnpolicy")
def policy_edit(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    policy = None
    if policy_id is not None:
        policy = selectors_returns.return_policies().filter(pk=policy_id).first()
        if policy is None:
            raise Http404(_("No such return policy."))
    initial: dict[str, Any] = {}
    if policy is not None:
        initial = {
            "name": policy.name,
            "name_es": policy.name_es,
            "category": policy.category,
            "return_window_days": policy.return_window_days,
            "exchange_window_days": policy.exchange_window_days,
            "refund_methods": policy.refund_methods,
            "fee_on_exchange": policy.fee_on_exchange,
            "notes": policy.notes,
        }
    else:
        initial = {"return_window_days": 30, "exchange_window_days": 30, "refund_methods": ["original_payment", "store_credit"]}
    form = PolicyForm(request.POST or None, initial=initial, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.return_policy_save(
                actor=request.user,  # type: ignore[arg-type]
                policy=policy,
                category=form.cleaned_data.get("category"),
                name=form.cleaned_data["name"],
                name_es=form.cleaned_data["name_es"],
                return_window_days=form.cleaned_data["return_window_days"],
                exchange_window_days=form.cleaned_data["exchange_window_days"],
                refund_methods=form.cleaned_data["refund_methods"],
                fee_on_exchange=form.cleaned_data["fee_on_exchange"],
                conditions=form.conditions(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationFailed as failure:
            for error in failure.errors:
                name = error.field if error.field in form.fields else None
                if error.field.startswith("conditions."):
                    name = error.field.removeprefix("conditions.").replace(".", "__")
                form.add_error(name if name in form.fields else None, str(error.reason))
        else:
            name = saved.display_name(translation.get_language() or "en")
            messages.success(request, _("The return policy %(name)s was saved.") % {"name": name})
            return redirect("console:return_policies")
    context = {"section": "return_policies", "form": form, "policy": policy}
    return render(request, "console/returns/policy.html", context)


# --- Replacements --------------------------------------------------------------------------------


@staff_view("sales.view_unit", "warranty.add_replacement")
def unit_replace(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Swap a unit for a new serial, directly or from an approved claim (``?claim=<id>``)."""
    unit = _unit(request, unit_id)
    claim: WarrantyClaim | None = None
    claim_id = request.POST.get("claim") or request.GET.get("claim")
    if claim_id and str(claim_id).isdigit():
        claim = selectors.claims_visible_to(request.user).filter(pk=int(claim_id), unit=unit).first()
    reason = ReplacementReason.DELIVERY_DAMAGE if claim and claim.fault_code == "delivery_damage" else ReplacementReason.WARRANTY
    form = ReplaceForm(request.POST or None, initial={"reason": reason, "covered": True})
    if request.method == "POST" and form.is_valid():
        try:
            replacement = services.unit_replace(
                actor=request.user,  # type: ignore[arg-type]
                unit=unit,
                claim=claim,
                new_serial=form.cleaned_data["new_serial"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                unit_cost=form.cleaned_data["unit_cost"],
                logistics_cost=form.cleaned_data["logistics_cost"],
                covered=form.cleaned_data["covered"],
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(
                request,
                _("%(reference)s: serial %(old)s was replaced by %(new)s.")
                % {"reference": replacement.reference, "old": unit.serial, "new": replacement.new_unit.serial},
            )
            return redirect("console:unit", unit_id=replacement.new_unit_id)
    context = {
        "section": "units",
        "unit": unit,
        "claim": claim,
        "form": form,
        "rule": unit.product.get_replacement_warranty_display() or unit.product.category.get_replacement_warranty_display(),
        "coverage": selectors.coverage_now(unit),
    }
    return render(request, "console/returns/replace.html", context)


# --- Cost of after-sales -------------------------------------------------------------------------


@staff_view("warranty.view_costentry")
def cost_report(request: HttpRequest) -> HttpResponse:
    """Show what after-sales cost in a period, grouped, with a CSV of the rows or of every entry."""
    form = CostFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    start, end, _errors = period_parse(
        filters["start"].isoformat() if filters.get("start") else "", filters["end"].isoformat() if filters.get("end") else ""
    )
    if end < start:
        start, end = end, start
    category = filters.get("category")
    arguments = {
        "start": start,
        "end": end,
        "source": filters.get("source", ""),
        "kind": filters.get("kind", ""),
        "category_id": category.pk if category else None,
    }
    group_by = filters.get("group_by") or "product"
    report = cost_summary(group_by=group_by, language=translation.get_language() or "en", **arguments)
    export = request.GET.get("export")
    if export == "rows":
        return _rows_csv(report, group_by)
    if export == "entries":
        return _entries_csv(costs_in_period(**arguments))
    context = {"section": "costs", "form": form, "report": report, "group_label": GROUPINGS[group_by]}
    return render(request, "console/returns/costs.html", context)


def _csv_response(name: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    return response, csv.writer(response)


def _rows_csv(report: Any, group_by: str) -> HttpResponse:
    response, writer = _csv_response("after-sales-costs")
    writer.writerow([group_by, "label", "entries", "company_borne", "billed", "total", "units_sold", "per_unit_sold"])
    for row in report.rows:
        writer.writerow(
            [
                row.key,
                _cell(row.label),
                row.entries,
                row.company_borne,
                row.billed,
                row.total,
                "" if row.units_sold is None else row.units_sold,
                "" if row.per_unit_sold is None else row.per_unit_sold,
            ]
        )
    writer.writerow(["", "total", report.entries, report.company_borne, report.billed, report.total, "", ""])
    return response


def _entries_csv(entries: Any) -> HttpResponse:
    response, writer = _csv_response("after-sales-cost-entries")
    writer.writerow(
        ["incurred_on", "source", "reference", "kind", "amount", "currency", "borne_by_company", "sku", "serial", "note"]
    )
    for entry in entries.order_by("incurred_on", "id").iterator():
        writer.writerow(
            [
                entry.incurred_on.isoformat(),
                entry.source,
                _cell(entry.reference),
                entry.kind,
                entry.amount,
                entry.currency,
                "yes" if entry.covered else "no",
                entry.product.sku,
                entry.unit.serial if entry.unit_id else "",
                _cell(entry.note),
            ]
        )
    return response


def _cell(value: Any) -> Any:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: keep people's text inert.
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not isinstance(value, (int, Decimal)) else value
