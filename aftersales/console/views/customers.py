"""Customer search, the customer page with its timeline, and edits by staff."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.console.access import staff_view
from aftersales.console.forms import CustomerForm, errors_attach
from aftersales.console.views.common import page_of, timeline_page
from aftersales.console.views.followup import coming_up
from aftersales.console.views.tickets import customer_log_call, customer_tickets_context
from aftersales.core.errors import ValidationFailed
from aftersales.core.timeline import timeline_for_customer
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_consents, customer_search, customers_visible_to
from aftersales.customers.services import customer_set_consent, customer_update
from aftersales.sales.selectors import sales_visible_to, units_of_customer


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customers_visible_to(request.user).prefetch_related("segments").filter(pk=customer_id).first()
    if customer is None:
        raise Http404(_("No such customer."))
    return customer


@staff_view("customers.view_customer")
def customer_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    found = customer_search(queryset=customers_visible_to(request.user), text=text).order_by("name", "id")
    context = {"section": "customers", "q": text, "page": page_of(request, found)}
    htmx = request.htmx  # type: ignore[attr-defined]
    # A live-search keystroke wants the results only; restoring browser history wants the whole page.
    if htmx and not htmx.history_restore_request:
        return render(request, "console/customers/_results.html", context)
    return render(request, "console/customers/list.html", context)


@staff_view("customers.view_customer")
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _customer_page(request, _customer(request, customer_id))


def _customer_page(request: HttpRequest, customer: Customer, *, call_form: Any = None, status: int = 200) -> HttpResponse:
    events, rows = timeline_page(request, timeline_for_customer(customer_id=customer.pk))
    timeline = {"page": events, "rows": rows}
    if request.htmx and "events" in request.GET:  # type: ignore[attr-defined]
        return render(request, "console/_timeline_items.html", {"timeline": timeline})
    context = {
        "section": "customers",
        "customer": customer,
        "consents": customer_consents(customer),
        # Each row states the warranty the warranty app decides from the terms the unit was sold with and its
        # extensions, read here for the whole page.
        "units": units_of_customer(customer=customer).select_related("warranty_terms").prefetch_related("extended_warranties"),
        "sales": sales_visible_to(request.user).filter(customer=customer).order_by("-sold_on", "-id"),
        "timeline": timeline,
        "coming_up": coming_up(request, customer),
        **customer_tickets_context(request, customer, call_form),
    }
    return render(request, "console/customers/detail.html", context, status=status)


@staff_view("customers.view_customer", "service.view_ticket", "service.add_ticket")
@require_POST
def customer_call(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Log a call or a walk-in from the customer page."""
    customer = _customer(request, customer_id)
    return customer_log_call(request, customer, functools.partial(_customer_page, request, customer))


@staff_view("customers.view_customer", "customers.change_customer")
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    form = CustomerForm.for_customer(customer, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_update(actor=request.user, customer=customer, data=form.details(), segments=form.segment_codes())  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("The customer's details were saved."))
            return redirect("console:customer", customer_id=customer.pk)
    return render(request, "console/customers/edit.html", {"section": "customers", "customer": customer, "form": form})


@staff_view("customers.view_customer", "customers.change_customer")
@require_POST
def customer_consent(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    try:
        customer_set_consent(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            channel=request.POST.get("channel", ""),
            given=request.POST.get("given") == "1",
        )
    except ValidationFailed as failure:
        messages.error(request, "; ".join(str(error.reason) for error in failure.errors))
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "console/customers/_consents.html", {"customer": customer, "consents": customer_consents(customer)}
        )
    return redirect("console:customer", customer_id=customer.pk)
