"""Portal screens of vouchers and offers: my vouchers (usable ones first, then used and expired) and the
special offers sent to me that are valid today."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersales.customers.models import Customer
from aftersales.offers.selectors import offers_current_for, vouchers_of_customer
from aftersales.portal.access import portal_view


@portal_view
def voucher_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    vouchers = vouchers_of_customer(customer)
    context = {
        "section": "vouchers",
        "usable": vouchers.usable,
        "past": vouchers.past,
        "offers": offers_current_for(customer),
        "language": customer.language,
        "today": timezone.localdate(),
    }
    return render(request, "portal/offers/vouchers.html", context)
