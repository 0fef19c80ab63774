"""Who may open a portal page: a signed-in customer, who reads it in their own language."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from aftersales.customers.selectors import customer_for_portal_user
from aftersales.messaging.rules import customer_zone

View = Callable[..., HttpResponseBase]


def portal_view(view: View) -> View:
    """Pass the signed-in customer to the view; anonymous visitors go to the sign-in page, staff are refused."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect("portal:sign_in")
        customer = customer_for_portal_user(user)
        if customer is None or user.is_staff:
            return render(request, "portal/forbidden.html", status=403)
        # The customer's preferred language wins over the browser's and the session's.
        translation.activate(customer.language)
        request.LANGUAGE_CODE = customer.language  # type: ignore[attr-defined]
        # Times are shown in the customer's time zone when we know it.
        with timezone.override(customer_zone(customer.time_zone)):
            return view(request, customer, *args, **kwargs)

    return wrapper
