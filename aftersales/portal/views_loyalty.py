"""Portal screen of the loyalty programme: my points, my tier and the way to the next, my statement,
points lapsing soon, and turning points into a voucher."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.customers.models import Customer
from aftersales.loyalty import selectors, services
from aftersales.portal.access import portal_view

STATEMENT_ROWS = 50


class RedeemForm(forms.Form):
    points = forms.IntegerField(label=gettext_lazy("Points to turn into a voucher"), min_value=1)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


@portal_view
def my_points(request: HttpRequest, customer: Customer) -> HttpResponse:
    standing = selectors.standing(customer=customer)
    form = RedeemForm(
        initial={"idempotency_key": f"portal:{secrets.token_urlsafe(16)}", "points": standing.programme.min_redemption}
    )
    if request.method == "POST":
        form = RedeemForm(request.POST)
        if form.is_valid():
            try:
                done = services.points_redeem_voucher(
                    actor=request.user,  # type: ignore[arg-type]
                    customer=customer,
                    points=form.cleaned_data["points"],
                    idempotency_key=f"{customer.pk}:{form.cleaned_data['idempotency_key']}",
                )
            except ValidationFailed as failure:
                errors_attach(form, failure)
            except Conflict as conflict:
                messages.error(request, str(conflict.message))
            else:
                redemption = done.redemption
                messages.success(
                    request,
                    _("Your voucher %(code)s is worth %(amount)s %(currency)s and valid until %(until)s.")
                    % {
                        "code": redemption.voucher_code,
                        "amount": redemption.amount,
                        "currency": redemption.currency,
                        "until": redemption.voucher_valid_until,
                    },
                )
                return redirect("portal:loyalty")
    context = {
        "section": "loyalty",
        "standing": standing,
        "entries": list(selectors.statement(customer_id=customer.pk)[:STATEMENT_ROWS]),
        "form": form,
        "tier_name": standing.tier.display_name(customer.language) if standing.tier else "",
        "next_tier_name": standing.next_tier.display_name(customer.language) if standing.next_tier else "",
    }
    return render(request, "portal/loyalty/points.html", context)
