"""Console screens of the loyalty programme: the overview with its members, the settings, tiers and earn rules,
and one customer's points (standing, statement, adjustment and redemption)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category
from aftersales.console.access import staff_view
from aftersales.console.views.common import page_of
from aftersales.core.errors import Conflict, FieldError, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_visible_to
from aftersales.loyalty import selectors, services
from aftersales.loyalty.models import EarnRule, EntryKind, Programme, Tier
from aftersales.loyalty.services import setup
from aftersales.sales.models import Sale

VIEW = "loyalty.view_pointsaccount"
MANAGE = "loyalty.manage_programme"
ADJUST = "loyalty.adjust_points"
REDEEM = "loyalty.redeem_points"


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "active",
            "starts_on",
            "currency",
            "points_per_unit",
            "point_value",
            "min_redemption",
            "expiry_months",
            "survey_bonus",
            "voucher_valid_days",
        ]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "starts_on": gettext_lazy("Sales dated before this day earn nothing. Empty: every sale."),
            "points_per_unit": gettext_lazy("Points for each whole currency unit spent; a sale's points are rounded down."),
            "point_value": gettext_lazy("What one point is worth when redeemed: 0.05 means 100 points = 5.00."),
            "expiry_months": gettext_lazy("Each earned entry lapses this many months after it was earned. Empty: never."),
        }


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = [
            "code",
            "name",
            "name_es",
            "min_spend",
            "multiplier",
            "first_response_hours",
            "resolution_hours",
            "free_visits_per_year",
        ]
        help_texts = {
            "min_spend": gettext_lazy("Sum of the customer's sales over the last 365 days."),
            "first_response_hours": gettext_lazy("Empty: the service desk's usual target. The stricter target always wins."),
        }


class EarnRuleForm(forms.ModelForm):
    class Meta:
        model = EarnRule
        fields = ["category", "multiplier", "extra_per_unit", "active"]
        help_texts = {
            "category": gettext_lazy("The rule covers this category and every category below it."),
            "multiplier": gettext_lazy("The programme's points per currency unit are multiplied by this."),
        }


class AdjustForm(forms.Form):
    points = forms.IntegerField(label=gettext_lazy("Points"), help_text=gettext_lazy("Positive to add, negative to take away."))
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class RedeemForm(forms.Form):
    points = forms.IntegerField(label=gettext_lazy("Points to redeem"), min_value=1)
    target = forms.ChoiceField(
        label=gettext_lazy("Redeem into"),
        choices=[("voucher", gettext_lazy("A voucher")), ("sale", gettext_lazy("A discount on a sale"))],
    )
    sale = forms.ModelChoiceField(label=gettext_lazy("Sale"), queryset=Sale.objects.none(), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sale = self.fields["sale"]
        assert isinstance(sale, forms.ModelChoiceField)
        sale.queryset = Sale.objects.filter(customer=customer).order_by("-sold_on", "-pk")


def _key() -> str:
    # A fresh key per form shown: a double submit of the same form is one write.
    return f"console:{secrets.token_urlsafe(16)}"


def _data(form: forms.ModelForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}  # type: ignore[attr-defined]


@staff_view(VIEW, "loyalty.view_programme")
def loyalty_overview(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    tier_id = int(request.GET["tier"]) if request.GET.get("tier", "").isdigit() else None
    context = {
        "section": "loyalty",
        "figures": selectors.overview(),
        "page": page_of(request, selectors.members(text=text, tier_id=tier_id)),
        "q": text,
        "tiers": Tier.objects.order_by("min_spend"),
        "tier_id": tier_id,
    }
    return render(request, "console/loyalty/overview.html", context)


@staff_view("loyalty.view_programme")
def loyalty_settings(request: HttpRequest) -> HttpResponse:
    programme = services.programme_get()
    can_manage = request.user.has_perm(MANAGE)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                setup.programme_update(actor=request.user, data=_data(form))  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("Programme settings saved."))
                return redirect("console:loyalty_settings")
    context = {
        "section": "loyalty_settings",
        "form": form,
        "can_manage": can_manage,
        "tiers": Tier.objects.order_by("min_spend"),
        "rules": EarnRule.objects.select_related("category"),
    }
    return render(request, "console/loyalty/settings.html", context)


@staff_view(MANAGE)
def tier_edit(request: HttpRequest, tier_id: int | None = None) -> HttpResponse:
    tier = Tier.objects.filter(pk=tier_id).first() if tier_id else None
    if tier_id and tier is None:
        raise Http404(_("No such tier."))
    form = TierForm(request.POST or None, instance=tier)
    if request.method == "POST" and form.is_valid():
        try:
            setup.tier_save(actor=request.user, tier=tier, data=_data(form))  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Tier saved. Customers move into it at their next sale or tonight."))
            return redirect("console:loyalty_settings")
    return render(
        request, "console/loyalty/form.html", {"section": "loyalty_settings", "form": form, "title": _("Tier"), "obj": tier}
    )


@staff_view(MANAGE)
@require_POST
def tier_remove(request: HttpRequest, tier_id: int) -> HttpResponse:
    tier = Tier.objects.filter(pk=tier_id).first()
    if tier is None:
        raise Http404(_("No such tier."))
    try:
        setup.tier_delete(actor=request.user, tier=tier)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        messages.error(request, "; ".join(str(error.reason) for error in failure.errors))
    else:
        messages.success(request, _("Tier removed."))
    return redirect("console:loyalty_settings")


@staff_view(MANAGE)
def earn_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    rule = EarnRule.objects.filter(pk=rule_id).first() if rule_id else None
    if rule_id and rule is None:
        raise Http404(_("No such earn rule."))
    form = EarnRuleForm(request.POST or None, instance=rule)
    form.fields["category"].queryset = Category.objects.order_by("name")  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = _data(form)
        data["category_id"] = data.pop("category").pk
        try:
            setup.earn_rule_save(actor=request.user, rule=rule, data=data)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure, renames={"category_id": "category"})
        else:
            messages.success(request, _("Earn rule saved."))
            return redirect("console:loyalty_settings")
    context = {"section": "loyalty_settings", "form": form, "title": _("Earn rule"), "obj": rule}
    return render(request, "console/loyalty/form.html", context)


@staff_view(MANAGE)
@require_POST
def earn_rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = EarnRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404(_("No such earn rule."))
    setup.earn_rule_delete(actor=request.user, rule=rule)  # type: ignore[arg-type]
    messages.success(request, _("Earn rule removed."))
    return redirect("console:loyalty_settings")


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise Http404(_("No such customer."))
    return customer


@staff_view(VIEW, "customers.view_customer")
def customer_points(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    adjust_form = AdjustForm(initial={"idempotency_key": _key()}, prefix="adjust")
    redeem_form = RedeemForm(initial={"idempotency_key": _key()}, customer=customer, prefix="redeem")
    if request.method == "POST" and request.POST.get("action") == "adjust":
        if not request.user.has_perm(ADJUST):
            raise Http404
        adjust_form = AdjustForm(request.POST, prefix="adjust")
        if adjust_form.is_valid():
            try:
                services.points_adjust(actor=request.user, customer=customer, **adjust_form.cleaned_data)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(adjust_form, failure)
            except Conflict as conflict:
                messages.error(request, str(conflict.message))
            else:
                messages.success(request, _("Points adjusted."))
                return redirect("console:loyalty_customer", customer_id=customer.pk)
    elif request.method == "POST" and request.POST.get("action") == "redeem":
        if not request.user.has_perm(REDEEM):
            raise Http404
        redeem_form = RedeemForm(request.POST, customer=customer, prefix="redeem")
        if redeem_form.is_valid():
            data = redeem_form.cleaned_data
            try:
                if data["target"] == "sale":
                    if data["sale"] is None:
                        raise ValidationFailed(errors=[_sale_required()])
                    done = services.points_redeem_sale(
                        actor=request.user,  # type: ignore[arg-type]
                        customer=customer,
                        sale=data["sale"],
                        points=data["points"],
                        idempotency_key=data["idempotency_key"],
                    )
                else:
                    done = services.points_redeem_voucher(
                        actor=request.user,  # type: ignore[arg-type]
                        customer=customer,
                        points=data["points"],
                        idempotency_key=data["idempotency_key"],
                    )
            except ValidationFailed as failure:
                errors_attach(redeem_form, failure, renames={"sale_id": "sale"})
            except Conflict as conflict:
                messages.error(request, str(conflict.message))
            else:
                redemption = done.redemption
                if redemption.voucher_code:
                    messages.success(
                        request,
                        _("Voucher %(code)s issued for %(amount)s %(currency)s.")
                        % {"code": redemption.voucher_code, "amount": redemption.amount, "currency": redemption.currency},
                    )
                else:
                    messages.success(
                        request,
                        _("Discount of %(amount)s %(currency)s recorded on the sale.")
                        % {"amount": redemption.amount, "currency": redemption.currency},
                    )
                return redirect("console:loyalty_customer", customer_id=customer.pk)
    context = {
        "section": "loyalty",
        "customer": customer,
        "standing": selectors.standing(customer=customer),
        "page": page_of(request, selectors.statement(customer_id=customer.pk)),
        "adjust_form": adjust_form,
        "redeem_form": redeem_form,
        "kinds": EntryKind,
    }
    return render(request, "console/loyalty/customer.html", context)


def _sale_required() -> FieldError:
    return FieldError("sale", _("choose the sale the discount is recorded against"), code="required")
