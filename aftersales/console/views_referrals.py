"""Console screens of referrals: the funnel, the list, a referral, recording a friend by hand, a customer's
referrals (code, invitations, "invite to refer") and the programme's settings."""

from __future__ import annotations

import secrets
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
from aftersales.console.views.common import page_of
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.core.models import Language
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_search, customers_visible_to
from aftersales.referrals import selectors, services
from aftersales.referrals.models import (
    InvitationTrigger,
    Referral,
    ReferralCode,
    ReferralInvitation,
    ReferralSource,
    ReferralStatus,
    RejectionReason,
)

VIEW = "referrals.view_referral"
ADD = "referrals.add_referral"
REJECT = "referrals.reject_referral"
INVITE = "referrals.invite_referral"
MANAGE = "referrals.manage_referralsettings"
# Sources staff may choose when recording a friend by hand.
STAFF_SOURCES = [(code, label) for code, label in ReferralSource.choices if code in ("phone", "store", "event")]


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReferralFilterForm(PeriodForm):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("Friend or referrer"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    reason = forms.ChoiceField(label=gettext_lazy("Rejection reason"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("status", ReferralStatus.choices), ("source", ReferralSource.choices)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Any")), *choices]
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [("", _("Any")), *[(code, label) for code, label in RejectionReason.choices if code]]


class ReferralForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Friend's name"), max_length=200)
    email = forms.CharField(label=gettext_lazy("Email"), required=False, max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=40)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=300)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=STAFF_SOURCES)
    consent = forms.BooleanField(
        label=gettext_lazy("The friend agreed to be contacted about our products"),
        required=False,
        help_text=gettext_lazy("Required: today's date is recorded as the date of consent."),
    )


class RejectForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why is it rejected?"), max_length=300)


class SettingsForm(forms.Form):
    active = forms.BooleanField(label=gettext_lazy("Programme active"), required=False)
    referrer_points = forms.IntegerField(label=gettext_lazy("Points for the referrer"), min_value=0, max_value=1_000_000)
    referrer_voucher_value = forms.DecimalField(
        label=gettext_lazy("Voucher for the referrer"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("0: no voucher"),
    )
    referred_points = forms.IntegerField(label=gettext_lazy("Points for the friend"), min_value=0, max_value=1_000_000)
    referred_voucher_value = forms.DecimalField(
        label=gettext_lazy("Voucher for the friend"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("0: no voucher"),
    )
    voucher_valid_days = forms.IntegerField(label=gettext_lazy("Vouchers valid for (days)"), min_value=1, max_value=3650)
    attribution_days = forms.IntegerField(
        label=gettext_lazy("Attribution window (days)"),
        min_value=1,
        max_value=3650,
        help_text=gettext_lazy("Days from the referral to the friend's first purchase."),
    )
    min_first_purchase = forms.DecimalField(
        label=gettext_lazy("Minimum first purchase"), min_value=0, max_digits=12, decimal_places=2
    )
    invitation_cooldown_days = forms.IntegerField(label=gettext_lazy("Days between two invitations"), min_value=0, max_value=3650)


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    referral = selectors.referrals_visible_to(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404(_("No such referral."))
    return referral


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise Http404(_("No such customer."))
    return customer


@staff_view(VIEW)
def funnel(request: HttpRequest) -> HttpResponse:
    """Show the funnel of a period: invitations, links opened, prospects, converted, rewarded; rejections by reason."""
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    figures = selectors.referral_funnel(since=period.get("since"), until=period.get("until"))
    steps = [
        (_("Invitations sent"), figures.invitations_sent, ""),
        (_("Links opened"), figures.links_opened, ""),
        (_("Prospects"), figures.prospects, ""),
        (_("Converted"), figures.converted, ReferralStatus.CONVERTED),
        (_("Rewarded"), figures.rewarded, ReferralStatus.REWARDED),
    ]
    reasons = [(code, RejectionReason(code).label, count) for code, count in figures.rejected_by_reason.items()]
    context = {"section": "referrals", "form": form, "funnel": figures, "steps": steps, "reasons": reasons}
    return render(request, "console/referrals/funnel.html", context)


@staff_view(VIEW)
def referral_list(request: HttpRequest) -> HttpResponse:
    form = ReferralFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    referrals = selectors.referrals_filtered(
        selectors.referrals_visible_to(request.user),
        status=filters.get("status", ""),
        source=filters.get("source", ""),
        reason=filters.get("reason", ""),
        text=filters.get("q", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    context = {"section": "referrals_list", "form": form, "page": page_of(request, referrals)}
    return render(request, "console/referrals/list.html", context)


@staff_view(VIEW)
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    context = {"section": "referrals_list", "referral": referral, "reject_form": RejectForm()}
    return render(request, "console/referrals/detail.html", context)


@staff_view(VIEW, REJECT)
@require_POST
def referral_reject(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the referral is rejected."))
        return redirect("console:referral", referral_id=referral.pk)
    try:
        services.referral_reject(actor=request.user, referral=referral, note=form.cleaned_data["note"])  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as failure:
        text = (
            "; ".join(str(error.reason) for error in failure.errors) if isinstance(failure, ValidationFailed) else failure.message
        )
        messages.error(request, str(text))
    else:
        messages.success(request, _("The referral was rejected."))
    return redirect("console:referral", referral_id=referral.pk)


@staff_view(VIEW, ADD, "customers.view_customer")
def referral_new(request: HttpRequest) -> HttpResponse:
    """Record a friend a customer referred by phone, in a store or at an event; find the referrer first."""
    referrer = None
    if request.GET.get("customer", "").isdigit():
        referrer = customers_visible_to(request.user).filter(pk=int(request.GET["customer"])).first()
    if referrer is None:
        text = request.GET.get("q", "")
        found = customer_search(queryset=customers_visible_to(request.user), text=text)[:20] if text.strip() else []
        context = {"section": "referrals_list", "q": text, "found": found}
        return render(request, "console/referrals/choose_referrer.html", context)
    form = ReferralForm(request.POST or None, initial={"language": referrer.language, "source": ReferralSource.PHONE})
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_record(actor=request.user, referrer=referrer, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            if referral.status == ReferralStatus.REJECTED:
                messages.error(
                    request,
                    _("Recorded as rejected: %(reason)s.") % {"reason": RejectionReason(referral.rejection_reason).label},
                )
            else:
                messages.success(request, _("Referral of %(name)s recorded.") % {"name": referral.name})
            return redirect("console:referral", referral_id=referral.pk)
    context = {"section": "referrals_list", "referrer": referrer, "form": form}
    return render(request, "console/referrals/form.html", context)


@staff_view(VIEW, "customers.view_customer")
def customer_referrals(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show a customer's code and link, their invitations and the friends they referred."""
    customer = _customer(request, customer_id)
    code = ReferralCode.objects.filter(customer=customer).first()
    context = {
        "section": "referrals_list",
        "customer": customer,
        "code": code,
        "link": services.referral_link(code) if code else "",
        "summary": selectors.customer_referral_summary(customer_id=customer.pk),
        "referrals": list(Referral.objects.filter(referrer=customer).order_by("-created_at")[:50]),
        "invitations": list(ReferralInvitation.objects.filter(customer=customer).order_by("-created_at")[:20]),
        "referred_by": Referral.objects.filter(referred_customer=customer).select_related("referrer").first(),
        # A double click sends one invitation: the form carries the key of this page view.
        "invite_token": secrets.token_hex(12),
    }
    return render(request, "console/referrals/customer.html", context)


@staff_view(VIEW, INVITE, "customers.view_customer")
@require_POST
def customer_invite(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Invite a customer to refer a friend ("invite to refer"), honouring the cool-down and their consent."""
    customer = _customer(request, customer_id)
    try:
        invitation = services.referral_invite(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            trigger=InvitationTrigger.STAFF,
            idempotency_key=f"staff:{request.POST.get('token') or secrets.token_hex(12)}",
        )
    except (ValidationFailed, Conflict) as failure:
        text = (
            "; ".join(str(error.reason) for error in failure.errors) if isinstance(failure, ValidationFailed) else failure.message
        )
        messages.error(request, str(text))
    else:
        if invitation.status == "sent":
            messages.success(request, _("Invitation to refer a friend sent to %(name)s.") % {"name": customer.name})
        else:
            messages.warning(request, _("The invitation was not sent (no consent, unsubscribed or no address)."))
    return redirect("console:referrals_customer", customer_id=customer.pk)


@staff_view(VIEW, "customers.view_customer")
@require_POST
def customer_code(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Create a customer's code, or (managers) switch it on or off."""
    customer = _customer(request, customer_id)
    action = request.POST.get("action", "create")
    if action == "create":
        services.code_for(customer=customer)
    elif request.user.has_perm(MANAGE):
        code = services.code_for(customer=customer)
        services.code_set_active(actor=request.user, code=code, active=action == "on")  # type: ignore[arg-type]
    else:
        messages.error(request, _("Your role does not allow this."))
    return redirect("console:referrals_customer", customer_id=customer.pk)


@staff_view(VIEW, MANAGE)
def programme(request: HttpRequest) -> HttpResponse:
    """Change the programme's terms: rewards, window, minimum purchase and invitation cool-down."""
    current = services.programme_settings()
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Referral programme saved."))
            return redirect("console:referrals_settings")
    context = {"section": "referrals_settings", "form": form, "programme": current, "today": timezone.localdate()}
    return render(request, "console/referrals/settings.html", context)
