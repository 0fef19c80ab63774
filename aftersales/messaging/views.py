"""The one-click unsubscribe page at ``/u/<token>/``: no sign-in, the signed token is the authority."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import NotFound
from aftersales.customers.models import Customer
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import unsubscribe_apply
from aftersales.messaging.signing import unsubscribe_read


# A mail client's RFC 8058 one-click POST carries no CSRF token; the signed token already proves
# the request came from our own link, and all it can do is withdraw consent.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    wanted = unsubscribe_read(token)
    customer = Customer.objects.filter(pk=wanted.customer_id).first() if wanted else None
    if wanted is None or customer is None or wanted.channel not in MessageChannel.values:
        return render(request, "messaging/unsubscribe_invalid.html", status=404)
    # The page speaks the customer's language, whatever the browser says (the middleware reports it).
    translation.activate(customer.language)
    request.LANGUAGE_CODE = customer.language  # type: ignore[attr-defined]
    context = {"channel": MessageChannel(wanted.channel).label, "language": customer.language}
    if request.method == "GET":
        response = render(request, "messaging/unsubscribe_confirm.html", context)
    else:
        try:
            unsubscribe_apply(token=token)
        except NotFound:
            return render(request, "messaging/unsubscribe_invalid.html", status=404)
        response = render(request, "messaging/unsubscribe_done.html", context)
    response["Content-Language"] = customer.language
    response["X-Robots-Tag"] = "noindex"
    return response
