"""Console screens of vouchers and offers: the voucher list and page with its redemptions, issuing and
cancelling vouchers; composing, previewing, sending and following special offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category
from aftersales.console.access import staff_view
from aftersales.console.views.common import page_of, refused
from aftersales.core.errors import Conflict, FieldError, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.core.models import Language
from aftersales.customers.models import Customer, Segment
from aftersales.customers.selectors import customers_visible_to
from aftersales.offers import selectors, services
from aftersales.offers.models import (
    Offer,
    OfferChannel,
    OfferCode,
    OfferRecipient,
    OfferStatus,
    ValueKind,
    Voucher,
    VoucherSource,
    VoucherStatus,
)

VIEW = "offers.view_voucher"
ISSUE = "offers.issue_voucher"
REDEEM = "offers.redeem_voucher"
VIEW_OFFERS = "offers.view_offer"
SEND = "offers.send_offer"

VALIDITY = [
    ("", gettext_lazy("Any")),
    ("current", gettext_lazy("Valid now")),
    ("upcoming", gettext_lazy("Not yet valid")),
    ("expired", gettext_lazy("Expired")),
]


class VoucherFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("Code, customer name or email"))
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), required=False, choices=[("", gettext_lazy("Any")), *VoucherSource.choices]
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Any")), *VoucherStatus.choices]
    )
    validity = forms.ChoiceField(label=gettext_lazy("Validity"), required=False, choices=VALIDITY)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class VoucherForm(forms.Form):
    customer = forms.CharField(
        label=gettext_lazy("Customer"),
        required=False,
        help_text=gettext_lazy("The customer's email or number; empty for a code anyone eligible may use."),
    )
    value_kind = forms.ChoiceField(label=gettext_lazy("Kind of value"), choices=ValueKind.choices)
    value = forms.DecimalField(
        label=gettext_lazy("Value"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("An amount, or a percentage from 1 to 100."),
    )
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False, widget=_date_input())
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), widget=_date_input())
    max_uses = forms.IntegerField(
        label=gettext_lazy("Uses allowed"), required=False, min_value=1, help_text=gettext_lazy("Empty: no limit.")
    )
    max_uses_per_customer = forms.IntegerField(
        label=gettext_lazy("Uses allowed per customer"), required=False, min_value=1, help_text=gettext_lazy("Empty: no limit.")
    )
    segments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Only for customers in"),
        queryset=Segment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Only for products of"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Categories below the ones ticked count too."),
    )
    min_sale_value = forms.DecimalField(label=gettext_lazy("Minimum sale value"), required=False, max_digits=14, decimal_places=2)
    source_ref = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Why it was issued: a complaint, a campaign…"),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class OfferForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=150)
    title_es = forms.CharField(label=gettext_lazy("Title in Spanish"), max_length=150)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    body_es = forms.CharField(label=gettext_lazy("Text in Spanish"), widget=forms.Textarea(attrs={"rows": 4}))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False, widget=_date_input())
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), widget=_date_input())
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=OfferChannel.choices)
    segments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Audience: customers in"),
        queryset=Segment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bought_categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Audience: customers who bought from"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Audience: language"), required=False, choices=[("", gettext_lazy("Any")), *Language.choices]
    )
    min_lifetime_spend = forms.DecimalField(
        label=gettext_lazy("Audience: spent in total at least"), required=False, max_digits=14, decimal_places=2
    )
    code_kind = forms.ChoiceField(label=gettext_lazy("Code"), choices=OfferCode.choices)
    value_kind = forms.ChoiceField(label=gettext_lazy("Kind of value"), choices=ValueKind.choices)
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=12, decimal_places=2)
    min_sale_value = forms.DecimalField(label=gettext_lazy("Minimum sale value"), required=False, max_digits=14, decimal_places=2)
    voucher_categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Voucher valid for"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Empty: any product."),
    )


class RedeemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    customer = forms.CharField(label=gettext_lazy("Customer"), help_text=gettext_lazy("The customer's email or number."))
    sale = forms.CharField(label=gettext_lazy("Sale number"), required=False, help_text=gettext_lazy("The sale it is used on."))
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("What it applies to, when there is no sale."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


def _voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    voucher = selectors.vouchers_visible_to(request.user).filter(pk=voucher_id).first()
    if voucher is None:
        raise Http404(_("No such voucher."))
    return voucher


def _offer(offer_id: int) -> Offer:
    offer = Offer.objects.select_related("shared_voucher", "created_by", "sent_by").filter(pk=offer_id).first()
    if offer is None:
        raise Http404(_("No such offer."))
    return offer


@staff_view(VIEW)
def voucher_list(request: HttpRequest) -> HttpResponse:
    form = VoucherFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    vouchers = selectors.vouchers_filtered(
        selectors.vouchers_visible_to(request.user),
        text=filters.get("q", ""),
        source=filters.get("source", ""),
        status=filters.get("status", ""),
        validity=filters.get("validity", ""),
    )
    context = {"section": "vouchers", "form": form, "page": page_of(request, vouchers), "today": timezone.localdate()}
    return render(request, "console/offers/voucher_list.html", context)


@staff_view(VIEW)
def voucher_detail(request: HttpRequest, voucher_id: int) -> HttpResponse:
    voucher = _voucher(request, voucher_id)
    context = {
        "section": "vouchers",
        "voucher": voucher,
        "redemptions": voucher.redemptions.select_related("customer", "sale", "redeemed_by").order_by("-created_at", "-id"),
        "segments": list(voucher.segments.all()),
        "categories": list(voucher.categories.all()),
        "today": timezone.localdate(),
    }
    return render(request, "console/offers/voucher_detail.html", context)


def _customer_find(request: HttpRequest, text: str) -> Customer | None:
    text = text.strip()
    visible = customers_visible_to(request.user)
    if text.isdigit():
        return visible.filter(pk=int(text)).first()
    return visible.filter(email__iexact=text).first()


@staff_view(VIEW, ISSUE, "customers.view_customer")
def voucher_new(request: HttpRequest) -> HttpResponse:
    """Issue a voucher by hand; the form carries a key so a double submit issues one voucher."""
    import secrets

    initial = {
        "valid_until": timezone.localdate() + dt.timedelta(days=90),
        "max_uses": 1,
        "max_uses_per_customer": 1,
        "customer": request.GET.get("customer", ""),
        "idempotency_key": f"console:{secrets.token_urlsafe(16)}",
    }
    form = VoucherForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = _customer_find(request, data["customer"]) if data["customer"].strip() else None
        try:
            if data["customer"].strip() and customer is None:
                raise ValidationFailed(
                    errors=[FieldError(field="customer", reason=gettext_lazy("no customer with this email or number"))]
                )
            voucher = services.voucher_issue(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                value_kind=data["value_kind"],
                value=data["value"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                max_uses=data["max_uses"],
                max_uses_per_customer=data["max_uses_per_customer"],
                segments=data["segments"],
                categories=data["categories"],
                min_sale_value=data["min_sale_value"],
                source=VoucherSource.MANUAL,
                source_ref=data["source_ref"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Voucher %(code)s issued.") % {"code": voucher.code})
            return redirect("console:voucher", voucher_id=voucher.pk)
    return render(request, "console/offers/voucher_form.html", {"section": "vouchers", "form": form})


@staff_view(VIEW, ISSUE)
@require_POST
def voucher_cancel(request: HttpRequest, voucher_id: int) -> HttpResponse:
    voucher = _voucher(request, voucher_id)
    try:
        services.voucher_cancel(actor=request.user, voucher=voucher, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The voucher is cancelled."))
    return redirect("console:voucher", voucher_id=voucher.pk)


@staff_view(VIEW, REDEEM, "customers.view_customer")
def voucher_redeem(request: HttpRequest) -> HttpResponse:
    """Check a code for a customer (and a sale or amount) and redeem it; a double submit redeems once."""
    import secrets

    from aftersales.sales.selectors import sales_visible_to

    form = RedeemForm(request.POST or None, initial={"idempotency_key": f"console:{secrets.token_urlsafe(16)}"})
    assessment = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = _customer_find(request, data["customer"])
        sale = sales_visible_to(request.user).filter(number=data["sale"].strip()).first() if data["sale"].strip() else None
        missing = []
        if customer is None:
            missing.append(FieldError(field="customer", reason=gettext_lazy("no customer with this email or number")))
        if data["sale"].strip() and sale is None:
            missing.append(FieldError(field="sale", reason=gettext_lazy("no sale with this number")))
        try:
            if missing:
                raise ValidationFailed(errors=missing)
            assert customer is not None
            if "redeem" in request.POST:
                redemption = services.voucher_redeem(
                    actor=request.user,  # type: ignore[arg-type]
                    code=data["code"],
                    customer=customer,
                    sale=sale,
                    amount=data["amount"],
                    idempotency_key=data["idempotency_key"],
                )
                messages.success(
                    request,
                    _("Voucher %(code)s redeemed: %(discount)s %(currency)s off.")
                    % {"code": redemption.voucher.code, "discount": redemption.discount, "currency": redemption.currency},
                )
                return redirect("console:voucher", voucher_id=redemption.voucher_id)
            assessment = selectors.voucher_check(code=data["code"], customer=customer, sale=sale, amount=data["amount"])
            if assessment.errors:
                errors_attach(form, ValidationFailed(errors=assessment.errors))
        except ValidationFailed as failure:
            errors_attach(form, failure)
        except Conflict as failure:
            refused(request, failure)
    context = {"section": "vouchers", "form": form, "assessment": assessment}
    return render(request, "console/offers/voucher_redeem.html", context)


@staff_view(VIEW_OFFERS)
def offer_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    offers = selectors.offers_filtered(status=status if status in OfferStatus.values else "", text=request.GET.get("q", ""))
    context = {"section": "offers", "page": page_of(request, offers), "statuses": OfferStatus.choices, "status": status}
    return render(request, "console/offers/offer_list.html", context)


def _offer_values(form: OfferForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for name in ("segments", "bought_categories", "voucher_categories"):
        data[name] = [item.pk for item in data[name]]
    return data


@staff_view(VIEW_OFFERS, "offers.add_offer")
def offer_new(request: HttpRequest) -> HttpResponse:
    initial = {"valid_until": timezone.localdate() + dt.timedelta(days=30), "code_kind": OfferCode.PERSONAL}
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(actor=request.user, data=_offer_values(form))  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Offer saved as a draft: check its audience, then send it."))
            return redirect("console:offer", offer_id=offer.pk)
    return render(request, "console/offers/offer_form.html", {"section": "offers", "form": form, "offer": None})


@staff_view(VIEW_OFFERS, "offers.change_offer")
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(offer_id)
    if offer.status != OfferStatus.DRAFT:
        messages.error(request, _("Only a draft offer can be changed."))
        return redirect("console:offer", offer_id=offer.pk)
    initial = {
        name: getattr(offer, name)
        for name in (
            "title",
            "title_es",
            "body",
            "body_es",
            "valid_from",
            "valid_until",
            "channel",
            "language",
            "min_lifetime_spend",
            "code_kind",
            "value_kind",
            "value",
            "min_sale_value",
        )
    }
    for name in ("segments", "bought_categories", "voucher_categories"):
        initial[name] = list(getattr(offer, name).values_list("pk", flat=True))
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(actor=request.user, offer=offer, data=_offer_values(form))  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        except Conflict as failure:
            refused(request, failure)
        else:
            messages.success(request, _("Offer saved."))
            return redirect("console:offer", offer_id=offer.pk)
    return render(request, "console/offers/offer_form.html", {"section": "offers", "form": form, "offer": offer})


@staff_view(VIEW_OFFERS)
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(offer_id)
    context = {
        "section": "offers",
        "offer": offer,
        "preview": selectors.offer_preview(offer) if offer.status == OfferStatus.DRAFT else None,
        "results": selectors.offer_results(offer),
        "segments": list(offer.segments.all()),
        "bought_categories": list(offer.bought_categories.all()),
        "voucher_categories": list(offer.voucher_categories.all()),
        "recipients": OfferRecipient.objects.filter(offer=offer).select_related("customer", "voucher").order_by("-id")[:50],
    }
    return render(request, "console/offers/offer_detail.html", context)


@staff_view(VIEW_OFFERS, SEND)
@require_POST
def offer_send(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(offer_id)
    try:
        services.offer_send(actor=request.user, offer=offer)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("Sending: the messages are being queued in the background."))
    return redirect("console:offer", offer_id=offer.pk)


@staff_view(VIEW_OFFERS, SEND)
@require_POST
def offer_cancel(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(offer_id)
    try:
        services.offer_cancel(actor=request.user, offer=offer, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The offer is withdrawn and its vouchers cancelled."))
    return redirect("console:offer", offer_id=offer.pk)
