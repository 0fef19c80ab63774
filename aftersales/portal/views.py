"""The customer portal: sign-in by emailed link, my products, a unit's history, my profile (preferences: views_preferences)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from sesame.utils import get_query_string, get_user

from aftersales.core.ratelimit import within_limits
from aftersales.core.timeline import event_describe, event_label, timeline_for_unit, timeline_record
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_consents, customer_for_portal_user
from aftersales.customers.services import customer_portal_user
from aftersales.portal.access import portal_view
from aftersales.portal.forms import EmailForm
from aftersales.sales.selectors import units_of_customer
from aftersales.warranty.selectors import coverage_now

logger = logging.getLogger(__name__)

SCOPE = "portal"
# At most this many sign-in links per email address, and per client address, in the window.
LINKS_PER_EMAIL = 5
LINKS_PER_ADDRESS = 20
LINK_WINDOW_SECONDS = 15 * 60


def _within_limits(request: HttpRequest, email: str) -> bool:
    digest = hashlib.sha256(email.encode("utf-8")).hexdigest()
    return within_limits(
        (f"portal-link:email:{digest}", LINKS_PER_EMAIL),
        (f"portal-link:address:{request.META.get('REMOTE_ADDR', '')}", LINKS_PER_ADDRESS),
        window_seconds=LINK_WINDOW_SECONDS,
    )


def _send_link(request: HttpRequest, customer: Customer) -> None:
    user = customer_portal_user(customer=customer)
    if user.is_staff or not user.is_active:
        logger.warning("No portal link sent to customer %s: their account is staff or inactive.", customer.pk)
        return
    link = request.build_absolute_uri(reverse("portal:auth")) + get_query_string(user, scope=SCOPE)
    with translation.override(customer.language):
        expires = timezone.now() + dt.timedelta(seconds=settings.SESAME_MAX_AGE)
        context = {"customer": customer, "link": link, "expires": expires}
        subject = render_to_string("portal/email/sign_in_subject.txt", context).strip()
        body = render_to_string("portal/email/sign_in_body.txt", context)
    send_mail(subject, body, None, [customer.email])


def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for an email and mail a one-time sign-in link when it belongs to a customer."""
    if customer_for_portal_user(request.user) is not None and not request.user.is_staff:
        return redirect("portal:products")
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if not _within_limits(request, email):
            form.add_error(None, _("Too many sign-in links were asked for. Please wait a quarter of an hour."))
            return render(request, "portal/sign_in.html", {"form": form}, status=429)
        customer = Customer.objects.filter(email__iexact=email).first()
        if customer is not None:
            _send_link(request, customer)
        # The same answer whether or not the address is on record: nobody learns who is a customer.
        return redirect("portal:link_sent")
    return render(request, "portal/sign_in.html", {"form": form})


def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/link_sent.html", {"minutes": settings.SESAME_MAX_AGE // 60})


def authenticate_link(request: HttpRequest) -> HttpResponse:
    """Sign the customer in from the emailed link; a used, expired or foreign link is refused.

    Opening the link only shows a confirmation button: mail scanners that fetch every link in a
    message would otherwise use up the single-use link before the customer clicks it.
    """
    token = (request.POST if request.method == "POST" else request.GET).get(settings.SESAME_TOKEN_NAME, "")
    # Peek without spending the link on GET; spend it on the POST that signs in.
    user = get_user(token, scope=SCOPE, update_last_login=request.method == "POST") if token else None
    customer = customer_for_portal_user(user) if user is not None else None
    if user is None or customer is None or user.is_staff:
        return render(request, "portal/link_invalid.html", status=403)
    if request.method != "POST":
        return render(request, "portal/link_confirm.html", {"token": token, "customer": customer})
    login(request, user, backend="sesame.backends.ModelBackend")
    timeline_record(customer=customer, kind="portal_sign_in", actor=user)
    return redirect("portal:products")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:sign_in")


@portal_view
def products(request: HttpRequest, customer: Customer) -> HttpResponse:
    units = list(units_of_customer(customer=customer))
    for unit in units:
        unit.coverage = coverage_now(unit)  # type: ignore[attr-defined]
    context = {"section": "products", "customer": customer, "units": units}
    return render(request, "portal/products.html", context)


@portal_view
def unit_detail(request: HttpRequest, customer: Customer, unit_id: int) -> HttpResponse:
    unit = units_of_customer(customer=customer).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("No such product."))
    events = [(event, event_label(event), event_describe(event)) for event in timeline_for_unit(unit_id=unit.pk)[:200]]
    unit.coverage = coverage_now(unit)  # type: ignore[attr-defined]
    claims = unit.warranty_claims.order_by("-created_at", "-id")
    repairs = unit.repair_orders.order_by("-received_at", "-id")
    context = {"section": "products", "unit": unit, "events": events, "claims": claims, "repairs": repairs}
    return render(request, "portal/unit.html", context)


@portal_view
def menu(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Every page of the portal, grouped: where a phone's short navigation bar leads."""
    return render(request, "portal/menu.html", {"section": "menu"})


@portal_view
def profile(request: HttpRequest, customer: Customer) -> HttpResponse:
    agreed = [consent.label for consent in customer_consents(customer) if consent.given_at]
    context = {"section": "profile", "customer": customer, "agreed": agreed}
    return render(request, "portal/profile.html", context)
